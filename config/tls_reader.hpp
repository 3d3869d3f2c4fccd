// Internal to config/: reading a listener's TLS settings ([listeners.tls],
// [[listeners.tls.certificates]]) and its redirect to HTTPS. Only the settings
// and the paths: the certificates themselves are loaded by the gateway
// (gateway/tls/), which reports a file that fails at the position kept here.
#pragma once

#include "config/config.hpp"
#include "config/context.hpp"
#include "config/reader.hpp"

namespace gw::config::detail {

// Reads `listener`'s tls table (if any), redirect_https and https_port into `l`.
void read_listener_tls(table_reader& listener, listener_config& l, load_context& cx);

} // namespace gw::config::detail
