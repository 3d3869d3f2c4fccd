#pragma once
// The TLS side of start-up: one server context per TLS listener (certificates
// loaded and checked), what `--check` reports of them, and whether the kernel
// offers TLS offload.

#include <memory>
#include <ostream>
#include <vector>

#include "config/config.hpp"
#include "gateway/tls/client_context.hpp"
#include "gateway/tls/server_context.hpp"

namespace gw {

using tls_contexts = std::vector<std::shared_ptr<tls::server_context>>;
using upstream_tls_contexts = std::vector<std::shared_ptr<tls::client_context>>;

// Per listener, in config order: its context, or null for a plain listener.
// Throws tls::load_error, one line naming the setting, the file and the reason.
tls_contexts make_tls_contexts(const config::gateway_config& cfg);

// Per backend, in config order: TLS to its servers, or null when none of them
// has TLS. Throws tls::load_error like make_tls_contexts.
upstream_tls_contexts make_upstream_tls(const config::gateway_config& cfg);

// For `--check`: loads every certificate, key and CA file of the listeners and
// the backends; prints one line per TLS listener to `out` (its certificates,
// names and expiry) or the first failure to `err`. False when one failed.
bool check_tls(const config::gateway_config& cfg, std::ostream& out, std::ostream& err);

// Whether the kernel offers kernel TLS (the `tls` upper-layer protocol is
// listed in /proc/sys/net/ipv4/tcp_available_ulp). The gateway reports it; it
// does not use it yet (docs/tls-research.md, section 2).
bool ktls_available();

} // namespace gw
