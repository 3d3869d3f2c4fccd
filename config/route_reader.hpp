// Internal to config/: reading [[routes]]: what a route matches, where it
// sends (a backend) or what it answers (a redirect, a fixed response), and the
// rules it applies on the way (the path's prefix, request and response fields).
#pragma once

#include <vector>

#include "config/config.hpp"
#include "config/context.hpp"
#include "config/reader.hpp"

namespace gw::config::detail {

void read_routes(table_reader& root, std::vector<route_config>& out, load_context& cx);

} // namespace gw::config::detail
