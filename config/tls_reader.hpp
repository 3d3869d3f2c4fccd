// Internal to config/: reading a listener's TLS settings ([listeners.tls],
// [[listeners.tls.certificates]]) and its redirect to HTTPS. Only the settings
// and the paths: the certificates themselves are loaded by the gateway
// (gateway/tls/), which reports a file that fails at the position kept here.
#pragma once

#include "config/config.hpp"
#include "config/context.hpp"
#include "config/reader.hpp"

namespace gw::config::detail {

// Reads a file name (relative: beside the configuration) with where the
// config names it, for a file the gateway loads itself; "" is refused.
bool read_file(table_reader& r, std::string_view key, file_setting& out, load_context& cx);

// Reads `listener`'s tls table (if any), redirect_https and https_port into `l`.
void read_listener_tls(table_reader& listener, listener_config& l, load_context& cx);

// Reads a backend's tls_* keys into `b.tls`.
void read_backend_tls(table_reader& backend, backend_config& b, load_context& cx);
// Reads a server's tls and tls_server_name, and resolves what TLS the server
// gets (its own settings, else its backend's, else its address) into `s`.
void read_server_tls(table_reader& server, const backend_config& b, server_config& s, load_context& cx);

} // namespace gw::config::detail
