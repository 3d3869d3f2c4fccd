#include "gateway/http_rules.hpp"

#include <array>
#include <cstdio>
#include <cstring>

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/rfc7230.hpp>

namespace gw {

namespace http = boost::beast::http;
using boost::beast::iequals;

http::status status_of(reply_reason r) noexcept {
    switch (r) {
    case reply_reason::none:
        return http::status::ok;
    case reply_reason::bad_request:
        return http::status::bad_request;
    case reply_reason::not_found:
        return http::status::not_found;
    case reply_reason::request_timeout:
        return http::status::request_timeout;
    case reply_reason::payload_too_large:
        return http::status::payload_too_large;
    case reply_reason::header_too_large:
        return http::status::request_header_fields_too_large;
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

bool raw_head_is_clean(std::string_view head) noexcept {
    for (std::size_t i = 0; i < head.size(); ++i) {
        const char c = head[i];
        if (c == '\r') {
            if (i + 1 >= head.size() || head[i + 1] != '\n')
                return false; // bare CR
        } else if (c == '\n') {
            if (i == 0 || head[i - 1] != '\r')
                return false; // bare LF
            // obs-fold: a line that starts with SP or HTAB continues the previous one.
            if (i + 1 < head.size() && (head[i + 1] == ' ' || head[i + 1] == '\t'))
                return false;
        }
    }
    return true;
}

reply_reason check_request_framing(const request_head& h) noexcept {
    const auto te = h.find(http::field::transfer_encoding);
    if (te == h.end())
        return reply_reason::none;
    if (h.version() < 11)
        return reply_reason::bad_request; // RFC 9112 6.1: no TE before HTTP/1.1
    bool last_is_chunked = false;
    bool other_coding = false;
    std::size_t count = 0;
    for (auto it = te; it != h.end() && it->name() == http::field::transfer_encoding; ++it) {
        for (auto coding : http::token_list{it->value()}) {
            ++count;
            last_is_chunked = iequals(coding, "chunked");
            if (!last_is_chunked)
                other_coding = true;
        }
    }
    if (count == 0 || !last_is_chunked)
        return reply_reason::bad_request; // RFC 9112 6.3: length cannot be determined
    if (other_coding)
        return reply_reason::not_implemented;
    return reply_reason::none;
}

reply_reason reason_for_parse_error(const boost::system::error_code& ec) noexcept {
    if (ec == http::error::header_limit)
        return reply_reason::header_too_large;
    if (ec == http::error::body_limit)
        return reply_reason::payload_too_large;
    return reply_reason::bad_request;
}

void remove_hop_by_hop(http::fields& f, bool keep_upgrade) {
    // Fields named by Connection are hop-by-hop too (RFC 9110 7.6.1).
    if (auto c = f.find(http::field::connection); c != f.end()) {
        for (auto it = c; it != f.end() && it->name() == http::field::connection;) {
            for (auto name : http::token_list{it->value()}) {
                if (keep_upgrade && iequals(name, "upgrade"))
                    continue;
                if (!iequals(name, "connection"))
                    f.erase(name);
            }
            it = f.erase(it);
        }
    }
    f.erase(http::field::keep_alive);
    f.erase("Proxy-Connection");
    f.erase(http::field::te);
    f.erase(http::field::proxy_authenticate);
    f.erase(http::field::proxy_authorization);
    if (!keep_upgrade)
        f.erase(http::field::upgrade);
    else
        f.set(http::field::connection, "upgrade");
}

void add_forwarding_fields(request_head& h, const forwarding_info& info) {
    if (auto xff = h.find("X-Forwarded-For"); xff != h.end()) {
        // Append to the chain the previous proxies built (one field, comma list).
        std::string chain(xff->value());
        chain.append(", ").append(info.client_address);
        h.set("X-Forwarded-For", chain);
    } else {
        h.set("X-Forwarded-For", info.client_address);
    }
    h.set("X-Forwarded-Proto", info.proto);
    if (auto host = h.find(http::field::host); host != h.end())
        h.set("X-Forwarded-Host", host->value());
    if (!info.request_id.empty() && h.find("X-Request-Id") == h.end())
        h.set("X-Request-Id", info.request_id);
}

bool client_keeps_alive(const request_head& req) noexcept {
    // RFC 9112 9.3: HTTP/1.1 persists unless "close"; HTTP/1.0 only with "keep-alive".
    bool close = false, keep = false;
    for (auto it = req.find(http::field::connection);
         it != req.end() && it->name() == http::field::connection; ++it)
        for (auto token : http::token_list{it->value()}) {
            close = close || iequals(token, "close");
            keep = keep || iequals(token, "keep-alive");
        }
    return req.version() >= 11 ? !close : keep && !close;
}

bool is_upgrade_request(const request_head& req) noexcept {
    if (req.find(http::field::upgrade) == req.end())
        return false;
    for (auto it = req.find(http::field::connection);
         it != req.end() && it->name() == http::field::connection; ++it)
        for (auto token : http::token_list{it->value()})
            if (iequals(token, "upgrade"))
                return true;
    return false;
}

std::size_t render_reply(reply_reason r, bool keep_alive, bool head_request, char* out,
                         std::size_t capacity) noexcept {
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
                                "\r\n"
                                "%s",
                                code, static_cast<int>(reason.size()), reason.data(), body_len,
                                keep_alive ? "keep-alive" : "close", head_request ? "" : body);
    if (n < 0)
        return 0;
    return static_cast<std::size_t>(n) < capacity ? static_cast<std::size_t>(n) : capacity - 1;
}

void format_request_id(std::uint64_t value, char* out) noexcept {
    static constexpr char digits[] = "0123456789abcdef";
    for (std::size_t i = 0; i < request_id_length; ++i)
        out[request_id_length - 1 - i] = digits[(value >> (4 * i)) & 0xf];
}

} // namespace gw
