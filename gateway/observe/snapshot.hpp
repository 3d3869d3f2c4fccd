#pragma once
// What the admin pages show: a copy of the gateway's state taken at one moment
// (app/ collects it, hopping onto each worker in turn), so that rendering
// reads plain values and knows neither workers nor atomics.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "alloc/pool_stats.hpp"
#include "config/config.hpp"
#include "gateway/observe/counters.hpp"

namespace gw {

struct server_snapshot {
    std::string name;
    std::string address; // "ip:port"
    unsigned weight = 1;        // now
    unsigned config_weight = 1; // the config's
    const char* state = "ready"; // what the operator said: ready, drain or maint
    std::size_t maxconn = 0; // 0 = unlimited
    std::size_t active = 0;
    bool up = true;
    std::uint64_t requests = 0;
    std::uint64_t connects = 0;
    std::uint64_t health_checks = 0;
    std::uint64_t connect_failures = 0;
    bool ejected = false;          // passive health: out of rotation now
    std::uint64_t ejections = 0;   // times it was ejected
};

struct backend_snapshot {
    std::string name;
    std::size_t queued = 0;
    std::uint64_t queue_timeouts = 0;
    std::uint64_t retries_over_budget = 0;
    std::vector<server_snapshot> servers;
};

// A certificate a TLS listener serves.
struct certificate_snapshot {
    std::size_t listener = 0;
    std::string file;
    std::string name;     // its first DNS name
    std::string key_type; // "rsa", "ecdsa", ...
    std::int64_t not_after = 0; // expiry, seconds since 1970
};

// A server entry that follows a DNS name (config [dns]).
struct dns_name_snapshot {
    std::string backend;
    std::string server; // the entry's name
    std::string name;   // the name asked (host or SRV)
    std::vector<std::string> addresses; // its servers' addresses now
    std::uint64_t resolutions = 0;      // answers received
    std::uint64_t failures = 0;         // questions that failed
    std::int64_t last_success = 0;      // seconds since 1970; 0 = never
    std::string last_error;             // of the last failure ("" = none yet)
};

struct gateway_snapshot {
    // The configuration the snapshot was taken under: its names label the
    // listeners' and backends' figures (same order).
    std::shared_ptr<const config::gateway_config> config;
    std::vector<alloc::pool_stats> pools; // one per worker
    alloc::pool_stats pool;               // their sum
    worker_counters counters;             // summed over workers
    std::size_t sessions = 0;             // open client connections
    std::size_t parked = 0;               // of which parked (idle, no session)
    bool draining = false;
    std::vector<std::size_t> open_connections; // per listener
    std::vector<backend_snapshot> backends;    // in config order
    std::vector<certificate_snapshot> certificates; // of every TLS listener
    bool ktls_available = false;                    // the kernel offers TLS offload
    std::vector<std::uint64_t> tls_reloads;         // per listener: certificate reloads done
    std::vector<std::uint64_t> tls_reload_failures; // per listener: refused (old ones kept)
    std::vector<dns_name_snapshot> dns;             // every name followed
    // The per-client table (policy/client_table): entries in use, its size,
    // connections not followed (a full bucket), addresses evicted.
    std::size_t client_entries = 0, client_capacity = 0;
    std::uint64_t clients_untracked = 0, clients_evicted = 0;
    std::uint64_t generation = 1;                   // the configuration's: 1 at start, +1 per reload
    std::uint64_t reloads = 0, reload_failures = 0; // configuration reloads done, refused
    std::int64_t last_reload = 0;                   // when one last took effect (seconds since 1970; 0 = never)
};

} // namespace gw
