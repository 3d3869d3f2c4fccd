// Internal to config/: who may connect and how much: a listener's access rules,
// trusted proxies, PROXY protocol and per-client limits, and a route's access
// rules.
#pragma once

#include "config/config.hpp"
#include "config/reader.hpp"

namespace gw::config::detail {

void read_listener_clients(table_reader& listener, listener_config& l);
void read_access_rules(table_reader& r, network_list& allow, network_list& deny);

} // namespace gw::config::detail
