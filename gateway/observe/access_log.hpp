#pragma once
// The access log: one line per request on stdout (a container's convention),
// text like HAProxy's httplog or JSON. Each worker buffers its own lines and
// writes them in whole-line batches below PIPE_BUF, so lines from different
// workers never interleave and the data path does not make a syscall per line.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace gw {

// What one exchange leaves behind for its log line.
struct exchange_record {
    std::string_view client;    // "ip:port"
    std::chrono::system_clock::time_point accepted; // first byte of the request
    std::string_view listener;
    std::string_view backend;   // "-" when none was chosen
    std::string_view server;    // "-" when none was reached
    long queue_ms = -1;         // -1: not reached
    long connect_ms = -1;
    long response_ms = -1;      // request sent -> response head
    long total_ms = 0;
    unsigned status = 0;        // 0: nothing was sent
    std::uint64_t bytes_out = 0;
    char termination[3] = {'-', '-', '\0'}; // who ended it and when (HAProxy's codes)
    std::string_view method;
    std::string_view target;
    unsigned version = 11;
    std::string_view request_id;
    std::string_view trace_id; // W3C trace context's ([tracing]); empty when off
    // A TLS client connection: its version ("TLSv1.3"), cipher and SNI name
    // (empty when it sent none); all empty on plain HTTP.
    std::string_view tls_version;
    std::string_view tls_cipher;
    std::string_view sni;
};

// Appends one line (with '\n') for `r` to `out`.
void format_text(const exchange_record& r, std::string& out);
void format_json(const exchange_record& r, std::string& out);

class access_log {
public:
    access_log(bool enabled, bool json, int fd = 1) : enabled_(enabled), json_(json), fd_(fd) {}
    ~access_log() { flush(); }
    bool enabled() const noexcept { return enabled_; }
    void write(const exchange_record& r);
    void flush(); // writes what is buffered (also called every 100 ms by the worker)

private:
    static constexpr std::size_t batch = 3584; // below PIPE_BUF (4096): atomic writes
    bool enabled_;
    bool json_;
    int fd_;
    std::string buffer_;
    std::string line_;
};

} // namespace gw
