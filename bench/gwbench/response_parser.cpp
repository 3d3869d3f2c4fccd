#include "bench/gwbench/response_parser.hpp"

#include <algorithm>
#include <cstring>
#include <string_view>

namespace gw::bench {

namespace {

bool iequals(std::string_view a, std::string_view lower) noexcept {
    if (a.size() != lower.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char c = a[i];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (c != lower[i]) return false;
    }
    return true;
}

std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

// Calls f(token) for each comma-separated token of a field value (RFC 9110 5.6.1).
template <class F> void for_each_token(std::string_view v, F f) {
    while (!v.empty()) {
        auto c = v.find(',');
        f(trim(v.substr(0, c)));
        if (c == std::string_view::npos) break;
        v.remove_prefix(c + 1);
    }
}

bool parse_decimal(std::string_view s, std::uint64_t& out) noexcept {
    if (s.empty() || s.size() > 19) return false;
    std::uint64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return false;
        v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    out = v;
    return true;
}

// Finds "\r\n" in [p, p + n); returns its offset or n.
std::size_t find_crlf(const char* p, std::size_t n) noexcept {
    const char* q = p;
    const char* end = p + n;
    while (q < end) {
        auto* lf =
            static_cast<const char*>(std::memchr(q, '\n', static_cast<std::size_t>(end - q)));
        if (!lf) return n;
        if (lf > p && lf[-1] == '\r') return static_cast<std::size_t>(lf - 1 - p);
        q = lf + 1;
    }
    return n;
}

} // namespace

void response_parser::reset(bool head_request) noexcept {
    state_ = state::head;
    head_request_ = head_request;
    keep_alive_ = false;
    started_ = false;
    status_ = 0;
    remaining_ = 0;
    scanned_ = 0;
}

void response_parser::on_eof() noexcept {
    if (state_ == state::body_eof)
        state_ = state::done;
    else if (state_ != state::done && state_ != state::error)
        state_ = state::truncated;
}

std::size_t response_parser::feed(const char* p, std::size_t n) noexcept {
    std::size_t used = 0;
    if (n > 0) started_ = true;
    while (used < n) {
        const char* q = p + used;
        std::size_t left = n - used;
        switch (state_) {
        case state::head: {
            // Resume the search a few bytes back: the terminator may straddle.
            std::size_t from = scanned_ > 3 ? scanned_ - 3 : 0;
            auto* hit = static_cast<const char*>(memmem(q + from, left - from, "\r\n\r\n", 4));
            if (!hit) {
                scanned_ = left;
                if (left >= max_line) state_ = state::error;
                return used;
            }
            std::size_t head_len = static_cast<std::size_t>(hit - q) + 4;
            scanned_ = 0;
            parse_head(q, head_len);
            used += head_len;
            break;
        }
        case state::body_length: {
            std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, left));
            used += take;
            remaining_ -= take;
            if (remaining_ == 0) state_ = state::done;
            break;
        }
        case state::body_eof:
            used = n;
            break;
        case state::chunk_size: {
            // RFC 9112 7.1: chunk-size [ chunk-ext ] CRLF
            std::size_t eol = find_crlf(q, left);
            if (eol == left) {
                if (left >= max_line) state_ = state::error;
                return used;
            }
            std::string_view line(q, eol);
            line = line.substr(0, line.find(';'));
            line = trim(line);
            std::uint64_t size = 0;
            if (line.empty() || line.size() > 15) {
                state_ = state::error;
                return used;
            }
            for (char c : line) {
                unsigned d;
                if (c >= '0' && c <= '9')
                    d = static_cast<unsigned>(c - '0');
                else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
                    d = static_cast<unsigned>((c | 0x20) - 'a' + 10);
                else {
                    state_ = state::error;
                    return used;
                }
                size = size * 16 + d;
            }
            used += eol + 2;
            remaining_ = size;
            state_ = size ? state::chunk_data : state::trailers;
            break;
        }
        case state::chunk_data: {
            std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, left));
            used += take;
            remaining_ -= take;
            if (remaining_ == 0) state_ = state::chunk_crlf;
            break;
        }
        case state::chunk_crlf:
            if (left < 2) return used;
            if (q[0] != '\r' || q[1] != '\n') {
                state_ = state::error;
                return used;
            }
            used += 2;
            state_ = state::chunk_size;
            break;
        case state::trailers: {
            // RFC 9112 7.1.2: trailer fields, then an empty line.
            std::size_t eol = find_crlf(q, left);
            if (eol == left) {
                if (left >= max_line) state_ = state::error;
                return used;
            }
            used += eol + 2;
            if (eol == 0) state_ = state::done;
            break;
        }
        case state::done:
        case state::error:
        case state::truncated:
            return used;
        }
    }
    return used;
}

void response_parser::parse_head(const char* p, std::size_t n) noexcept {
    std::string_view head(p, n - 2); // keep the last field's CRLF, drop the empty line
    // status-line = HTTP-version SP status-code SP [ reason-phrase ] (RFC 9112 4)
    if (head.size() < 12 || head.substr(0, 7) != "HTTP/1." || head[8] != ' ' ||
        (head[7] != '0' && head[7] != '1')) {
        state_ = state::error;
        return;
    }
    bool http11 = head[7] == '1';
    unsigned code = 0;
    for (std::size_t i = 9; i < 12; ++i) {
        if (head[i] < '0' || head[i] > '9') {
            state_ = state::error;
            return;
        }
        code = code * 10 + static_cast<unsigned>(head[i] - '0');
    }
    if (code < 100 || (head.size() > 12 && head[12] != ' ' && head[12] != '\r')) {
        state_ = state::error;
        return;
    }
    bool close = false, keep = false, chunked = false, te = false, has_length = false;
    std::uint64_t length = 0;
    std::size_t pos = head.find('\n');
    while (pos != std::string_view::npos && pos + 1 < head.size()) {
        std::size_t next = head.find('\n', pos + 1);
        std::string_view line = head.substr(pos + 1, next - pos - 1);
        pos = next;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        auto colon = line.find(':');
        if (colon == std::string_view::npos || colon == 0) {
            state_ = state::error;
            return;
        }
        auto name = line.substr(0, colon);
        auto value = trim(line.substr(colon + 1));
        if (iequals(name, "content-length")) {
            std::uint64_t v = 0;
            if (!parse_decimal(value, v) || (has_length && v != length)) {
                state_ = state::error; // RFC 9112 6.3: an invalid length is unrecoverable
                return;
            }
            has_length = true;
            length = v;
        } else if (iequals(name, "transfer-encoding")) {
            te = true;
            chunked = false; // only a final "chunked" counts (RFC 9112 6.3 rule 4)
            for_each_token(value, [&](std::string_view t) { chunked = iequals(t, "chunked"); });
        } else if (iequals(name, "connection")) {
            for_each_token(value, [&](std::string_view t) {
                if (iequals(t, "close"))
                    close = true;
                else if (iequals(t, "keep-alive"))
                    keep = true;
            });
        }
    }
    status_ = code;
    if (code < 200) {
        if (code == 101) { // we never ask for an upgrade
            state_ = state::error;
            return;
        }
        state_ = state::head; // interim response: the final one follows
        return;
    }
    keep_alive_ = http11 ? !close : (keep && !close);
    // RFC 9112 6.3: HEAD, 204 and 304 have no body whatever the fields say.
    if (head_request_ || code == 204 || code == 304) {
        state_ = state::done;
    } else if (te) {
        if (chunked) {
            state_ = state::chunk_size;
        } else {
            state_ = state::body_eof;
            keep_alive_ = false;
        }
    } else if (has_length) {
        remaining_ = length;
        state_ = length ? state::body_length : state::done;
    } else {
        state_ = state::body_eof;
        keep_alive_ = false;
    }
}

} // namespace gw::bench
