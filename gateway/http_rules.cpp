#include "gateway/http_rules.hpp"

#include <algorithm>
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
    case reply_reason::method_not_allowed:
        return http::status::method_not_allowed;
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

bool single_content_length(const http::fields& f) noexcept {
    const auto n = f.count(http::field::content_length);
    if (n == 0)
        return true;
    if (n > 1)
        return false;
    const auto v = f.find(http::field::content_length)->value();
    return v.find(',') == std::string_view::npos; // Beast checked the digits
}

namespace {

bool is_protected(std::string_view name) noexcept {
    return iequals(name, "content-length") || iequals(name, "transfer-encoding") ||
           iequals(name, "host");
}

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
bool is_alpha(char c) noexcept { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
bool is_hex(char c) noexcept { return is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f'); }
// A letter, a digit or one of `extra` (unreserved and sub-delims, RFC 3986 2.2-2.3).
bool is_name_char(char c, std::string_view extra) noexcept {
    return is_alpha(c) || is_digit(c) || extra.find(c) != std::string_view::npos;
}

// tchar, RFC 9110 5.6.2.
bool is_tchar(char c) noexcept { return is_name_char(c, "!#$%&'*+-.^_`|~"); }

// reg-name = *( unreserved / pct-encoded / sub-delims ), RFC 3986 3.2.2.
bool valid_reg_name(std::string_view s) noexcept {
    if (s.empty())
        return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (is_name_char(c, "-._~!$&'()*+,;="))
            continue;
        if (c == '%' && i + 2 < s.size() && is_hex(s[i + 1]) && is_hex(s[i + 2])) {
            i += 2;
            continue;
        }
        return false;
    }
    return true;
}

// IP-literal = "[" ( IPv6address / IPvFuture ) "]"; the inside is checked for
// its alphabet and shape (hex groups, colons, at most one "::", an optional
// dotted tail), which is what keeps it from hiding another authority.
bool valid_ip_literal(std::string_view s) noexcept {
    if (s.size() < 3 || s.front() != '[' || s.back() != ']')
        return false;
    s = s.substr(1, s.size() - 2);
    if ((s[0] | 0x20) == 'v') { // IPvFuture: "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" )
        std::size_t i = 1;
        while (i < s.size() && is_hex(s[i]))
            ++i;
        if (i == 1 || i >= s.size() || s[i] != '.' || i + 1 >= s.size())
            return false;
        for (++i; i < s.size(); ++i)
            if (!is_name_char(s[i], "-._~!$&'()*+,;=:"))
                return false;
        return true;
    }
    std::size_t groups = 0, double_colons = 0, i = 0;
    if (s.substr(0, 2) == "::") {
        double_colons = 1;
        i = 2;
    } else if (s[0] == ':') {
        return false;
    }
    while (i < s.size()) {
        std::size_t j = i;
        while (j < s.size() && (is_hex(s[j]) || s[j] == '.'))
            ++j;
        const auto group = s.substr(i, j - i);
        if (group.empty() || group.size() > 15)
            return false;
        if (group.find('.') != std::string_view::npos) {
            // A dotted IPv4 tail counts as two groups and must end the address.
            if (j != s.size())
                return false;
            unsigned parts = 0;
            for (std::size_t k = 0; k <= group.size();) {
                std::size_t e = group.find('.', k);
                if (e == std::string_view::npos)
                    e = group.size();
                const auto part = group.substr(k, e - k);
                if (part.empty() || part.size() > 3 || !std::all_of(part.begin(), part.end(), is_digit))
                    return false;
                ++parts;
                k = e + 1;
                if (e == group.size())
                    break;
            }
            if (parts != 4)
                return false;
            groups += 2;
        } else {
            if (group.size() > 4)
                return false;
            ++groups;
        }
        i = j;
        if (i == s.size())
            break;
        if (s[i] != ':')
            return false;
        if (i + 1 < s.size() && s[i + 1] == ':') {
            if (++double_colons > 1)
                return false;
            i += 2;
        } else {
            ++i;
            if (i == s.size())
                return false; // a trailing single colon
        }
    }
    return double_colons ? groups < 8 : groups == 8;
}

} // namespace

transfer_codings read_transfer_codings(const http::fields& f) noexcept {
    transfer_codings r;
    for (auto it = f.find(http::field::transfer_encoding);
         it != f.end() && it->name() == http::field::transfer_encoding; ++it) {
        ++r.fields;
        std::string_view v = it->value();
        for (;;) {
            const auto comma = v.find(',');
            std::string_view coding = v.substr(0, comma);
            while (!coding.empty() && (coding.front() == ' ' || coding.front() == '\t'))
                coding.remove_prefix(1);
            while (!coding.empty() && (coding.back() == ' ' || coding.back() == '\t'))
                coding.remove_suffix(1);
            // A bare token: no empty element, no parameters, nothing a
            // lenient reader could take for "chunked" (RFC 9112 7, 9110 5.6.2).
            if (coding.empty() || !std::all_of(coding.begin(), coding.end(), is_tchar)) {
                r.valid = false;
                return r;
            }
            r.chunked_last = iequals(coding, "chunked");
            if (r.chunked_last)
                ++r.chunked;
            else
                ++r.others;
            if (comma == std::string_view::npos)
                break;
            v.remove_prefix(comma + 1);
        }
    }
    return r;
}

bool nominates_protected_field(const http::fields& f) noexcept {
    for (auto it = f.find(http::field::connection);
         it != f.end() && it->name() == http::field::connection; ++it)
        for (auto name : http::token_list{it->value()})
            if (is_protected(name))
                return true;
    return false;
}

bool valid_host(std::string_view v) noexcept {
    if (v.empty())
        return false;
    std::string_view host = v;
    if (v.front() == '[') {
        const auto close = v.find(']');
        if (close == std::string_view::npos)
            return false;
        host = v.substr(0, close + 1);
        if (!valid_ip_literal(host))
            return false;
    } else {
        host = v.substr(0, v.find(':'));
        // (An IPv4address is also a reg-name: its alphabet is enough here.)
        if (!valid_reg_name(host))
            return false;
    }
    if (host.size() == v.size())
        return true;
    if (v[host.size()] != ':')
        return false;
    const auto port = v.substr(host.size() + 1);
    if (port.empty() || port.size() > 5 || !std::all_of(port.begin(), port.end(), is_digit))
        return false;
    unsigned value = 0;
    for (char c : port)
        value = value * 10 + static_cast<unsigned>(c - '0');
    return value <= 65535;
}

reply_reason normalize_target_and_host(request_head& h) {
    if (h.method() == http::verb::connect)
        return reply_reason::method_not_allowed; // no authority-form tunnels (RFC 9110 9.3.6)
    const auto hosts = h.count(http::field::host);
    if (hosts > 1 || (hosts == 0 && h.version() >= 11))
        return reply_reason::bad_request; // RFC 9112 3.2: exactly one Host
    if (hosts == 1 && !valid_host(h[http::field::host]))
        return reply_reason::bad_request;
    const std::string_view target = h.target();
    if (target.empty())
        return reply_reason::bad_request;
    for (const char c : target)
        if (c <= 0x20 || c >= 0x7f || c == '#') // RFC 9112 3.2: no whitespace, CTLs or fragment
            return reply_reason::bad_request;
    if (target.front() == '/')
        return reply_reason::none; // origin-form
    if (target == "*")
        return h.method() == http::verb::options ? reply_reason::none : reply_reason::bad_request;
    // absolute-form (RFC 9112 3.2.2): only our own schemes, no userinfo.
    const auto sep = target.find("://");
    if (sep == std::string_view::npos)
        return reply_reason::bad_request;
    const auto scheme = target.substr(0, sep);
    if (!iequals(scheme, "http") && !iequals(scheme, "https"))
        return reply_reason::bad_request;
    const auto rest = target.substr(sep + 3);
    const auto path_at = rest.find_first_of("/?");
    const auto authority = rest.substr(0, path_at);
    if (!valid_host(authority))
        return reply_reason::bad_request; // (userinfo's "@" is not a host character)
    const auto tail = path_at == std::string_view::npos ? std::string_view{} : rest.substr(path_at);
    // (Copies first: the new Host and target replace the strings they view.)
    const std::string host(authority);
    std::string path(tail.size() + 1, '/');
    if (tail.empty()) // RFC 9112 3.2.1 / 3.2.4: "/", or "*" for OPTIONS
        path.assign(h.method() == http::verb::options ? "*" : "/");
    else if (tail.front() == '?')
        tail.copy(path.data() + 1, tail.size());
    else
        path.assign(tail);
    h.set(http::field::host, host);
    h.target(path);
    return reply_reason::none;
}

reply_reason check_response_framing(const response_head& h) noexcept {
    if (h.result_int() < 100 || h.result_int() > 599)
        return reply_reason::bad_gateway; // RFC 9110 15: no such status; a client may misframe it
    const bool has_te = h.find(http::field::transfer_encoding) != h.end();
    if (!single_content_length(h) || (has_te && h.count(http::field::content_length) != 0))
        return reply_reason::bad_gateway;
    if (has_te && h.version() < 11)
        return reply_reason::bad_gateway; // RFC 9112 6.1: faulty framing in HTTP/1.0
    if (has_te) {
        const auto te = read_transfer_codings(h);
        if (!te.valid || te.fields != 1 || te.chunked != 1 || te.others != 0)
            return reply_reason::bad_gateway; // we relay no other transfer coding
    }
    return reply_reason::none;
}

bool declares_forbidden_body(const response_head& h) noexcept {
    const unsigned status = h.result_int();
    if (status >= 200 && status != 204)
        return false;
    if (h.find(http::field::transfer_encoding) != h.end())
        return true;
    const auto cl = h.find(http::field::content_length);
    return cl != h.end() && cl->value() != "0";
}

void canonicalize_content_length(http::fields& f) {
    const auto it = f.find(http::field::content_length);
    if (it == f.end())
        return;
    const std::string_view v = it->value();
    const auto first = v.find_first_not_of('0');
    if (first == 0)
        return;
    const std::string digits(first == std::string_view::npos ? "0" : v.substr(first));
    f.set(http::field::content_length, digits);
}

void drop_bodiless_framing(response_head& h) {
    const unsigned status = h.result_int();
    if (status < 200 || status == 204) {
        h.erase(http::field::content_length);
        h.erase(http::field::transfer_encoding);
    }
}

bool allowed_in_trailer(std::string_view name) noexcept {
    static constexpr std::string_view forbidden[] = {
        "content-length", "transfer-encoding", "host", "trailer", "connection", "keep-alive",
        "te", "upgrade", "proxy-connection", "content-type", "content-encoding",
        "content-range", "content-location", "cache-control", "expect", "max-forwards",
        "range", "if-match", "if-none-match", "if-modified-since", "if-unmodified-since",
        "if-range", "authorization", "proxy-authorization", "www-authenticate",
        "proxy-authenticate", "set-cookie", "cookie", "age", "expires", "date", "location",
        "retry-after", "vary", "warning", "pragma"};
    for (const auto f : forbidden)
        if (iequals(name, f))
            return false;
    return true;
}

reply_reason check_request_framing(const request_head& h) noexcept {
    if (!single_content_length(h))
        return reply_reason::bad_request;
    if (h.find(http::field::transfer_encoding) == h.end())
        return reply_reason::none;
    if (h.version() < 11)
        return reply_reason::bad_request; // RFC 9112 6.1: no TE before HTTP/1.1
    const auto te_list = read_transfer_codings(h);
    if (!te_list.valid || te_list.chunked != 1 || !te_list.chunked_last)
        return reply_reason::bad_request; // RFC 9112 6.3: length cannot be determined
    if (te_list.others != 0)
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
    if (h.find(http::field::host) == h.end() && !info.default_host.empty())
        h.set(http::field::host, info.default_host);
}

reply_reason check_request_head(std::string_view raw, request_head& h) {
    if (!raw_head_is_clean(raw))
        return reply_reason::bad_request;
    if (const auto r = check_request_framing(h); r != reply_reason::none)
        return r;
    if (nominates_protected_field(h))
        return reply_reason::bad_request; // Connection: content-length etc. (smuggling)
    return normalize_target_and_host(h);
}

forward_plan prepare_forward_head(request_head& h, bool has_body, const forwarding_info& info) {
    forward_plan plan;
    plan.upgrade = is_upgrade_request(h);
    plan.expects_continue = has_body && iequals(h[http::field::expect], "100-continue");
    remove_hop_by_hop(h, plan.upgrade);
    // The one spelling every server reads the same (accepted ones differ only
    // in case and whitespace).
    if (h.find(http::field::transfer_encoding) != h.end())
        h.set(http::field::transfer_encoding, "chunked");
    canonicalize_content_length(h);
    if (plan.expects_continue)
        h.erase(http::field::expect);
    add_forwarding_fields(h, info);
    // Upstream always HTTP/1.1 with keep-alive: its default, now that no
    // Connection field is left but "upgrade".
    if (h.version() < 11)
        h.version(11);
    return plan;
}

namespace {

// Appends to out[0, cap) while it fits; `fits` turns false for good otherwise.
struct head_writer {
    char* out;
    std::size_t cap;
    std::size_t n = 0;
    bool fits = true;
    void put(std::string_view s) noexcept {
        if (!fits || s.size() > cap - n) {
            fits = false;
            return;
        }
        std::memcpy(out + n, s.data(), s.size());
        n += s.size();
    }
    void version(unsigned v) noexcept {
        const char text[] = {'H', 'T', 'T', 'P', '/', static_cast<char>('0' + v / 10), '.',
                             static_cast<char>('0' + v % 10)};
        put({text, sizeof text});
    }
    std::size_t fields(const http::fields& f) noexcept {
        put("\r\n");
        for (const auto& field : f) {
            put(field.name_string());
            put(": ");
            put(field.value());
            put("\r\n");
        }
        put("\r\n");
        return fits ? n : 0;
    }
};

} // namespace

std::size_t serialize_head(const request_head& h, char* out, std::size_t cap) noexcept {
    head_writer w{out, cap};
    w.put(h.method_string());
    w.put(" ");
    w.put(h.target());
    w.put(" ");
    w.version(h.version());
    return w.fields(h);
}

std::size_t serialize_head(const response_head& h, char* out, std::size_t cap) noexcept {
    head_writer w{out, cap};
    w.version(h.version());
    const unsigned status = h.result_int();
    const char code[] = {' ', static_cast<char>('0' + status / 100 % 10),
                         static_cast<char>('0' + status / 10 % 10),
                         static_cast<char>('0' + status % 10), ' '};
    w.put({code, sizeof code});
    const auto reason = h.reason();
    w.put(reason.empty() ? http::obsolete_reason(h.result()) : reason);
    return w.fields(h);
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
