#include "gateway/http1/host.hpp"

#include <algorithm>
#include <string>

#include <boost/beast/core/string.hpp>

#include "gateway/http1/chars.hpp"

namespace gw {

namespace http = boost::beast::http;
using boost::beast::iequals;

namespace {

using namespace http1_chars;

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

std::string_view strip_port(std::string_view host) noexcept {
    if (!host.empty() && host.front() == '[') {
        const auto close = host.find(']');
        return close == std::string_view::npos ? host : host.substr(0, close + 1);
    }
    const auto colon = host.rfind(':');
    return colon == std::string_view::npos ? host : host.substr(0, colon);
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

} // namespace gw
