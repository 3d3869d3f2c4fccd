// Parsing and formatting of the value formats the configuration uses: durations
// ("250ms", "30s"), sizes ("16KiB", "512B", or plain bytes) and addresses
// ("host:port", "[v6]:port", "*:port"). Pure functions, no TOML and no networking
// library, so they can be tested (and reused by the gateway for display) on their own.
#pragma once

#include "config/config.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gw::config {

// A parsed value, or the reason the text is not one. The reason quotes the text and says
// what would be accepted, so the loader can put it straight into a diagnostic.
template <class T> struct parsed {
    std::optional<T> value; // empty iff `error` is set
    std::string error;

    explicit operator bool() const { return value.has_value(); }
};

// "<digits><unit>" with unit ms, s, m or h; the unit is required, no sign, fraction or
// space. Fails (never throws) on anything else and when the value does not fit in
// std::chrono::milliseconds.
parsed<duration> parse_duration(std::string_view text);

// "<digits>" (bytes) or "<digits><unit>" with unit B, KiB, MiB, GiB or TiB (binary
// multiples; "KB", "k", ... are refused so that nobody wonders whether 1000 or 1024 was
// meant). Fails (never throws) on anything else and on overflow of 64 bits.
parsed<std::uint64_t> parse_size(std::string_view text);

// "host:port", "[ipv6]:port" or "*:port" with port 0..65535. host is an IPv4 dotted quad
// (no leading zeros), a bracketed IPv6 address (no zone id), "*" (all interfaces) or a
// hostname (labels of letters, digits, '-' and '_', 1..63 characters, 253 in all; a name
// whose last label is numeric must be a valid IPv4 address). Hostnames and IPv6 text are
// lower-cased. Whether port 0 or "*" is acceptable is the caller's decision.
parsed<host_port> parse_host_port(std::string_view text);

// "a.b.c.d/n", "v6/n" (n 0..32 or 0..128) or a single address; host bits
// below the prefix must be zero ("10.1.0.0/8" is refused: it says 10.0.0.0/8
// or a mistake).
parsed<ip_network> parse_network(std::string_view text);
// Back to the written form, the prefix always shown: "10.0.0.0/8", "::1/128".
std::string to_string(const ip_network& n);

// The host-syntax checks parse_host_port uses, for other fields that name a host.
bool is_ipv4(std::string_view text);
bool is_ipv6(std::string_view text); // without brackets
bool is_hostname(std::string_view text);

// The largest unit that represents the value exactly: "1h", "90s", "250ms".
std::string format_duration(duration d);
// The largest binary unit that represents the value exactly: "16KiB", "1500B".
std::string format_size(std::uint64_t bytes);
// Back to the written form: "127.0.0.1:80", "[::1]:80", "*:80", "example.com:443".
std::string to_string(const host_port& address);

} // namespace gw::config
