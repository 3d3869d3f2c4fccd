#pragma once
// What the admin listener reports: a snapshot gathered from every worker, and
// its renderings (Prometheus text format, the HTML stats page). Rendering is
// plain string building, tested without sockets.

#include <cstddef>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "gateway/observe/snapshot.hpp"

namespace gw {

// Prometheus text exposition format 0.0.4: HELP and TYPE for every family,
// base units (seconds, bytes), counters ending in _total.
std::string render_metrics(const gateway_snapshot& s, const config::gateway_config& cfg);

// A self-contained HTML page (no external assets) that refreshes itself every
// `refresh_seconds`.
std::string render_stats_page(const gateway_snapshot& s, const config::gateway_config& cfg,
                              unsigned refresh_seconds = 5);

} // namespace gw
