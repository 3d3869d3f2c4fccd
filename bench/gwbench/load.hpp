#pragma once
// gwbench load: keep-alive HTTP/1.1 load over N connections spread on T threads
// (one io_context per thread), for a duration or a request count, closed loop or
// at a fixed rate. At a fixed rate each request has an intended send time and its
// latency counts from there (coordinated-omission correction, as wrk2 does), so a
// stalled server shows up in the percentiles instead of slowing the load down.

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <boost/system/error_code.hpp>

#include "bench/gwbench/histogram.hpp"

namespace gw::bench {

struct load_options {
    std::string url; // http://host[:port][/path][?query]
    std::size_t connections = 1;
    std::size_t threads = 1;              // clamped to connections
    std::chrono::nanoseconds duration{0}; // run this long, or
    std::uint64_t requests = 0;           // send this many (exactly one must be set)
    double rate = 0;                      // requests/s over all connections; 0 = closed loop
    std::string method = "GET";
    std::size_t body_size = 0;               // request body bytes (Content-Length)
    std::vector<std::string> headers;        // "Name: value", sent as given
    std::chrono::milliseconds timeout{2000}; // per connect and per request
    bool progress = false;                   // a line per second on stdout
    // https:// URLs: offer each connection's previous session (resumption), and
    // the highest TLS version offered (0: 1.3; TLS1_2_VERSION to pin 1.2).
    bool tls_resume = true;
    int tls_max_version = 0;
};

// Why a request failed. connect: the connection could not be opened; reset: the
// peer reset or closed it before a complete response; timeout: no complete
// response within the timeout; bad_response: the bytes were not a valid response.
enum class error_class : unsigned { connect, reset, timeout, bad_response };
inline constexpr std::size_t error_class_count = 4;
const char* to_string(error_class c) noexcept;

// The class of a socket error. `timed_out` (our watchdog closed the socket) wins;
// while `connecting`, every other error is a connect error; after it, a reset.
error_class classify(const boost::system::error_code& ec, bool connecting, bool timed_out) noexcept;

struct url_parts {
    std::string host; // without brackets for IPv6
    bool tls = false; // https://
    std::uint16_t port = 80;
    std::string target = "/";
    std::string host_header; // host[:port] as it goes into Host
};

// Parses an http:// or https:// URL; returns an empty string on success, else
// what is wrong (userinfo is not supported).
std::string parse_url(std::string_view url, url_parts& out);

// The request every connection sends, preformatted once: start line, Host (unless
// given in o.headers), the extra headers, Content-Length when a body is sent, then
// body_size pattern bytes.
std::string build_request(const load_options& o, const url_parts& u);

struct load_result {
    std::chrono::nanoseconds elapsed{0};
    std::uint64_t requests = 0; // complete responses, any status
    std::uint64_t bytes_read = 0, bytes_written = 0;
    std::uint64_t connections_opened = 0;
    std::uint64_t tls_handshakes = 0, tls_resumed = 0; // https://: completed, of which resumed
    histogram latency;                        // ns, one recording per complete response
    std::array<std::uint64_t, 1000> status{}; // complete responses per status code
    std::array<std::uint64_t, error_class_count> errors{};

    std::uint64_t errors_total() const noexcept;
    // True when at least one response came back, every one a 2xx, and no error.
    bool all_2xx() const noexcept;
    // Responses whose status is in [100 k, 100 k + 99], e.g. status_class(2) = 2xx.
    std::uint64_t status_class(unsigned k) const noexcept;
    double requests_per_s() const noexcept;
    double bytes_read_per_s() const noexcept;
    void merge(const load_result& other) noexcept; // sums (elapsed: the longer)
};

// Runs the load and blocks until it is over. Throws std::invalid_argument for bad
// options (named in the message) and std::runtime_error when the host does not
// resolve. Requests in flight when a duration ends are not counted. With a request
// count, every request ends as exactly one response or one error.
load_result run_load(const load_options& o);

} // namespace gw::bench
