#pragma once
// One worker's share of the buffer pool: the accounting, the two wait queues and
// the wake rule of DESIGN.md section 2, in plain C++ (the Asio awaitable lives in
// async_acquire.hpp). A shard belongs to one thread: every member function must be
// called on it. Nothing here locks or uses atomics.
//
// Terms: free = limit - used; pending = waiters woken but not yet run; under the
// reserve-aware strategy each pending waiter holds a *promise* of one buffer, which
// newcomers cannot take, so a woken waiter never comes back empty-handed.

#include <cassert>
#include <cstddef>
#include <cstdint>

#include "alloc/buffer_class.hpp"
#include "alloc/buffer_lease.hpp"
#include "alloc/pool_stats.hpp"
#include "alloc/pool_waiter.hpp"

namespace gw::alloc {

class pool_shard {
public:
    // Throws std::invalid_argument when the limits cannot work: a buffer smaller
    // than a pointer, or a bounded limit below reserve + 1 (a shard must be able to
    // serve at least one normal allocation). reserve 0 is accepted on purpose: it
    // reproduces the seed's deadlock in tests and benchmarks.
    explicit pool_shard(const pool_limits& limits);
    // Waiters still queued or woken complete with pool_errc::destroyed. Every lease
    // must have been given back before (asserted in debug builds).
    ~pool_shard();
    pool_shard(const pool_shard&) = delete;
    pool_shard& operator=(const pool_shard&) = delete;

    // Never waits. Succeeds when, after it, at least margin(c) buffers remain free
    // (margin is reserve for normal, 0 for critical), no buffer promised to a woken
    // waiter is touched, and nobody of the same or a higher class is queued (no
    // overtaking). Returns an empty lease otherwise.
    buffer_lease try_acquire(buffer_class c) noexcept {
        if (!can_serve_newcomer(c))
            return {};
        return buffer_lease(this, take_buffer());
    }

    // Queues `w` (FIFO within its class; critical before normal). Precondition: w
    // is idle and try_acquire(w.wanted()) just failed. The shard will call
    // w.on_resume() when a buffer can be offered.
    void wait(pool_waiter& w) noexcept;

    // A woken waiter now runs. Returns its buffer, or an empty lease after a failed
    // resume, in which case the waiter is queued again at the head of its class.
    buffer_lease finish_resume(pool_waiter& w) noexcept;

    // The waiter gives up (timeout, cancelled session). Queued: leaves the queue and
    // returns true. Woken: its promise goes back to the pool (and is offered to the
    // next waiter) and it returns false; the waiter must then not call
    // finish_resume. Idle: returns false.
    bool cancel(pool_waiter& w) noexcept;

    pool_stats stats() const noexcept;
    const pool_limits& limits() const noexcept { return limits_; }
    std::size_t buffer_size() const noexcept { return limits_.buffer_size; }
    std::size_t used() const noexcept { return used_; }
    bool bounded() const noexcept { return limits_.limit != 0; }
    // limit - used; for an unbounded shard, a number no test or rule ever exhausts.
    std::size_t free_count() const noexcept { return bounded() ? limits_.limit - used_ : unbounded_free; }

private:
    friend class buffer_lease;
    static constexpr std::size_t unbounded_free = std::size_t{1} << 40;

    std::size_t margin(buffer_class c) const noexcept {
        return c == buffer_class::critical ? 0 : limits_.reserve;
    }
    // Buffers held by promises to woken waiters (only the reserve-aware rule promises).
    std::size_t promised() const noexcept {
        return limits_.strategy == wake_strategy::reserve_aware ? pending_ : 0;
    }
    // Would one more allocation of class c, on top of the promises, respect its margin?
    bool fits(buffer_class c, std::size_t promises) const noexcept {
        const std::size_t f = free_count();
        return f >= promises + 1 + margin(c);
    }
    bool can_serve_newcomer(buffer_class c) const noexcept {
        if (!queues_[0].empty() || (c == buffer_class::normal && !queues_[1].empty()))
            return false;
        return fits(c, promised());
    }

    // Hands out a cached buffer, or new memory while under the limit; nullptr only
    // when the system allocator fails (then nothing is counted).
    std::byte* take_buffer() noexcept {
        std::byte* b = free_list_;
        if (b != nullptr) {
            free_list_ = pop_cached(b);
        } else if ((b = allocate_new()) == nullptr) {
            return nullptr;
        }
        ++used_;
        ++acquires_;
        if (used_ > high_water_)
            high_water_ = used_;
        if (bounded() && free_count() < limits_.reserve)
            ++reserve_acquires_;
        return b;
    }

    void release(std::byte* b) noexcept {
        assert(used_ > 0);
        push_cached(b);
        --used_;
        if (!queues_[0].empty() || !queues_[1].empty())
            offer();
    }

    // The wake rule: called after every release and every returned promise.
    void offer() noexcept;
    void offer_reserve_aware() noexcept;
    void resume(pool_waiter& w) noexcept;

    std::byte* allocate_new() noexcept;
    std::byte* pop_cached(std::byte* b) noexcept; // returns the next cached buffer
    void push_cached(std::byte* b) noexcept;

    pool_limits limits_;
    std::byte* free_list_ = nullptr; // intrusive LIFO of cached buffers (hot in cache)
    std::size_t used_ = 0;
    std::size_t allocated_ = 0;
    std::size_t high_water_ = 0;
    std::size_t pending_ = 0;        // woken, not yet run
    waiter_list queues_[buffer_class_count];
    waiter_list resumed_;            // woken, not yet run: reached again on destruction
    std::uint64_t next_ticket_ = 0;
    std::uint64_t acquires_ = 0;
    std::uint64_t reserve_acquires_ = 0;
    std::uint64_t waits_[buffer_class_count] = {};
    std::uint64_t resumes_ = 0;
    std::uint64_t failed_resumes_ = 0;
    std::uint64_t cancels_ = 0;
};

inline void buffer_lease::reset() noexcept {
    if (data_ != nullptr) {
        shard_->release(data_);
        data_ = nullptr;
        shard_ = nullptr;
    }
}

inline std::size_t buffer_lease::size() const noexcept {
    return data_ != nullptr ? shard_->buffer_size() : 0;
}

} // namespace gw::alloc
