#pragma once
// Per-client state shared by all workers: the connections a client address has
// open on a listener and its request rate's state (GCRA, the token bucket
// written as one timestamp), for listeners with client_connections,
// client_rate or the PROXY protocol.
//
// Memory is fixed at start: global.client_table_size entries of 48 bytes, in
// buckets of 8 (one spin lock each; an operation holds it for a few loads and
// stores). A new address takes a free entry of its bucket, else the least
// recently used entry that has no open connection. When every entry of its
// bucket holds connections, the address is not followed: its connection is
// admitted without a limit and counted (clients_untracked), so that a flood
// of distinct addresses can neither grow memory nor lock out the clients
// already followed. Like nginx's limit_req zones, an evicted address starts
// afresh.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "gateway/policy/client_address.hpp"

namespace gw::policy {

class client_table {
public:
    using clock_type = std::chrono::steady_clock;
    static constexpr std::uint32_t no_ticket = UINT32_MAX;
    static constexpr std::size_t bucket_size = 8;

    // `entries` rounded up to a power of two number of buckets.
    explicit client_table(std::size_t entries);
    client_table(const client_table&) = delete;
    client_table& operator=(const client_table&) = delete;

    struct admission {
        bool admitted = true;
        std::uint32_t ticket = no_ticket; // no_ticket: admitted but not followed (table full)
    };
    // A connection of `address` on listener slot `listener` opens; refused when
    // `limit` (0 = none) connections are open already. The ticket goes back
    // with close() when the connection ends.
    admission open(std::size_t listener, const client_address& address, std::size_t limit,
                   clock_type::time_point now) noexcept;
    void close(std::uint32_t ticket) noexcept;

    // A request on the ticket's connection, at `rate` per second with `burst`:
    // 0 when allowed, else the seconds until one would be (Retry-After, >= 1).
    unsigned take(std::uint32_t ticket, unsigned rate, unsigned burst,
                  clock_type::time_point now) noexcept;

    // The address the ticket follows (the PROXY protocol's, for a parked
    // connection that comes back).
    client_address address_of(std::uint32_t ticket) const noexcept;

    std::size_t capacity() const noexcept { return entries_; }
    std::size_t in_use() const noexcept { return used_.load(std::memory_order_relaxed); }
    std::uint64_t untracked() const noexcept { return untracked_.load(std::memory_order_relaxed); }
    std::uint64_t evicted() const noexcept { return evicted_.load(std::memory_order_relaxed); }
    std::size_t memory_bytes() const noexcept;

private:
    struct entry {
        std::uint8_t bytes[16];
        std::uint32_t listener;
        std::uint32_t connections;
        std::int64_t tat;       // GCRA's theoretical arrival time, ns (steady clock)
        std::int64_t last_used; // ns; the eviction order
        bool used;
        bool v6;
    };
    class bucket_lock;

    std::size_t bucket_of(std::size_t listener, const client_address& a) const noexcept;

    std::size_t entries_;
    std::size_t bucket_mask_;
    struct free_memory {
        void operator()(void* p) const noexcept;
    };
    // calloc'd: pages the kernel zeroes on first touch, so the table costs
    // resident memory only as far as addresses fill it.
    std::unique_ptr<entry[], free_memory> table_;
    std::unique_ptr<std::atomic<bool>[]> locks_;
    std::atomic<std::size_t> used_{0};
    std::atomic<std::uint64_t> untracked_{0};
    std::atomic<std::uint64_t> evicted_{0};
    std::uint64_t seed_;
};

} // namespace gw::policy
