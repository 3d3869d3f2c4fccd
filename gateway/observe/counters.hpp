#pragma once
// Per-worker traffic counters: plain integers written only by their worker's
// thread (no atomics on the data path) and read by the admin listener, which
// hops onto each worker to copy them.

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

namespace gw {

// Upper bounds (seconds) of the request duration histogram; +Inf is implicit.
inline constexpr std::array<double, 12> duration_bounds = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                           0.1,   0.25,   0.5,   1.0,  2.5,   10.0};

struct duration_histogram {
    std::array<std::uint64_t, duration_bounds.size() + 1> buckets{}; // last: +Inf
    double sum_seconds = 0;
    std::uint64_t count = 0;

    void observe(double seconds) noexcept;
    duration_histogram& operator+=(const duration_histogram& o) noexcept;
};

// Why a TLS handshake with a client failed (gateway_tls_handshake_failures_total).
enum class tls_failure : std::uint8_t {
    plain_http,             // plain HTTP sent to the TLS port (answered 400)
    timeout,                // not done within timeouts.client_head
    closed,                 // the client closed or reset mid-handshake
    protocol,               // no common version, cipher or group; not TLS at all
    client_certificate,     // a client certificate missing (required) or not verified
    peer_alert,             // the client refused ours (an alert: unknown CA, bad certificate...)
    other,
};
inline constexpr std::array<const char*, 7> tls_failure_names = {
    "plain_http", "timeout", "closed", "protocol", "client_certificate", "peer_alert", "other"};

// Why a client's connection or request was refused by a client policy.
inline constexpr std::array<const char*, 5> client_refusal_names = {
    "access_rule", // 403: a listener's or route's allow/deny
    "auth",        // 401: a route's basic_auth, no or wrong credentials
    "rate",        // 429: over client_rate
    "connections", // closed on accept: over client_connections
    "proxy_protocol", // closed: no valid PROXY header, or not from proxy_protocol_from
};
enum class client_refusal { access_rule, auth, rate, connections, proxy_protocol };

struct listener_counters {
    std::uint64_t connections_total = 0;
    std::uint64_t requests_total = 0;
    std::array<std::uint64_t, 5> responses_by_class{}; // 1xx..5xx, gateway's own replies included
    std::uint64_t bytes_in = 0;  // from clients
    std::uint64_t bytes_out = 0; // to clients
    duration_histogram duration;
    std::uint64_t tls_handshakes = 0; // completed, full
    std::uint64_t tls_resumed = 0;    // completed by resuming a session (a ticket)
    std::array<std::uint64_t, tls_failure_names.size()> tls_failures{};
    std::array<std::uint64_t, client_refusal_names.size()> client_refusals{};
    void refused(client_refusal r) noexcept { ++client_refusals[static_cast<std::size_t>(r)]; }
    listener_counters& operator+=(const listener_counters& o) noexcept;
};

struct backend_counters {
    std::array<std::uint64_t, 5> responses_by_class{}; // what its servers answered
    std::uint64_t retries = 0;          // connect attempts on another server
    std::uint64_t request_retries = 0;  // requests sent again on another server (retry_on)
    std::uint64_t connect_timeouts = 0;
    std::uint64_t server_timeouts = 0;  // 504 after a request was sent
    std::uint64_t queued_total = 0;     // sessions that had to wait for a server
    double queue_seconds = 0;           // time they waited, in all
    std::uint64_t idle_closed = 0;      // idle server connections closed by keepalive_timeout
    std::uint64_t idle_connections = 0; // idle server connections now (set by a snapshot)
    backend_counters& operator+=(const backend_counters& o) noexcept;
};

struct worker_counters {
    // Per listener slot on a worker (config order in a snapshot). A deque: a
    // reload that adds a listener adds a slot while relay legs hold pointers
    // into the counters of the others.
    std::deque<listener_counters> listeners;
    std::vector<backend_counters> backends;
    std::uint64_t client_timeouts = 0; // 408s and idle closes mid-request
    std::uint64_t spliced_bytes = 0;   // body bytes moved socket to socket with splice
    std::uint64_t admin_refused = 0;   // admin connections closed on accept (admin.max_connections)
    std::uint64_t admin_timeouts = 0;  // admin connections closed by their read deadline
    std::uint64_t admin_unauthorized = 0; // admin API writes refused for a missing or wrong token
    worker_counters() = default;
    worker_counters(std::size_t listeners_n, std::size_t backends_n)
        : listeners(listeners_n), backends(backends_n) {}
    worker_counters& operator+=(const worker_counters& o);
};

// 0..4 for 1xx..5xx (anything else counts as 5xx).
inline std::size_t status_class(unsigned status) noexcept {
    return status >= 100 && status < 600 ? status / 100 - 1 : 4;
}

} // namespace gw
