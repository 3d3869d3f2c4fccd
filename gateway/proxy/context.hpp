#pragma once
// What a client session reaches of its worker, handed in as one struct so that
// proxy/ never includes the worker (app/): the configuration generations, the
// upstream side, the worker's pool shard, pipes, parking lot, counters and access log,
// and the few things only the worker itself can do (session_host).
// One per worker, touched by that worker's thread only.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "alloc/pool_shard.hpp"
#include "config/config.hpp"
#include "gateway/io/parking.hpp"
#include "gateway/io/pipe_pool.hpp"
#include "gateway/observe/access_log.hpp"
#include "gateway/observe/counters.hpp"
#include "gateway/policy/client_table.hpp"
#include "gateway/proxy/generation.hpp"
#include "gateway/proxy/router.hpp"
#include "gateway/tls/server_context.hpp"
#include "gateway/upstream/connector.hpp"

namespace gw {

class session_link;

// The worker, as its sessions see it.
class session_host {
public:
    // Sessions register themselves so that drain and abort can reach them.
    virtual void add(session_link& s) noexcept = 0;
    virtual void remove(session_link& s) noexcept = 0;
    // A client connection of listener `l` closed (it leaves max_connections).
    virtual void connection_closed(std::size_t l) = 0;
    virtual bool draining() const noexcept = 0;

protected:
    ~session_host() = default;
};

struct proxy_context {
    // The configuration generations this worker's exchanges use; an exchange
    // takes a lease on the current one (generation.hpp).
    generation_holder generations;
    upstream_context upstream;
    alloc::pool_shard& shard;
    pipe_pool& pipes;
    parking_lot& parking;
    worker_counters& counters;
    access_log& log;
    session_host& host;
    // Request ids: unique per process (a random base per worker, then a sequence).
    std::uint64_t request_id_base = 0;
    std::uint64_t request_seq = 0;
    std::uint64_t next_request_id() noexcept { return request_id_base + ++request_seq; }
    // 64 random bits (splitmix64 over the worker's seed): trace and span ids.
    std::uint64_t random_state = 0;
    std::uint64_t next_random() noexcept {
        std::uint64_t z = (random_state += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
    // Per-client connections and rates, shared by the workers (null: no
    // per-client state, as in the exchange tests).
    policy::client_table* clients = nullptr;
};

} // namespace gw
