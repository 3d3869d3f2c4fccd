#include "gateway/policy/proxy_protocol.hpp"

#include <cstdio>
#include <cstring>
#include <string>

#include <arpa/inet.h>

namespace gw::policy {

namespace {

constexpr std::uint8_t v2_signature[12] = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D,
                                           0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

// "0".."65535" without leading zeros.
bool read_port(std::string_view text, std::uint16_t& out) noexcept {
    if (text.empty() || text.size() > 5 || (text.size() > 1 && text[0] == '0'))
        return false;
    unsigned v = 0;
    for (char c : text) {
        if (c < '0' || c > '9')
            return false;
        v = v * 10 + static_cast<unsigned>(c - '0');
    }
    if (v > 65535)
        return false;
    out = static_cast<std::uint16_t>(v);
    return true;
}

bool read_ip(std::string_view text, bool v6, client_address& out) noexcept {
    char buf[64];
    if (text.empty() || text.size() >= sizeof buf)
        return false;
    std::memcpy(buf, text.data(), text.size());
    buf[text.size()] = '\0';
    out.v6 = v6;
    return inet_pton(v6 ? AF_INET6 : AF_INET, buf, out.bytes) == 1;
}

// The next space-separated word of `rest` (one space exactly between words).
std::string_view next_word(std::string_view& rest) noexcept {
    const auto sp = rest.find(' ');
    const auto word = rest.substr(0, sp);
    rest = sp == std::string_view::npos ? std::string_view{} : rest.substr(sp + 1);
    return word;
}

std::uint16_t get16(const std::uint8_t* p) noexcept {
    return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}
void put16(std::uint8_t* p, std::uint16_t v) noexcept {
    p[0] = static_cast<std::uint8_t>(v >> 8);
    p[1] = static_cast<std::uint8_t>(v & 0xff);
}

// Both of one family: an IPv4 one goes mapped when the other is IPv6.
void same_family(client_address& a, client_address& b) noexcept {
    for (auto* x : {&a, &b}) {
        if ((a.v6 || b.v6) && !x->v6) {
            std::memmove(x->bytes + 12, x->bytes, 4);
            std::memset(x->bytes, 0, 10);
            x->bytes[10] = x->bytes[11] = 0xff;
            x->v6 = true;
        }
    }
}

} // namespace

proxy_version proxy_version_of(const std::uint8_t* first8) noexcept {
    if (std::memcmp(first8, "PROXY ", 6) == 0)
        return proxy_version::v1;
    if (std::memcmp(first8, v2_signature, 8) == 0)
        return proxy_version::v2;
    return proxy_version::none;
}

std::size_t proxy_v2_size(const std::uint8_t* h) noexcept {
    if (std::memcmp(h, v2_signature, sizeof v2_signature) != 0 || (h[12] >> 4) != 2)
        return 0;
    const std::size_t total = proxy_v2_fixed + get16(h + 14);
    return total <= proxy_header_max ? total : 0;
}

proxy_header parse_proxy_v1(std::string_view line) noexcept {
    proxy_header out;
    if (line.size() > proxy_v1_max || !line.starts_with("PROXY ") || !line.ends_with("\r\n"))
        return out;
    std::string_view rest = line.substr(6, line.size() - 8);
    const auto proto = next_word(rest);
    if (proto == "UNKNOWN") { // the rest may be anything (the spec says: ignore it)
        out.valid = true;
        return out;
    }
    if (proto != "TCP4" && proto != "TCP6")
        return out;
    const bool v6 = proto == "TCP6";
    const auto src = next_word(rest), dst = next_word(rest);
    const auto sport = next_word(rest), dport = next_word(rest);
    if (!rest.empty() || !read_ip(src, v6, out.source) || !read_ip(dst, v6, out.destination) ||
        !read_port(sport, out.source.port) || !read_port(dport, out.destination.port))
        return out;
    out.valid = out.has_address = true;
    return out;
}

proxy_header parse_proxy_v2(const std::uint8_t* h, std::size_t n) noexcept {
    proxy_header out;
    if (n < proxy_v2_fixed || proxy_v2_size(h) != n)
        return out;
    const unsigned command = h[12] & 0x0f, family = h[13];
    if (command > 1)
        return out;
    out.valid = true;
    if (command == 0) // LOCAL: the balancer speaking for itself
        return out;
    const std::uint8_t* a = h + proxy_v2_fixed;
    const std::size_t len = n - proxy_v2_fixed;
    if (family == 0x11 && len >= 12) { // TCP over IPv4
        std::memcpy(out.source.bytes, a, 4);
        std::memcpy(out.destination.bytes, a + 4, 4);
        out.source.port = get16(a + 8);
        out.destination.port = get16(a + 10);
        out.has_address = true;
    } else if (family == 0x21 && len >= 36) { // TCP over IPv6
        out.source.v6 = out.destination.v6 = true;
        std::memcpy(out.source.bytes, a, 16);
        std::memcpy(out.destination.bytes, a + 16, 16);
        out.source.port = get16(a + 32);
        out.destination.port = get16(a + 34);
        out.has_address = true;
    } else if ((family == 0x11 && len < 12) || (family == 0x21 && len < 36)) {
        out.valid = false; // shorter than its own addresses
    } // (UNSPEC, UDP, unix: valid, the peer's address stands)
    return out;
}

std::size_t write_proxy_v1(const client_address& source, const client_address& destination, char* out,
                           std::size_t cap) noexcept {
    client_address s = source, d = destination;
    same_family(s, d);
    char st[46], dt[46];
    const auto sn = format_address(s, st, sizeof st - 1), dn = format_address(d, dt, sizeof dt - 1);
    if (sn == 0 || dn == 0)
        return 0;
    st[sn] = dt[dn] = '\0';
    const int n = std::snprintf(out, cap, "PROXY %s %s %s %u %u\r\n", s.v6 ? "TCP6" : "TCP4", st, dt,
                                static_cast<unsigned>(s.port), static_cast<unsigned>(d.port));
    return n > 0 && static_cast<std::size_t>(n) < cap ? static_cast<std::size_t>(n) : 0;
}

std::size_t write_proxy_v2(const client_address& source, const client_address& destination,
                           std::uint8_t* out, std::size_t cap) noexcept {
    client_address s = source, d = destination;
    same_family(s, d);
    const std::size_t alen = s.v6 ? 36 : 12, total = proxy_v2_fixed + alen;
    if (cap < total)
        return 0;
    std::memcpy(out, v2_signature, sizeof v2_signature);
    out[12] = 0x21; // version 2, PROXY
    out[13] = s.v6 ? 0x21 : 0x11;
    put16(out + 14, static_cast<std::uint16_t>(alen));
    const std::size_t w = s.v6 ? 16 : 4;
    std::memcpy(out + 16, s.bytes, w);
    std::memcpy(out + 16 + w, d.bytes, w);
    put16(out + 16 + 2 * w, s.port);
    put16(out + 18 + 2 * w, d.port);
    return total;
}

std::string proxy_local_header(bool v2) {
    if (!v2)
        return "PROXY UNKNOWN\r\n";
    std::string out(reinterpret_cast<const char*>(v2_signature), sizeof v2_signature);
    out += '\x20'; // version 2, LOCAL
    out += '\x00'; // UNSPEC
    out += '\x00';
    out += '\x00'; // no address block
    return out;
}

} // namespace gw::policy
