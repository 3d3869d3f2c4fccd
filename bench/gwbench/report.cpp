#include "bench/gwbench/report.hpp"

#include <chrono>
#include <cstdio>

#include "bench/gwbench/version.hpp"

namespace gw::bench {

namespace {

std::string printf_string(const char* fmt, auto... args) {
    char buf[256];
    int n = std::snprintf(buf, sizeof buf, fmt, args...);
    return std::string(
        buf, n < 0 ? 0 : std::min<std::size_t>(static_cast<std::size_t>(n), sizeof buf - 1));
}

std::string json_escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            out += printf_string("\\u%04x", static_cast<unsigned>(c));
        } else {
            out += c;
        }
    }
    return out;
}

std::string format_bytes(double b) {
    if (b >= 1024.0 * 1024 * 1024) return printf_string("%.2f GiB", b / (1024.0 * 1024 * 1024));
    if (b >= 1024.0 * 1024) return printf_string("%.2f MiB", b / (1024.0 * 1024));
    if (b >= 1024.0) return printf_string("%.2f KiB", b / 1024.0);
    return printf_string("%.0f B", b);
}

unsigned long long ull(std::uint64_t v) {
    return static_cast<unsigned long long>(v);
}

double us(std::uint64_t ns) {
    return static_cast<double>(ns) / 1000.0;
}

} // namespace

std::string format_duration(double ns) {
    if (ns >= 1e9) return printf_string("%.2fs", ns / 1e9);
    if (ns >= 1e6) return printf_string("%.2fms", ns / 1e6);
    return printf_string("%.0fus", ns / 1e3);
}

std::string format_table(const load_options& o, const load_result& r) {
    const auto& h = r.latency;
    std::string t;
    t += printf_string("gwbench load %s\n", o.url.c_str());
    t += printf_string(
        "  %zu connections, %zu threads, %s", o.connections, std::min(o.threads, o.connections),
        o.rate > 0 ? printf_string("fixed rate %.0f req/s", o.rate).c_str() : "closed loop");
    t += printf_string(", %.2fs\n", std::chrono::duration<double>(r.elapsed).count());
    t += printf_string("  requests   %llu  (%.1f req/s)\n", ull(r.requests), r.requests_per_s());
    t += "  transfer   " + format_bytes(static_cast<double>(r.bytes_read)) + " read (" +
         format_bytes(r.bytes_read_per_s()) + "/s), " +
         format_bytes(static_cast<double>(r.bytes_written)) + " written\n";
    t += "  latency    min " + format_duration(static_cast<double>(h.min())) + "  mean " +
         format_duration(h.mean()) + "  stdev " + format_duration(h.stddev()) + "  max " +
         format_duration(static_cast<double>(h.max())) + "\n";
    t += "             p50 " + format_duration(static_cast<double>(h.percentile(50))) + "  p90 " +
         format_duration(static_cast<double>(h.percentile(90))) + "  p99 " +
         format_duration(static_cast<double>(h.percentile(99))) + "  p99.9 " +
         format_duration(static_cast<double>(h.percentile(99.9))) + "\n";
    t +=
        printf_string("  status     2xx %llu  3xx %llu  4xx %llu  5xx %llu", ull(r.status_class(2)),
                      ull(r.status_class(3)), ull(r.status_class(4)), ull(r.status_class(5)));
    std::string codes;
    for (std::size_t c = 0; c < r.status.size(); ++c)
        if (r.status[c])
            codes += printf_string("%s%zu: %llu", codes.empty() ? "" : ", ", c, ull(r.status[c]));
    t += codes.empty() ? "\n" : "  (" + codes + ")\n";
    t += printf_string("  errors     connect %llu  reset %llu  timeout %llu  bad_response %llu\n",
                       ull(r.errors[0]), ull(r.errors[1]), ull(r.errors[2]), ull(r.errors[3]));
    if (r.tls_handshakes != 0)
        t += printf_string("  tls        %llu handshakes (%.1f/s), %llu resumed\n", ull(r.tls_handshakes),
                           static_cast<double>(r.tls_handshakes) / std::chrono::duration<double>(r.elapsed).count(),
                           ull(r.tls_resumed));
    return t;
}

std::string format_json(const load_options& o, const load_result& r) {
    const auto& h = r.latency;
    std::string j = "{\n";
    j += "  \"tool\": \"gwbench\",\n";
    j += "  \"version\": \"" + std::string(version) + "\",\n";
    j += "  \"url\": \"" + json_escape(o.url) + "\",\n";
    j += "  \"method\": \"" + json_escape(o.method) + "\",\n";
    j += printf_string("  \"connections\": %zu,\n  \"threads\": %zu,\n", o.connections,
                       std::min(o.threads, o.connections));
    j += printf_string("  \"mode\": \"%s\",\n  \"target_rate\": %.3f,\n",
                       o.rate > 0 ? "rate" : "closed", o.rate);
    j += printf_string("  \"duration_s\": %.3f,\n  \"requests_asked\": %llu,\n",
                       std::chrono::duration<double>(o.duration).count(), ull(o.requests));
    j +=
        printf_string("  \"elapsed_s\": %.6f,\n", std::chrono::duration<double>(r.elapsed).count());
    j += printf_string("  \"requests\": %llu,\n  \"requests_per_s\": %.3f,\n", ull(r.requests),
                       r.requests_per_s());
    j += printf_string("  \"bytes_read\": %llu,\n  \"bytes_written\": %llu,\n", ull(r.bytes_read),
                       ull(r.bytes_written));
    j += printf_string("  \"bytes_read_per_s\": %.3f,\n  \"connections_opened\": %llu,\n",
                       r.bytes_read_per_s(), ull(r.connections_opened));
    j += printf_string("  \"tls_handshakes\": %llu,\n  \"tls_resumed\": %llu,\n", ull(r.tls_handshakes),
                       ull(r.tls_resumed));
    j += printf_string("  \"latency_us\": {\"count\": %llu, \"min\": %.3f, \"mean\": %.3f, "
                       "\"stdev\": %.3f,\n",
                       ull(h.count()), us(h.min()), h.mean() / 1000.0, h.stddev() / 1000.0);
    j += printf_string("    \"p50\": %.3f, \"p75\": %.3f, \"p90\": %.3f, \"p99\": %.3f, ",
                       us(h.percentile(50)), us(h.percentile(75)), us(h.percentile(90)),
                       us(h.percentile(99)));
    j += printf_string("\"p99_9\": %.3f, \"p99_99\": %.3f, \"max\": %.3f},\n",
                       us(h.percentile(99.9)), us(h.percentile(99.99)), us(h.max()));
    j += printf_string("  \"status\": {\"1xx\": %llu, \"2xx\": %llu, \"3xx\": %llu, \"4xx\": %llu, "
                       "\"5xx\": %llu, \"codes\": {",
                       ull(r.status_class(1)), ull(r.status_class(2)), ull(r.status_class(3)),
                       ull(r.status_class(4)), ull(r.status_class(5)));
    bool first = true;
    for (std::size_t c = 0; c < r.status.size(); ++c) {
        if (!r.status[c]) continue;
        j += printf_string("%s\"%zu\": %llu", first ? "" : ", ", c, ull(r.status[c]));
        first = false;
    }
    j += "}},\n";
    j += printf_string("  \"errors\": {\"connect\": %llu, \"reset\": %llu, \"timeout\": %llu, "
                       "\"bad_response\": %llu, \"total\": %llu}\n",
                       ull(r.errors[0]), ull(r.errors[1]), ull(r.errors[2]), ull(r.errors[3]),
                       ull(r.errors_total()));
    j += "}\n";
    return j;
}

} // namespace gw::bench
