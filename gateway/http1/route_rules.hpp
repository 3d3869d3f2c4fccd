#pragma once
// A route's rules on the messages it passes (config route_config): its field
// rules on request and response heads, the prefix rewrite of the request's
// path, and the answers a route gives itself (a redirect, a fixed response),
// rendered into a buffer. Only for routes that have rules: a request on a
// route without any never comes here.

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include <boost/beast/http/fields.hpp>

#include "config/config.hpp"
#include "gateway/http1/message.hpp"

namespace gw {

// What a rule's %{variables} stand for in this exchange.
struct rule_values {
    std::string_view client_address;
    std::string_view request_id;
    std::string_view host;   // the Host field as sent
    std::string_view path;   // the request's path as the client sent it (no query)
    std::string_view scheme; // "http" or "https"
};

// Applies `rules` in their order (the config puts every remove first, then
// every set, then every add).
void apply_field_rules(boost::beast::http::fields& f, std::span<const config::header_rule> rules,
                       const rule_values& v);

// Whether the route changes the path it sends on.
inline bool rewrites_path(const config::route_config& r) noexcept {
    return r.strip_prefix || r.replace_prefix.has_value();
}

// `target` (which starts with the route's path_prefix) with that prefix
// removed (then at least "/") or replaced; the query is kept.
std::string rewrite_target(const config::route_config& r, std::string_view target);

// The path of an origin-form target (without its query).
std::string_view path_of(std::string_view target) noexcept;

// A redirect's Location: its scheme, host and path where it sets them, else
// the request's; the request's query kept.
std::string redirect_location(const config::redirect_config& r, std::string_view scheme,
                              std::string_view host, std::string_view target);

// Writes `h` and `body` (left out for HEAD, its length in Content-Length
// either way) into `out`; 0 when they do not fit in `capacity`.
std::size_t render_response(const response_head& h, std::string_view body, bool head_request, char* out,
                            std::size_t capacity) noexcept;

} // namespace gw
