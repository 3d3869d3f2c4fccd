#pragma once
// The one map from why the gateway answers a request itself to what it sends:
// the status, and the reply's bytes (a short, complete, correctly framed message).

#include <cstddef>
#include <string_view>

#include <boost/beast/http/status.hpp>
#include <boost/system/error_code.hpp>

namespace gw {

// Why the gateway answers a request itself; each maps to one status code.
enum class reply_reason {
    none,
    bad_request,         // 400: malformed or ambiguous request
    unauthorized,        // 401: a route's basic_auth wants credentials
    forbidden,           // 403: an access rule refused the client's address
    not_found,           // 404: no route and no default backend
    method_not_allowed,  // 405: CONNECT (the gateway is no forward proxy)
    request_timeout,     // 408: the head did not arrive in time
    payload_too_large,   // 413: body larger than the listener's body_limit
    too_many_requests,   // 429: the client's request rate is over its listener's client_rate
    header_too_large,    // 431: head larger than buffers.size - buffers.maxrewrite
    internal_error,      // 500: a route's own answer did not fit in a buffer
    not_implemented,     // 501: a transfer coding we do not relay
    bad_gateway,         // 502: connect refused, server reset or sent garbage
    service_unavailable, // 503: no usable server, queue full or queue timeout
    gateway_timeout,     // 504: the server did not answer in time
};

boost::beast::http::status status_of(reply_reason r) noexcept;

// Maps a parse error from Beast's request parser to the reply (400, 413 or 431).
reply_reason reason_for_parse_error(const boost::system::error_code& ec) noexcept;

// Builds a complete reply the gateway sends itself: status line, Content-Type,
// Content-Length, Connection and a one-line body, written into `out` (at most
// `capacity` bytes, which 256 always fits besides `extra`). `extra`: whole
// field lines to add ("Retry-After: 2\r\n"). Returns the bytes written.
std::size_t render_reply(reply_reason r, bool keep_alive, bool head_request, char* out,
                         std::size_t capacity, std::string_view extra = {}) noexcept;

// A 308 Permanent Redirect to `https://host[:port]target` (the port left out
// when 443; `host` without its port), written into `out`; 0 when it does not
// fit in `capacity`. 308 keeps the method and body, unlike 301.
std::size_t render_https_redirect(std::string_view host, unsigned port, std::string_view target,
                                  bool keep_alive, bool head_request, char* out,
                                  std::size_t capacity) noexcept;

} // namespace gw
