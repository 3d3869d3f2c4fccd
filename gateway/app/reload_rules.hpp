#pragma once
// What a configuration reload may change while the gateway runs, and what it
// may not: settings fixed for the process (the worker count, the buffer pool,
// the admin listener, the access log's output) are read once at start, so a
// file that changes one of them is refused whole, naming the setting. (The
// proxy listeners may change: listener_slots.hpp.)

#include <string>

#include "config/config.hpp"

namespace gw {

// "" when `next` may replace `now`; else one line saying which setting changed
// and that it needs a restart.
std::string fixed_setting_change(const config::gateway_config& now, const config::gateway_config& next);

} // namespace gw
