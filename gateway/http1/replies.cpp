#include "gateway/http1/replies.hpp"

#include <cstdio>

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>

namespace gw {

namespace http = boost::beast::http;
using boost::beast::iequals;

http::status status_of(reply_reason r) noexcept {
    switch (r) {
    case reply_reason::none:
        return http::status::ok;
    case reply_reason::bad_request:
        return http::status::bad_request;
    case reply_reason::unauthorized:
        return http::status::unauthorized;
    case reply_reason::forbidden:
        return http::status::forbidden;
    case reply_reason::not_found:
        return http::status::not_found;
    case reply_reason::method_not_allowed:
        return http::status::method_not_allowed;
    case reply_reason::request_timeout:
        return http::status::request_timeout;
    case reply_reason::payload_too_large:
        return http::status::payload_too_large;
    case reply_reason::too_many_requests:
        return http::status::too_many_requests;
    case reply_reason::header_too_large:
        return http::status::request_header_fields_too_large;
    case reply_reason::internal_error:
        return http::status::internal_server_error;
    case reply_reason::not_implemented:
        return http::status::not_implemented;
    case reply_reason::bad_gateway:
        return http::status::bad_gateway;
    case reply_reason::service_unavailable:
        return http::status::service_unavailable;
    case reply_reason::gateway_timeout:
        return http::status::gateway_timeout;
    }
    return http::status::internal_server_error;
}

reply_reason reason_for_parse_error(const boost::system::error_code& ec) noexcept {
    if (ec == http::error::header_limit)
        return reply_reason::header_too_large;
    if (ec == http::error::body_limit)
        return reply_reason::payload_too_large;
    return reply_reason::bad_request;
}

std::size_t render_reply(reply_reason r, bool keep_alive, bool head_request, char* out,
                         std::size_t capacity, std::string_view extra) noexcept {
    const auto status = status_of(r);
    const auto reason = http::obsolete_reason(status);
    const unsigned code = static_cast<unsigned>(status);
    // Body: "503 Service Unavailable\n"; the gateway's replies are always this short.
    char body[96];
    const int body_len = std::snprintf(body, sizeof body, "%u %.*s\n", code,
                                       static_cast<int>(reason.size()), reason.data());
    const int n = std::snprintf(out, capacity,
                                "HTTP/1.1 %u %.*s\r\n"
                                "Content-Type: text/plain\r\n"
                                "Content-Length: %d\r\n"
                                "Cache-Control: no-store\r\n"
                                "Connection: %s\r\n"
                                "%.*s"
                                "\r\n"
                                "%s",
                                code, static_cast<int>(reason.size()), reason.data(), body_len,
                                keep_alive ? "keep-alive" : "close", static_cast<int>(extra.size()),
                                extra.data(), head_request ? "" : body);
    if (n < 0)
        return 0;
    return static_cast<std::size_t>(n) < capacity ? static_cast<std::size_t>(n) : capacity - 1;
}

std::size_t render_https_redirect(std::string_view host, unsigned port, std::string_view target,
                                  bool keep_alive, bool head_request, char* out,
                                  std::size_t capacity) noexcept {
    char port_text[8] = "";
    if (port != 443)
        std::snprintf(port_text, sizeof port_text, ":%u", port);
    static constexpr std::string_view body = "308 Permanent Redirect\n";
    const int n = std::snprintf(out, capacity,
                                "HTTP/1.1 308 Permanent Redirect\r\n"
                                "Location: https://%.*s%s%.*s\r\n"
                                "Content-Type: text/plain\r\n"
                                "Content-Length: %zu\r\n"
                                "Connection: %s\r\n"
                                "\r\n"
                                "%.*s",
                                static_cast<int>(host.size()), host.data(), port_text,
                                static_cast<int>(target.size()), target.data(), body.size(),
                                keep_alive ? "keep-alive" : "close",
                                head_request ? 0 : static_cast<int>(body.size()), body.data());
    if (n < 0 || static_cast<std::size_t>(n) >= capacity)
        return 0;
    return static_cast<std::size_t>(n);
}

} // namespace gw
