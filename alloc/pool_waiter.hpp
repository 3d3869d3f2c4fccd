#pragma once
// A coroutine (or test double) waiting for a buffer, and the intrusive FIFO the
// shard keeps them in. Intrusive so that waiting allocates nothing in the shard
// and leaving the queue (cancellation) is O(1).

#include <cstddef>
#include <cstdint>

#include "alloc/buffer_class.hpp"

namespace gw::alloc {

class pool_shard;

class pool_waiter {
public:
    explicit pool_waiter(buffer_class wanted) noexcept : wanted_(wanted) {}
    pool_waiter(const pool_waiter&) = delete;
    pool_waiter& operator=(const pool_waiter&) = delete;

    buffer_class wanted() const noexcept { return wanted_; }
    bool queued() const noexcept { return state_ == state::queued; }
    bool resumed() const noexcept { return state_ == state::resumed; }

protected:
    virtual ~pool_waiter() = default;

private:
    friend class pool_shard;
    friend class waiter_list;

    // The shard woke this waiter. It must not run inline (the shard is in the
    // middle of a release): schedule it, and later call pool_shard::finish_resume
    // on the shard's thread, or pool_shard::cancel if it gave up meanwhile.
    virtual void on_resume() noexcept = 0;

    // The shard is being destroyed while this waiter is queued (resume_scheduled
    // = false) or woken but not yet run (true). The waiter must complete with an
    // error and never touch the shard again.
    virtual void on_shard_gone(bool resume_scheduled) noexcept = 0;

    enum class state : unsigned char { idle, queued, resumed };

    pool_waiter* prev_ = nullptr;
    pool_waiter* next_ = nullptr;
    std::uint64_t ticket_ = 0; // arrival order, kept across failed resumes
    buffer_class wanted_;
    state state_ = state::idle;
};

// Doubly-linked FIFO of waiters; no ownership.
class waiter_list {
public:
    bool empty() const noexcept { return head_ == nullptr; }
    std::size_t size() const noexcept { return size_; }
    pool_waiter* front() const noexcept { return head_; }

    void push_back(pool_waiter& w) noexcept;
    // Inserts w before the first waiter with a later ticket (FIFO by arrival).
    void insert_by_ticket(pool_waiter& w) noexcept;
    pool_waiter& pop_front() noexcept; // precondition: !empty()
    void erase(pool_waiter& w) noexcept; // precondition: w is in this list

private:
    pool_waiter* head_ = nullptr;
    pool_waiter* tail_ = nullptr;
    std::size_t size_ = 0;
};

} // namespace gw::alloc
