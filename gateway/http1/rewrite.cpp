#include "gateway/http1/rewrite.hpp"

#include <string>

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/rfc7230.hpp>

namespace gw {

namespace http = boost::beast::http;
using boost::beast::iequals;

namespace {

bool is_forwarded_for(std::string_view name) noexcept {
    return iequals(name, "x-forwarded-for");
}

bool is_protected(std::string_view name) noexcept {
    return iequals(name, "content-length") || iequals(name, "transfer-encoding") ||
           iequals(name, "host");
}

} // namespace

bool nominates_protected_field(const http::fields& f) noexcept {
    for (auto it = f.find(http::field::connection);
         it != f.end() && it->name() == http::field::connection; ++it)
        for (auto name : http::token_list{it->value()})
            if (is_protected(name))
                return true;
    return false;
}

void remove_hop_by_hop(http::fields& f, bool keep_upgrade) {
    // Fields named by Connection are hop-by-hop too (RFC 9110 7.6.1).
    if (auto c = f.find(http::field::connection); c != f.end()) {
        for (auto it = c; it != f.end() && it->name() == http::field::connection;) {
            for (auto name : http::token_list{it->value()}) {
                if (keep_upgrade && iequals(name, "upgrade"))
                    continue;
                if (!iequals(name, "connection") && !is_protected(name))
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
    if (auto xff = h.find("X-Forwarded-For"); xff != h.end() && info.trusted_proxy) {
        // Append to the chain the previous proxies built: every field line of
        // it, in order, as one comma list (RFC 9110 5.3).
        std::string chain;
        for (; xff != h.end() && is_forwarded_for(xff->name_string()); ++xff) {
            chain.append(xff->value());
            chain.append(", ");
        }
        chain.append(info.client_address);
        h.set("X-Forwarded-For", chain);
    } else { // (set replaces every line a client sent: only ours goes on)
        h.set("X-Forwarded-For", info.client_address);
    }
    h.set("X-Forwarded-Proto", info.proto);
    if (auto host = h.find(http::field::host); host != h.end())
        h.set("X-Forwarded-Host", host->value());
    if (!info.request_id.empty() && h.find("X-Request-Id") == h.end())
        h.set("X-Request-Id", info.request_id);
    if (h.find(http::field::host) == h.end() && !info.default_host.empty())
        h.set(http::field::host, info.default_host);
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

void format_request_id(std::uint64_t value, char* out) noexcept {
    static constexpr char digits[] = "0123456789abcdef";
    for (std::size_t i = 0; i < request_id_length; ++i)
        out[request_id_length - 1 - i] = digits[(value >> (4 * i)) & 0xf];
}

} // namespace gw
