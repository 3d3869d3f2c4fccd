#pragma once
// Protocol decisions of the relay as plain functions over messages and bytes,
// tested without sockets (PRACTICE: the coroutines only move bytes and call these).

#include <cstdint>
#include <string>
#include <string_view>

#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/system/error_code.hpp>

namespace gw {

using request_head = boost::beast::http::request_header<>;
using response_head = boost::beast::http::response_header<>;

// Why the gateway answers a request itself; each maps to one status code.
enum class reply_reason {
    none,
    bad_request,         // 400: malformed or ambiguous request
    not_found,           // 404: no route and no default backend
    request_timeout,     // 408: the head did not arrive in time
    payload_too_large,   // 413: body larger than the listener's body_limit
    header_too_large,    // 431: head larger than buffers.size - buffers.maxrewrite
    not_implemented,     // 501: a transfer coding we do not relay
    bad_gateway,         // 502: connect refused, server reset or sent garbage
    service_unavailable, // 503: no usable server, queue full or queue timeout
    gateway_timeout,     // 504: the server did not answer in time
};

boost::beast::http::status status_of(reply_reason r) noexcept;

// Scans the raw request head (start line + fields + final CRLF) for what Beast's
// parser tolerates but RFC 9112 lets a proxy reject and we do: a bare CR or a bare
// LF (section 2.2) and obs-fold line folding (section 5.2). Returns true if clean.
bool raw_head_is_clean(std::string_view head) noexcept;

// Framing of a parsed request (RFC 9112 section 6): Beast already rejects
// Content-Length together with Transfer-Encoding and differing Content-Lengths.
// This adds: a Transfer-Encoding whose final coding is not chunked (400, section
// 6.3), codings other than chunked at all (501, we relay only chunked), and
// Transfer-Encoding on an HTTP/1.0 request (400, section 6.1).
reply_reason check_request_framing(const request_head& h) noexcept;

// Maps a parse error from Beast's request parser to the reply (400, 413 or 431).
reply_reason reason_for_parse_error(const boost::system::error_code& ec) noexcept;

// Removes hop-by-hop fields (RFC 9110 section 7.6.1): Connection and every field
// it names, Keep-Alive, Proxy-Connection, TE, Upgrade (unless kept for a tunnel),
// Proxy-Authenticate/-Authorization. Trailer stays: trailers are relayed. Transfer-Encoding is left alone:
// the serializer re-frames the body from the parsed message.
void remove_hop_by_hop(boost::beast::http::fields& f, bool keep_upgrade);

struct forwarding_info {
    std::string_view client_address; // without port
    std::string_view proto;          // "http"
    std::string_view request_id;     // empty: keep the client's / don't add
};

// Adds X-Forwarded-For (appended to an existing list), X-Forwarded-Proto,
// X-Forwarded-Host (the Host the client sent) and X-Request-Id (only when the
// client sent none), and makes sure the request has a Host field (HTTP/1.0).
void add_forwarding_fields(request_head& h, const forwarding_info& info);

// Whether the client connection stays open after this exchange: the request's
// keep-alive wish (HTTP/1.1 default on, 1.0 default off) and whether the
// response's framing lets us find its end.
bool client_keeps_alive(const request_head& req) noexcept;

// Whether the upgrade is one we tunnel (Connection: upgrade + Upgrade field).
bool is_upgrade_request(const request_head& req) noexcept;

// Builds a complete reply the gateway sends itself: status line, Content-Type,
// Content-Length, Connection and a one-line body, written into `out` (at most
// `capacity` bytes, which 256 always fits). Returns the bytes written.
std::size_t render_reply(reply_reason r, bool keep_alive, bool head_request, char* out,
                         std::size_t capacity) noexcept;

// A request id: 16 lower-case hex digits of `value` written to out[0..16).
void format_request_id(std::uint64_t value, char* out) noexcept;
inline constexpr std::size_t request_id_length = 16;

} // namespace gw
