#pragma once
// The error log: operational messages on stderr (a container's convention),
// filtered by logging.level. Rare events only (start, stop, servers going up or
// down, escaped exceptions): never called per request.

#include <string_view>

#include "config/config.hpp"

namespace gw {

// Sets the lowest level written; messages below it are dropped. Start-up only.
void set_error_log_level(config::log_level level) noexcept;

// Writes "gateway: <level>: <message>\n" in one write(2), so lines from
// different threads never interleave.
void error_log(config::log_level level, std::string_view message) noexcept;

} // namespace gw
