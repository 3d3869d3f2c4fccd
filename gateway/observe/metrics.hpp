#pragma once
// What the admin listener reports: a snapshot gathered from every worker, and
// its renderings (Prometheus text format, the HTML stats page). Rendering is
// plain string building, tested without sockets.

#include <cstddef>
#include <string>
#include <vector>

#include "alloc/pool_stats.hpp"
#include "gateway/observe/counters.hpp"

namespace gw {

struct shared_state;

struct gateway_snapshot {
    std::vector<alloc::pool_stats> pools; // one per worker
    alloc::pool_stats pool;               // their sum
    worker_counters counters;             // summed over workers
    std::size_t sessions = 0;             // open client connections
    std::size_t parked = 0;               // of which parked (idle, no session)
    bool draining = false;
};

// Prometheus text exposition format 0.0.4: HELP and TYPE for every family,
// base units (seconds, bytes), counters ending in _total.
std::string render_metrics(const gateway_snapshot& s, const shared_state& shared);

// A self-contained HTML page (no external assets) that refreshes itself every
// `refresh_seconds`.
std::string render_stats_page(const gateway_snapshot& s, const shared_state& shared,
                              unsigned refresh_seconds = 5);

} // namespace gw
