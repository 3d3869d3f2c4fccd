#pragma once
// A snapshot of a pool shard's counters. Taken on the shard's own thread (the
// admin code posts to each worker to collect them), so the counters themselves
// are plain integers: no atomics on the allocation path.

#include <array>
#include <cstddef>
#include <cstdint>

#include "alloc/buffer_class.hpp"

namespace gw::alloc {

struct pool_stats {
    std::size_t buffer_size = 0;
    std::size_t limit = 0;      // 0 = unbounded
    std::size_t reserve = 0;
    std::size_t used = 0;       // buffers handed out now
    std::size_t free = 0;       // limit - used (for an unbounded pool: cached, allocated but idle)
    std::size_t allocated = 0;  // buffers whose memory exists (used + cached)
    std::size_t high_water = 0; // most buffers ever used at once
    std::uint64_t acquires = 0; // successful allocations, waited for or not
    std::uint64_t reserve_acquires = 0;  // allocations that left fewer than `reserve` free
    std::array<std::uint64_t, buffer_class_count> waits{};  // times a coroutine had to wait
    std::array<std::size_t, buffer_class_count> waiters{};  // queued now
    std::uint64_t resumes = 0;        // waiters woken
    std::uint64_t failed_resumes = 0; // woken waiters that found no buffer and queued again
    std::size_t resumed_pending = 0;  // woken, not yet run
    std::uint64_t cancels = 0;        // waiters that left before being served

    std::uint64_t waits_total() const noexcept { return waits[0] + waits[1]; }
    std::size_t waiters_total() const noexcept { return waiters[0] + waiters[1]; }

    // Adds another shard's snapshot (limits and counts add up; high_water is the sum
    // of the shards' high-water marks, an upper bound of the pool's).
    pool_stats& operator+=(const pool_stats& o) noexcept;
};

} // namespace gw::alloc
