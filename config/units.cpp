#include "config/units.hpp"

#include "config/diagnostics.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <limits>
#include <utility>

namespace gw::config {

namespace {

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_hex(char c) {
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool is_alnum(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0;
}
char lower(char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

std::string lowered(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        c = lower(c);
    }
    return out;
}

template <class T> parsed<T> failure(std::string why) {
    return parsed<T>{std::nullopt, std::move(why)};
}

// Leading decimal digits of `text` as a number; `end` is where they stop. Fails on
// overflow of 64 bits (the caller reports "too large").
bool leading_number(std::string_view text, std::uint64_t& value, std::size_t& end) {
    value = 0;
    end = 0;
    constexpr auto max = std::numeric_limits<std::uint64_t>::max();
    for (; end < text.size() && is_digit(text[end]); ++end) {
        const auto digit = static_cast<std::uint64_t>(text[end] - '0');
        if (value > (max - digit) / 10) return false;
        value = value * 10 + digit;
    }
    return true;
}

struct unit {
    std::string_view name;
    std::uint64_t factor;
};

constexpr std::array<unit, 4> duration_units{
    {{"ms", 1}, {"s", 1000}, {"m", 60'000}, {"h", 3'600'000}}};
constexpr std::array<unit, 5> size_units{
    {{"B", 1}, {"KiB", 1ULL << 10}, {"MiB", 1ULL << 20}, {"GiB", 1ULL << 30}, {"TiB", 1ULL << 40}}};

} // namespace

parsed<duration> parse_duration(std::string_view text) {
    constexpr std::string_view units_hint = "ms, s, m or h";
    const std::string shown = quoted(text);
    if (text.empty()) return failure<duration>("the duration is empty (write e.g. \"5s\")");
    std::uint64_t value = 0;
    std::size_t end = 0;
    if (!leading_number(text, value, end)) return failure<duration>(shown + " is too large");
    if (end == 0) {
        return failure<duration>(shown + " does not start with a whole number (write e.g. \"5s\")");
    }
    const std::string_view suffix = text.substr(end);
    if (suffix.empty()) {
        return failure<duration>(shown + " has no unit (use " + std::string(units_hint) + ")");
    }
    if (suffix.front() == '.' || suffix.front() == ',') {
        return failure<duration>(shown + " has a fraction; use a smaller unit (e.g. \"1500ms\")");
    }
    for (const auto& u : duration_units) {
        if (suffix != u.name) continue;
        // The largest value chrono::milliseconds holds; beyond it, arithmetic overflows.
        constexpr auto max = static_cast<std::uint64_t>(std::numeric_limits<duration::rep>::max());
        if (value > max / u.factor) return failure<duration>(shown + " is too large");
        return {duration{static_cast<duration::rep>(value * u.factor)}, {}};
    }
    return failure<duration>(shown + " has an unknown unit " + quoted(suffix) + " (use " +
                             std::string(units_hint) + ")");
}

parsed<std::uint64_t> parse_size(std::string_view text) {
    constexpr std::string_view units_hint = "B, KiB, MiB, GiB or TiB";
    const std::string shown = quoted(text);
    if (text.empty()) return failure<std::uint64_t>("the size is empty (write e.g. \"16KiB\")");
    std::uint64_t value = 0;
    std::size_t end = 0;
    if (!leading_number(text, value, end)) return failure<std::uint64_t>(shown + " is too large");
    if (end == 0) {
        return failure<std::uint64_t>(shown +
                                      " does not start with a whole number (write e.g. \"16KiB\")");
    }
    const std::string_view suffix = text.substr(end);
    if (suffix.empty()) return {value, {}};
    if (suffix.front() == '.' || suffix.front() == ',') {
        return failure<std::uint64_t>(shown +
                                      " has a fraction; use a smaller unit (e.g. \"1536KiB\")");
    }
    for (const auto& u : size_units) {
        if (suffix != u.name) continue;
        if (value > std::numeric_limits<std::uint64_t>::max() / u.factor) {
            return failure<std::uint64_t>(shown + " is too large");
        }
        return {value * u.factor, {}};
    }
    // Decimal or abbreviated units ("KB", "k", "mib") would leave 1000 vs 1024 to guess.
    std::string hint;
    const char first = suffix.empty() ? '\0' : lower(suffix.front());
    for (const auto& u : size_units) {
        if (u.name.size() == 3 && lower(u.name.front()) == first) {
            hint = "; did you mean \"" + std::string(u.name) + "\"?";
        }
    }
    return failure<std::uint64_t>(shown + " has an unknown unit " + quoted(suffix) + " (use " +
                                  std::string(units_hint) + ")" + hint);
}

bool is_ipv4(std::string_view text) {
    int parts = 0;
    std::size_t i = 0;
    while (true) {
        std::size_t start = i;
        unsigned value = 0;
        while (i < text.size() && is_digit(text[i]) && i - start < 4) {
            value = value * 10 + static_cast<unsigned>(text[i] - '0');
            ++i;
        }
        const std::size_t len = i - start;
        // "010" is refused: some resolvers read leading zeros as octal.
        if (len == 0 || len > 3 || value > 255 || (len > 1 && text[start] == '0')) return false;
        ++parts;
        if (i == text.size()) return parts == 4;
        if (text[i] != '.' || parts == 4) return false;
        ++i;
    }
}

bool is_ipv6(std::string_view text) {
    // RFC 4291 section 2.2: eight groups of 1..4 hex digits, one "::" standing for one or
    // more zero groups, and optionally an IPv4 dotted quad as the last 32 bits.
    if (text.empty()) return false;
    const auto gap = text.find("::");
    if (gap != std::string_view::npos && text.find("::", gap + 1) != std::string_view::npos) {
        return false;
    }
    int groups = 0;
    // Counts the groups of one side of "::"; `last` says whether an IPv4 tail may follow.
    auto count = [&groups](std::string_view side, bool last) {
        if (side.empty()) return true;
        std::size_t start = 0;
        while (true) {
            const auto colon = side.find(':', start);
            const auto group =
                side.substr(start, colon == std::string_view::npos ? side.npos : colon - start);
            if (colon == std::string_view::npos && last &&
                group.find('.') != std::string_view::npos) {
                if (!is_ipv4(group)) return false;
                groups += 2;
                return true;
            }
            if (group.empty() || group.size() > 4) return false;
            for (char c : group) {
                if (!is_hex(c)) return false;
            }
            ++groups;
            if (colon == std::string_view::npos) return true;
            start = colon + 1;
        }
    };
    if (gap == std::string_view::npos) return count(text, true) && groups == 8;
    return count(text.substr(0, gap), false) && count(text.substr(gap + 2), true) && groups <= 7;
}

bool is_hostname(std::string_view text) {
    // RFC 1123 section 2.1 labels; '_' is allowed too because container and service
    // discovery names use it.
    if (text.empty() || text.size() > 253) return false;
    std::size_t start = 0;
    std::string_view label;
    while (start <= text.size()) {
        auto dot = text.find('.', start);
        if (dot == std::string_view::npos) dot = text.size();
        label = text.substr(start, dot - start);
        if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
            return false;
        }
        for (char c : label) {
            if (!is_alnum(c) && c != '-' && c != '_') return false;
        }
        start = dot + 1;
    }
    // A numeric last label ("10.0.0.300", "12345") is a mistyped IP address, not a name
    // (RFC 3696 section 2: top-level domains are never all-numeric).
    bool numeric = true;
    for (char c : label) {
        numeric = numeric && is_digit(c);
    }
    return !numeric || is_ipv4(text);
}

parsed<host_port> parse_host_port(std::string_view text) {
    const std::string shown = quoted(text);
    if (text.empty()) {
        return failure<host_port>("the address is empty (write e.g. \"127.0.0.1:8080\")");
    }
    host_port out;
    std::string_view host;
    std::string_view port;
    if (text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string_view::npos) {
            return failure<host_port>(shown + " has no closing ']'");
        }
        host = text.substr(1, close - 1);
        const auto rest = text.substr(close + 1);
        if (rest.empty() || rest.front() != ':') {
            return failure<host_port>(shown + " has no port (write \"[" + std::string(host) +
                                      "]:8080\")");
        }
        port = rest.substr(1);
        if (host.find('%') != std::string_view::npos) {
            return failure<host_port>(shown + " has a zone id, which is not supported");
        }
        if (!is_ipv6(host)) {
            return failure<host_port>(shown + " is not a valid IPv6 address in brackets");
        }
        out.kind = host_kind::ipv6;
        out.host = lowered(host);
    } else {
        const auto colon = text.rfind(':');
        if (colon == std::string_view::npos) {
            return failure<host_port>(shown + " has no port (write host:port, e.g. \"" +
                                      std::string(text) + ":8080\")");
        }
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
        if (host.find(':') != std::string_view::npos) {
            return failure<host_port>(
                shown + " looks like an IPv6 address; put it in brackets (e.g. \"[::1]:8080\")");
        }
        if (host.empty()) {
            return failure<host_port>(shown + " has no host (use \"*" + std::string(text) +
                                      "\" for all interfaces)");
        }
        if (host == "*") {
            out.kind = host_kind::any;
            out.host = "*";
        } else if (is_ipv4(host)) {
            out.kind = host_kind::ipv4;
            out.host = std::string(host);
        } else if (is_hostname(host)) {
            out.kind = host_kind::hostname;
            out.host = lowered(host);
        } else {
            return failure<host_port>(shown + " does not name a host: " + quoted(host) +
                                      " is neither an IPv4 address nor a valid hostname");
        }
    }
    std::uint64_t value = 0;
    std::size_t end = 0;
    const bool fits = leading_number(port, value, end);
    if (port.empty() || end != port.size() || !fits || value > 65535) {
        return failure<host_port>(shown + " has an invalid port " + quoted(port) +
                                  " (use 0 to 65535)");
    }
    out.port = static_cast<std::uint16_t>(value);
    return {std::move(out), {}};
}

std::string format_duration(duration d) {
    const auto ms = d.count();
    if (ms == 0) return "0s";
    for (auto it = duration_units.rbegin(); it != duration_units.rend(); ++it) {
        const auto factor = static_cast<duration::rep>(it->factor);
        if (ms % factor == 0) return std::to_string(ms / factor) + std::string(it->name);
    }
    return std::to_string(ms) + "ms";
}

std::string format_size(std::uint64_t bytes) {
    if (bytes == 0) return "0B";
    for (auto it = size_units.rbegin(); it != size_units.rend(); ++it) {
        if (bytes % it->factor == 0) {
            return std::to_string(bytes / it->factor) + std::string(it->name);
        }
    }
    return std::to_string(bytes) + "B";
}

std::string to_string(const host_port& address) {
    const std::string port = std::to_string(address.port);
    if (address.kind == host_kind::ipv6) return "[" + address.host + "]:" + port;
    return address.host + ":" + port;
}

parsed<ip_network> parse_network(std::string_view text) {
    const auto fail = [text](std::string why) {
        return parsed<ip_network>{std::nullopt, quoted(text) + " " + why};
    };
    const auto slash = text.find('/');
    const std::string host(text.substr(0, slash));
    ip_network n;
    if (is_ipv4(host)) {
        n.prefix = 32;
    } else if (is_ipv6(host)) {
        n.v6 = true;
        n.prefix = 128;
    } else {
        return fail("is not an IP address or network");
    }
    if (inet_pton(n.v6 ? AF_INET6 : AF_INET, host.c_str(), n.bytes) != 1)
        return fail("is not an IP address or network");
    if (slash != std::string_view::npos) {
        const auto bits = text.substr(slash + 1);
        const unsigned max = n.prefix;
        if (bits.empty() || bits.size() > 3 || !std::all_of(bits.begin(), bits.end(), is_digit) ||
            (bits.size() > 1 && bits[0] == '0'))
            return fail("has no valid prefix length after '/'");
        n.prefix = static_cast<unsigned>(std::stoul(std::string(bits)));
        if (n.prefix > max) return fail("has a prefix longer than " + std::to_string(max) + " bits");
    }
    for (unsigned bit = n.prefix; bit < (n.v6 ? 128u : 32u); ++bit)
        if (n.bytes[bit / 8] & (0x80u >> (bit % 8)))
            return fail("has bits set after its prefix");
    return {n, {}};
}

std::string to_string(const ip_network& n) {
    char text[INET6_ADDRSTRLEN] = {};
    inet_ntop(n.v6 ? AF_INET6 : AF_INET, n.bytes, text, sizeof text);
    std::string out(text);
    out += '/';
    out += std::to_string(n.prefix);
    return out;
}

} // namespace gw::config
