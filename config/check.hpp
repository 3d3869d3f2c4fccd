// `gateway --check FILE`: validate a configuration without starting anything.
#pragma once

#include <ostream>
#include <string>

namespace gw::config {

// Loads the file at `path`. On failure writes every error, one line each
// ("file:line:col: message", sorted by position) to `err` and returns 2. On success writes
// a short summary (workers, admin, buffers, listeners, backends with their servers,
// routes) to `out` and returns 0. Never throws (apart from what the streams throw).
int run_check(const std::string& path, std::ostream& out, std::ostream& err);

} // namespace gw::config
