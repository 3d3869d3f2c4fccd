#pragma once
// What the gateway changes in a head on its way through: hop-by-hop fields
// out (RFC 9110 7.6.1), forwarding fields in, and the keep-alive and upgrade
// reading of Connection.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include <boost/beast/http/fields.hpp>

#include "gateway/http1/message.hpp"

namespace gw {

// Whether a Connection field nominates a field the message's framing or the
// gateway's routing depends on (Content-Length, Transfer-Encoding, Host). RFC
// 9110 7.6.1 makes nominated fields hop-by-hop; removing those would change
// the message's boundaries for the next hop (request smuggling), so such a
// request gets 400 and, on a response, the nomination is ignored.
bool nominates_protected_field(const boost::beast::http::fields& f) noexcept;

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
    // The client is a trusted proxy (listener.trusted_proxies): its
    // X-Forwarded-For is extended; anyone else's is replaced.
    bool trusted_proxy = false;
};

// Adds X-Forwarded-For (appended to the list a trusted proxy sent, else
// replacing whatever the client sent), X-Forwarded-Proto,
// X-Forwarded-Host (the Host the client sent) and X-Request-Id (only when the
// client sent none). An HTTP/1.0 request without Host gets `default_host`:
// it goes upstream as HTTP/1.1, where Host is mandatory (RFC 9112 3.2).
void add_forwarding_fields(request_head& h, const forwarding_info& info);

// Whether the client connection stays open after this exchange: the request's
// keep-alive wish (HTTP/1.1 default on, 1.0 default off) and whether the
// response's framing lets us find its end.
bool client_keeps_alive(const request_head& req) noexcept;

// Whether the upgrade is one we tunnel (Connection: upgrade + Upgrade field).
bool is_upgrade_request(const request_head& req) noexcept;

// A request id: 16 lower-case hex digits of `value` written to out[0..16).
void format_request_id(std::uint64_t value, char* out) noexcept;
inline constexpr std::size_t request_id_length = 16;

} // namespace gw
