#pragma once
// A client's address as the policies see it (binary, no Asio): the access
// rules, trusted proxies and per-client limits match it against the config's
// networks, and the PROXY protocol fills it in.

#include <cstddef>
#include <cstdint>

#include "config/config.hpp"

namespace gw::policy {

struct client_address {
    bool v6 = false;
    std::uint8_t bytes[16] = {}; // network order; IPv4 in the first 4
    std::uint16_t port = 0;

    // An IPv4-mapped IPv6 address (::ffff:a.b.c.d, what a dual-stack socket
    // reports for an IPv4 peer) becomes the IPv4 address it carries, so that
    // "10.0.0.0/8" matches it and a limit counts it once.
    void unmap() noexcept;
    friend bool operator==(const client_address&, const client_address&) = default;
};

bool in_network(const config::ip_network& n, const client_address& a) noexcept;
bool in_any(const config::network_list& list, const client_address& a) noexcept;
// Deny wins; a non-empty allow admits only its networks.
bool access_allows(const config::network_list& allow, const config::network_list& deny,
                   const client_address& a) noexcept;

// The address as text ("192.0.2.7", "2001:db8::1"), into out[0..cap); returns
// its length (0 when cap is too small: 46 always fits).
std::size_t format_address(const client_address& a, char* out, std::size_t cap) noexcept;

} // namespace gw::policy
