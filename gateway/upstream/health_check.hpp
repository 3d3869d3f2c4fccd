#pragma once
// Active health checks: one coroutine per checked server, on worker 0, sending
// `GET <path>` on a fresh connection every interval. `rise` consecutive answers
// with the expected status mark the server up, `fall` consecutive failures mark
// it down (no new requests go to it). Transitions are logged to stderr.

#include <cstddef>
#include <optional>
#include <string_view>

#include <boost/asio/awaitable.hpp>

namespace gw {

class worker;

// The status code of an HTTP/1.x status line ("HTTP/1.1 200 OK\r\n..."), or
// nullopt when `head` does not start with one.
std::optional<unsigned> parse_status_line(std::string_view head) noexcept;

// Checks server `server` of backend `backend` until the worker drains.
boost::asio::awaitable<void> run_health_check(worker* w, std::size_t backend, std::size_t server);

} // namespace gw
