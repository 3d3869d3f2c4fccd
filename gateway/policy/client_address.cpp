#include "gateway/policy/client_address.hpp"

#include <algorithm>
#include <cstring>

#include <arpa/inet.h>

namespace gw::policy {

void client_address::unmap() noexcept {
    static constexpr std::uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (!v6 || std::memcmp(bytes, mapped, sizeof mapped) != 0)
        return;
    v6 = false;
    std::memmove(bytes, bytes + 12, 4);
    std::memset(bytes + 4, 0, 12);
}

bool in_network(const config::ip_network& n, const client_address& a) noexcept {
    if (n.v6 != a.v6)
        return false;
    const unsigned whole = n.prefix / 8, rest = n.prefix % 8;
    if (std::memcmp(n.bytes, a.bytes, whole) != 0)
        return false;
    if (rest == 0)
        return true;
    const auto mask = static_cast<std::uint8_t>(0xff00u >> rest);
    return (n.bytes[whole] & mask) == (a.bytes[whole] & mask);
}

bool in_any(const config::network_list& list, const client_address& a) noexcept {
    return std::any_of(list.begin(), list.end(), [&](const auto& n) { return in_network(n, a); });
}

bool access_allows(const config::network_list& allow, const config::network_list& deny,
                   const client_address& a) noexcept {
    if (in_any(deny, a))
        return false;
    return allow.empty() || in_any(allow, a);
}

std::size_t format_address(const client_address& a, char* out, std::size_t cap) noexcept {
    char text[INET6_ADDRSTRLEN];
    if (inet_ntop(a.v6 ? AF_INET6 : AF_INET, a.bytes, text, sizeof text) == nullptr)
        return 0;
    const std::size_t n = std::strlen(text);
    if (n > cap)
        return 0;
    std::memcpy(out, text, n);
    return n;
}

} // namespace gw::policy
