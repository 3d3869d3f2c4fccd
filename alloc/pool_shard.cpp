#include "alloc/pool_shard.hpp"

#include <cstring>
#include <new>
#include <stdexcept>
#include <string>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define GW_POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define GW_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define GW_POISON(p, n) ((void)(p), (void)(n))
#define GW_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

namespace gw::alloc {

namespace {
// Cache-line aligned, so that two buffers never share a line across workers.
constexpr std::align_val_t buffer_alignment{64};
} // namespace

pool_shard::pool_shard(const pool_limits& limits) : limits_(limits) {
    if (limits_.buffer_size < sizeof(std::byte*))
        throw std::invalid_argument("buffer size must be at least " +
                                    std::to_string(sizeof(std::byte*)) + " bytes");
    if (limits_.limit != 0 && limits_.limit < limits_.reserve + 1)
        throw std::invalid_argument("a pool shard needs at least reserve + 1 = " +
                                    std::to_string(limits_.reserve + 1) + " buffers (got " +
                                    std::to_string(limits_.limit) + ")");
}

pool_shard::~pool_shard() {
    // Nobody may wait forever on a shard that is gone: complete every waiter.
    for (auto& q : queues_) {
        while (!q.empty()) {
            pool_waiter& w = q.pop_front();
            w.state_ = pool_waiter::state::idle;
            w.on_shard_gone(false);
        }
    }
    while (!resumed_.empty()) {
        pool_waiter& w = resumed_.pop_front();
        w.state_ = pool_waiter::state::idle;
        w.on_shard_gone(true);
    }
    assert(used_ == 0 && "every buffer_lease must be given back before its shard dies");
    while (free_list_ != nullptr) {
        std::byte* b = free_list_;
        free_list_ = pop_cached(b);
        ::operator delete(b, buffer_alignment);
    }
}

void pool_shard::wait(pool_waiter& w) noexcept {
    assert(w.state_ == pool_waiter::state::idle);
    const auto c = static_cast<std::size_t>(w.wanted());
    w.state_ = pool_waiter::state::queued;
    w.ticket_ = next_ticket_++;
    queues_[c].push_back(w);
    ++waits_[c];
}

buffer_lease pool_shard::finish_resume(pool_waiter& w) noexcept {
    assert(w.state_ == pool_waiter::state::resumed);
    // A promise (reserve-aware) is honoured unconditionally: it was checked against
    // the margin when it was made, and newcomers cannot take promised buffers, so
    // free >= pending holds here. The naive strategies promise nothing and retry.
    const bool promised_buffer = limits_.strategy == wake_strategy::reserve_aware;
    assert(!promised_buffer || free_count() >= pending_);
    resumed_.erase(w);
    --pending_;
    std::byte* b = nullptr;
    if (promised_buffer || fits(w.wanted(), 0))
        b = take_buffer();
    if (b != nullptr) {
        w.state_ = pool_waiter::state::idle;
        return buffer_lease(this, b);
    }
    // A wasted wake-up: back into its queue, keeping its turn (several losers of
    // one wake-all go back in their arrival order).
    ++failed_resumes_;
    w.state_ = pool_waiter::state::queued;
    queues_[static_cast<std::size_t>(w.wanted())].insert_by_ticket(w);
    return {};
}

bool pool_shard::cancel(pool_waiter& w) noexcept {
    switch (w.state_) {
    case pool_waiter::state::queued:
        queues_[static_cast<std::size_t>(w.wanted())].erase(w);
        w.state_ = pool_waiter::state::idle;
        ++cancels_;
        // The head may have been what held the others back.
        if (!queues_[0].empty() || !queues_[1].empty())
            offer();
        return true;
    case pool_waiter::state::resumed:
        resumed_.erase(w);
        --pending_;
        w.state_ = pool_waiter::state::idle;
        ++cancels_;
        // Its promise is free again: offer it as if the buffer had been released.
        if (!queues_[0].empty() || !queues_[1].empty())
            offer();
        return false;
    case pool_waiter::state::idle:
        break;
    }
    return false;
}

void pool_shard::offer() noexcept {
    switch (limits_.strategy) {
    case wake_strategy::reserve_aware:
        offer_reserve_aware();
        return;
    case wake_strategy::per_release:
        // One waiter for one released buffer, critical first, whatever it needs.
        for (auto& q : queues_) {
            if (!q.empty()) {
                resume(q.pop_front());
                return;
            }
        }
        return;
    case wake_strategy::wake_all:
        for (auto& q : queues_)
            while (!q.empty())
                resume(q.pop_front());
        return;
    }
}

// The seed's rule, with the count of woken-but-not-yet-run coroutines standing in
// for HAProxy's run queue: wake at most free - reserve/2 - pending waiters, critical
// first, and only those whose allocation will succeed (a normal waiter only while
// the reserve stays whole). Each wake promises one buffer.
void pool_shard::offer_reserve_aware() noexcept {
    const std::size_t f = free_count();
    const std::size_t keep = limits_.reserve / 2 + pending_;
    std::size_t budget = f > keep ? f - keep : 0;
    while (budget > 0) {
        waiter_list* q = !queues_[0].empty() ? &queues_[0]
                         : !queues_[1].empty() ? &queues_[1]
                                               : nullptr;
        if (q == nullptr || !fits(q->front()->wanted(), pending_))
            return; // a critical head that cannot fit means no normal one can either
        resume(q->pop_front());
        --budget;
    }
}

void pool_shard::resume(pool_waiter& w) noexcept {
    w.state_ = pool_waiter::state::resumed;
    resumed_.push_back(w);
    ++pending_;
    ++resumes_;
    w.on_resume();
}

std::byte* pool_shard::allocate_new() noexcept {
    if (bounded() && allocated_ >= limits_.limit)
        return nullptr; // cannot happen while used_ is within the limit
    auto* b = static_cast<std::byte*>(
        ::operator new(limits_.buffer_size, buffer_alignment, std::nothrow));
    if (b != nullptr)
        ++allocated_;
    return b;
}

// Cached buffers keep the link to the next one in their first bytes; the rest is
// poisoned under ASan so that a write through a released lease is caught.
std::byte* pool_shard::pop_cached(std::byte* b) noexcept {
    GW_UNPOISON(b, limits_.buffer_size);
    std::byte* next = nullptr;
    std::memcpy(&next, b, sizeof next);
    return next;
}

void pool_shard::push_cached(std::byte* b) noexcept {
    std::memcpy(b, &free_list_, sizeof free_list_);
    free_list_ = b;
    GW_POISON(b, limits_.buffer_size);
}

pool_stats pool_shard::stats() const noexcept {
    pool_stats s;
    s.buffer_size = limits_.buffer_size;
    s.limit = limits_.limit;
    s.reserve = limits_.reserve;
    s.used = used_;
    s.free = bounded() ? limits_.limit - used_ : allocated_ - used_;
    s.allocated = allocated_;
    s.high_water = high_water_;
    s.acquires = acquires_;
    s.reserve_acquires = reserve_acquires_;
    for (std::size_t c = 0; c < buffer_class_count; ++c) {
        s.waits[c] = waits_[c];
        s.waiters[c] = queues_[c].size();
    }
    s.resumes = resumes_;
    s.failed_resumes = failed_resumes_;
    s.resumed_pending = pending_;
    s.cancels = cancels_;
    return s;
}

} // namespace gw::alloc
