#include "gateway/observe/access_log.hpp"

#include <cstdio>
#include <ctime>

#include <unistd.h>

namespace gw {

namespace {

// "28/Nov/2026:10:55:01.123" (UTC), HAProxy's accept date.
void format_date(std::chrono::system_clock::time_point t, std::string& out) {
    static const char* const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const auto secs = std::chrono::system_clock::to_time_t(t);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count() % 1000;
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[40];
    std::snprintf(buf, sizeof buf, "%02d/%s/%04d:%02d:%02d:%02d.%03lld", tm.tm_mday, months[tm.tm_mon],
                  tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<long long>(ms));
    out += buf;
}

// Request targets come from the network: keep the line one line and printable.
void append_sanitized(std::string_view v, std::string& out, bool json) {
    for (char c : v) {
        const auto u = static_cast<unsigned char>(c);
        if (json && (c == '"' || c == '\\')) {
            out += '\\';
            out += c;
        } else if (u < 0x20 || u == 0x7f || (!json && c == '"')) {
            char esc[8];
            std::snprintf(esc, sizeof esc, json ? "\\u%04x" : "%%%02X", u);
            out += esc;
        } else {
            out += c;
        }
    }
}

void append_ms(long v, std::string& out) {
    out += v < 0 ? std::string("-1") : std::to_string(v);
}

} // namespace

void format_text(const exchange_record& r, std::string& out) {
    out.append(r.client).append(" [");
    format_date(r.accepted, out);
    out.append("] ").append(r.listener).append(" ").append(r.backend).append("/").append(r.server).append(" ");
    append_ms(r.queue_ms, out);
    out += '/';
    append_ms(r.connect_ms, out);
    out += '/';
    append_ms(r.response_ms, out);
    out += '/';
    append_ms(r.total_ms, out);
    out.append(" ").append(std::to_string(r.status)).append(" ").append(std::to_string(r.bytes_out));
    out.append(" ").append(r.termination).append(" \"");
    append_sanitized(r.method, out, false);
    out += ' ';
    append_sanitized(r.target, out, false);
    out.append(r.version >= 11 ? " HTTP/1.1\" " : " HTTP/1.0\" ");
    append_sanitized(r.request_id.empty() ? "-" : r.request_id, out, false);
    if (!r.tls_version.empty()) { // TLS: one more field, version/cipher/SNI
        out.append(" ").append(r.tls_version).append("/").append(r.tls_cipher).append("/");
        append_sanitized(r.sni.empty() ? "-" : r.sni, out, false);
    }
    if (!r.trace_id.empty()) // (hex digits: nothing to sanitize)
        out.append(" trace=").append(r.trace_id);
    out += '\n';
}

void format_json(const exchange_record& r, std::string& out) {
    out.append("{\"client\":\"").append(r.client).append("\",\"time\":\"");
    format_date(r.accepted, out);
    out.append("\",\"listener\":\"").append(r.listener).append("\",\"backend\":\"").append(r.backend);
    out.append("\",\"server\":\"").append(r.server).append("\",\"queue_ms\":");
    append_ms(r.queue_ms, out);
    out.append(",\"connect_ms\":");
    append_ms(r.connect_ms, out);
    out.append(",\"response_ms\":");
    append_ms(r.response_ms, out);
    out.append(",\"total_ms\":");
    append_ms(r.total_ms, out);
    out.append(",\"status\":").append(std::to_string(r.status));
    out.append(",\"bytes\":").append(std::to_string(r.bytes_out));
    out.append(",\"termination\":\"").append(r.termination).append("\",\"method\":\"");
    append_sanitized(r.method, out, true);
    out.append("\",\"target\":\"");
    append_sanitized(r.target, out, true);
    out.append(r.version >= 11 ? "\",\"version\":\"HTTP/1.1\",\"request_id\":\"" : "\",\"version\":\"HTTP/1.0\",\"request_id\":\"");
    append_sanitized(r.request_id, out, true);
    if (!r.tls_version.empty()) {
        out.append("\",\"tls_version\":\"").append(r.tls_version);
        out.append("\",\"tls_cipher\":\"").append(r.tls_cipher).append("\",\"sni\":\"");
        append_sanitized(r.sni, out, true);
    }
    if (!r.trace_id.empty())
        out.append("\",\"trace_id\":\"").append(r.trace_id);
    out.append("\"}\n");
}

void access_log::write(const exchange_record& r) {
    if (!enabled_)
        return;
    line_.clear();
    if (json_)
        format_json(r, line_);
    else
        format_text(r, line_);
    if (buffer_.size() + line_.size() > batch)
        flush();
    buffer_ += line_;
}

void access_log::flush() {
    std::size_t done = 0;
    while (done < buffer_.size()) {
        const ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
        if (n <= 0)
            break; // stdout gone: drop the lines rather than stall the worker
        done += static_cast<std::size_t>(n);
    }
    buffer_.clear();
}

} // namespace gw
