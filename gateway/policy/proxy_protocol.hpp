#pragma once
// The PROXY protocol (HAProxy's, versions 1 and 2): the header a load balancer
// writes before a connection's first byte to say who the client is, read on a
// listener with proxy_protocol = true, and written to servers whose backend
// says send_proxy. Bytes only: the session reads them (io is its business).
//
// Reading in two steps never consumes a byte past the header (the next bytes
// may be a TLS client hello, which must stay in the socket): first the 8 bytes
// that tell the versions apart, then either the rest of a v2 header (its
// length is in bytes 15-16) or a v1 line up to its CRLF.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "gateway/policy/client_address.hpp"

namespace gw::policy {

inline constexpr std::size_t proxy_prefix_size = 8;      // read first
inline constexpr std::size_t proxy_v1_max = 107;         // the spec's bound, CRLF included
inline constexpr std::size_t proxy_v2_fixed = 16;        // signature, command, family, length
inline constexpr std::size_t proxy_header_max = 1024;    // v2 with TLVs, ours to bound

enum class proxy_version { none, v1, v2 };
// Which version the first 8 bytes start (none: not a PROXY header).
proxy_version proxy_version_of(const std::uint8_t* first8) noexcept;
// A v2 header's whole size from its first 16 bytes; 0 when those are not a v2
// header of version 2 or it is longer than proxy_header_max.
std::size_t proxy_v2_size(const std::uint8_t* first16) noexcept;

struct proxy_header {
    bool valid = false;
    // False for v1 UNKNOWN, v2 LOCAL (a balancer's own health check) and v2
    // families other than TCP over IPv4/IPv6: the peer's address stands.
    bool has_address = false;
    client_address source, destination;
};
// A whole v1 line (its CRLF included) or a whole v2 header (proxy_v2_size bytes).
proxy_header parse_proxy_v1(std::string_view line) noexcept;
proxy_header parse_proxy_v2(const std::uint8_t* data, std::size_t n) noexcept;

// The header sent to a server: TCP4/TCP6 from source to destination (both of
// one family; an IPv4 source with an IPv6 destination is sent as TCP6 with the
// source mapped). Returns the bytes written to out (at most 108; 0 if cap is
// too small).
std::size_t write_proxy_v1(const client_address& source, const client_address& destination, char* out,
                           std::size_t cap) noexcept;
std::size_t write_proxy_v2(const client_address& source, const client_address& destination,
                           std::uint8_t* out, std::size_t cap) noexcept;

// The header of a connection that speaks for the sender itself (a health
// check): v1 "PROXY UNKNOWN", v2 LOCAL.
std::string proxy_local_header(bool v2);

} // namespace gw::policy
