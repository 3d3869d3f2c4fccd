#pragma once
// Active health checks: one coroutine per checked server, on worker 0, sending
// `GET <path>` on a fresh connection every interval. `rise` consecutive answers
// with the expected status mark the server up, `fall` consecutive failures mark
// it down (no new requests go to it). Transitions are logged to stderr.

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "config/config.hpp"
#include "gateway/io/drain.hpp"
#include "gateway/upstream/backend.hpp"

namespace gw {

namespace tls {
class client_context;
}

// The status code of an HTTP/1.x status line ("HTTP/1.1 200 OK\r\n..."), or
// nullopt when `head` does not start with one.
std::optional<unsigned> parse_status_line(std::string_view head) noexcept;

// Checks `server` of backend `backend` as `hc` says until `drain` drains or the
// server leaves its backend (retired); runs on the executor it is spawned on
// (worker 0's). A server with TLS is checked over TLS (`tls`: the backend's
// client context, held by the check). `preface`: sent first on each check's
// connection (a PROXY header that speaks for the gateway itself, when the
// backend sends the PROXY protocol: its servers expect one on every connection).
boost::asio::awaitable<void> run_health_check(std::string backend, config::health_check_config hc,
                                              server_ptr server, std::shared_ptr<const tls::client_context> tls,
                                              drain_registry* drain, std::string preface = {});

} // namespace gw
