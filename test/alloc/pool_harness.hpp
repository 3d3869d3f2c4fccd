#pragma once
// Test doubles for driving a pool_shard by hand: waiters that record their wake-up
// in an explicit run queue, so a test decides exactly when a woken waiter runs
// (the role the io_context plays in production).

#include <cstddef>
#include <deque>
#include <vector>

#include "alloc/pool_shard.hpp"

namespace gw::alloc::test {

class scripted_waiter;

// The "scheduler": woken waiters in wake order.
struct run_queue {
    std::deque<scripted_waiter*> woken;
};

class scripted_waiter final : public pool_waiter {
public:
    scripted_waiter(run_queue& rq, buffer_class c, int id = 0) : pool_waiter(c), rq_(rq), id_(id) {}
    // Leaves the shard cleanly, as a destroyed session would (cancel).
    ~scripted_waiter() override {
        lease.reset();
        if (shard_ != nullptr)
            shard_->cancel(*this);
    }

    void wait_on(pool_shard& shard) {
        shard_ = &shard;
        shard.wait(*this);
    }

    int id() const noexcept { return id_; }
    buffer_lease lease;     // what it got when it ran
    bool shard_gone = false;
    bool gone_while_scheduled = false;
    int wakeups = 0;

private:
    void on_resume() noexcept override {
        ++wakeups;
        rq_.woken.push_back(this);
    }
    void on_shard_gone(bool scheduled) noexcept override {
        shard_ = nullptr;
        shard_gone = true;
        gone_while_scheduled = scheduled;
    }

    run_queue& rq_;
    int id_;
    pool_shard* shard_ = nullptr;
};

// Runs the oldest woken waiter; returns it (nullptr if none was woken). A waiter
// the test cancelled after its wake-up is skipped, as the Asio operation does.
inline scripted_waiter* run_one(pool_shard& shard, run_queue& rq) {
    while (!rq.woken.empty()) {
        scripted_waiter* w = rq.woken.front();
        rq.woken.pop_front();
        if (!w->resumed())
            continue; // cancelled meanwhile
        w->lease = shard.finish_resume(*w);
        return w;
    }
    return nullptr;
}

inline std::size_t run_all(pool_shard& shard, run_queue& rq) {
    std::size_t n = 0;
    while (run_one(shard, rq) != nullptr)
        ++n;
    return n;
}

// Takes `n` buffers of class c with try_acquire; the test asserts they all succeed.
inline std::vector<buffer_lease> take(pool_shard& shard, buffer_class c, std::size_t n) {
    std::vector<buffer_lease> out;
    for (std::size_t i = 0; i < n; ++i)
        out.push_back(shard.try_acquire(c));
    return out;
}

} // namespace gw::alloc::test
