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
    method_not_allowed,  // 405: CONNECT (the gateway is no forward proxy)
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
// This adds: repeated or list-valued Content-Length (400), a Transfer-Encoding
// that is not read strictly (read_transfer_codings), names chunked more than
// once or not last (400, section 6.3), codings other than chunked at all (501,
// we relay only chunked), and Transfer-Encoding on HTTP/1.0 (400, section 6.1).
reply_reason check_request_framing(const request_head& h) noexcept;

// The Transfer-Encoding fields read strictly: comma-separated bare tokens
// with optional whitespace around them. `valid` is false on anything else
// (an empty element, parameters, bytes outside tchar), which Beast's own
// reading might take differently from a server's.
struct transfer_codings {
    bool valid = true;
    std::size_t fields = 0;  // Transfer-Encoding fields
    std::size_t chunked = 0; // how often "chunked" appears
    std::size_t others = 0;  // codings other than chunked
    bool chunked_last = false;
};
transfer_codings read_transfer_codings(const boost::beast::http::fields& f) noexcept;

// Content-Length as RFC 9110 8.6 and 9112 6.3 allow without guessing: at most
// one field holding one number. Beast merges repeated fields and lists of the
// same value ("5, 5"); a server behind us might not, so those are refused too
// (nginx does the same). True when the head has none or exactly one.
bool single_content_length(const boost::beast::http::fields& f) noexcept;

// Whether a Connection field nominates a field the message's framing or the
// gateway's routing depends on (Content-Length, Transfer-Encoding, Host). RFC
// 9110 7.6.1 makes nominated fields hop-by-hop; removing those would change
// the message's boundaries for the next hop (request smuggling), so such a
// request gets 400 and, on a response, the nomination is ignored.
bool nominates_protected_field(const boost::beast::http::fields& f) noexcept;

// Host syntax (RFC 9110 7.2, RFC 3986 3.2.2): uri-host [":" port] with a
// reg-name, IPv4address or IP-literal, a port of 1-5 digits up to 65535; no
// userinfo, no whitespace, nothing empty.
bool valid_host(std::string_view value) noexcept;

// The request target and Host (RFC 9112 3.2): exactly one valid Host in
// HTTP/1.1 (at most one in 1.0), a target of visible ASCII in origin-form, or
// "*" for OPTIONS, or absolute-form with an http(s) authority. An absolute-form
// target's authority wins over Host (RFC 9112 3.2.2): the head is rewritten to
// origin-form with Host set from it, so the server and the router see one
// authority. CONNECT gets 405. Returns none when the head may go on.
reply_reason normalize_target_and_host(request_head& h);

// Framing of a parsed response head (RFC 9112 6.1, 6.3) that the gateway
// refuses to relay (502): Transfer-Encoding with Content-Length, repeated or
// list-valued Content-Length, Transfer-Encoding in an HTTP/1.0 response,
// transfer codings other than one lone chunked in one field, and a status
// outside 100-599 (Beast takes any three digits).
reply_reason check_response_framing(const response_head& h) noexcept;

// A response that has no body by its status (1xx, 204) but declares one
// (Transfer-Encoding or a non-zero Content-Length): the server may still send
// those bytes, so its connection must not go back to the pool.
bool declares_forbidden_body(const response_head& h) noexcept;

// Writes a Content-Length value without leading zeros ("007" -> "7"): the
// same number, in the one spelling no recipient could read as octal or as
// another length. Beast checked it is digits only.
void canonicalize_content_length(boost::beast::http::fields& f);

// 1xx and 204 responses have no body whatever their fields say (RFC 9112 6.3);
// a Content-Length or Transfer-Encoding on them (RFC 9110 8.6 forbids both
// there) is dropped before they are relayed, so no client reads one.
void drop_bodiless_framing(response_head& h);

// Whether a field may be relayed in a trailer section. RFC 9110 6.5.1 forbids
// fields that frame, route, authenticate or control the message there, and a
// recipient that merged one into the head could be misled (a trailer Host or
// Content-Length); the relay drops them.
bool allowed_in_trailer(std::string_view name) noexcept;

// Maps a parse error from Beast's request parser to the reply (400, 413 or 431).
reply_reason reason_for_parse_error(const boost::system::error_code& ec) noexcept;

// Removes hop-by-hop fields (RFC 9110 section 7.6.1): Connection and every field
// it names, Keep-Alive, Proxy-Connection, TE, Upgrade (unless kept for a tunnel),
// Proxy-Authenticate/-Authorization. Trailer stays: trailers are relayed. Transfer-Encoding is left alone:
// the serializer re-frames the body from the parsed message. A nomination of
// Content-Length, Transfer-Encoding or Host is ignored (see
// nominates_protected_field): the framing the relay uses always goes along.
void remove_hop_by_hop(boost::beast::http::fields& f, bool keep_upgrade);

struct forwarding_info {
    std::string_view client_address; // without port
    std::string_view proto;          // "http"
    std::string_view request_id;     // empty: keep the client's / don't add
    std::string_view default_host;   // Host for a request that has none (the server's address)
};

// Adds X-Forwarded-For (appended to an existing list), X-Forwarded-Proto,
// X-Forwarded-Host (the Host the client sent) and X-Request-Id (only when the
// client sent none). An HTTP/1.0 request without Host gets `default_host`:
// it goes upstream as HTTP/1.1, where Host is mandatory (RFC 9112 3.2).
void add_forwarding_fields(request_head& h, const forwarding_info& info);

// Every check a request head passes before it may go on (issue 12), in order:
// the raw bytes (raw_head_is_clean), the framing (check_request_framing), no
// Connection nomination of a framing field, then the target and Host, which
// it normalizes (normalize_target_and_host). `raw` is the head as received.
reply_reason check_request_head(std::string_view raw, request_head& h);

struct forward_plan {
    bool upgrade = false;          // Connection: upgrade + Upgrade: a tunnel may follow
    bool expects_continue = false; // the gateway answers 100 Continue itself
};

// Rewrites an accepted request head for the server: hop-by-hop fields out
// (Upgrade kept for an upgrade), Expect: 100-continue answered here and removed
// when a body follows (as nginx does), the forwarding fields in, and HTTP/1.0
// sent on as HTTP/1.1 with keep-alive.
forward_plan prepare_forward_head(request_head& h, bool has_body, const forwarding_info& info);

// Writes a head (start line, fields, empty line) to out[0, cap) as one
// contiguous block, as Beast's serializer would emit it in pieces; 0 when it
// does not fit. One buffer instead of four per field: cheaper to gather in user
// space and to copy in the kernel.
std::size_t serialize_head(const request_head& h, char* out, std::size_t cap) noexcept;
std::size_t serialize_head(const response_head& h, char* out, std::size_t cap) noexcept;

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
