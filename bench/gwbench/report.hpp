#pragma once
// How a load run is reported: a table for people and JSON for scripts. Both are
// plain functions of the options and the result, so tests can check them.

#include <string>

#include "bench/gwbench/load.hpp"

namespace gw::bench {

// The human summary (several lines, ends with a newline).
std::string format_table(const load_options& o, const load_result& r);

// One JSON object (ends with a newline). Fields: tool, version, url, method,
// connections, threads, mode ("closed" | "rate"), target_rate, duration_s
// (requested, 0 for counted runs), requests_asked, elapsed_s, requests,
// requests_per_s, bytes_read, bytes_written, bytes_read_per_s, connections_opened, tls_handshakes, tls_resumed,
// latency_us {count, min, mean, stdev, p50, p75, p90, p99, p99_9, p99_99, max},
// status {1xx..5xx, codes {"200": n, ...}}, errors {connect, reset, timeout,
// bad_response, total}.
std::string format_json(const load_options& o, const load_result& r);

// "1.23ms", "456us", "2.50s": a nanosecond count for the table.
std::string format_duration(double ns);

} // namespace gw::bench
