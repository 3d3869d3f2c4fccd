#pragma once
// The load generator's HTTP/1.1 response parser: just enough to find where a
// response ends and what it said. Status, framing (Content-Length, chunked, or
// delimited by the close: RFC 9112 6.3) and keep-alive are kept; field values and
// body bytes are skipped. Incremental, allocation-free; the caller owns the bytes.

#include <cstddef>
#include <cstdint>

namespace gw::bench {

class response_parser {
public:
    // Starts a new response. `head_request`: the request was HEAD, so the response
    // has no body whatever its framing says (RFC 9110 9.3.2).
    void reset(bool head_request) noexcept;

    // Consumes a prefix of [p, p + n) and returns its length. A head (status line
    // and fields) is consumed only once it is complete: until then nothing is
    // used, and the caller presents the same unconsumed bytes again with more
    // after them. Interim 1xx responses are skipped. Never reads past p + n.
    std::size_t feed(const char* p, std::size_t n) noexcept;

    // The peer closed: ends a close-delimited body; any other response still in
    // progress becomes an error (truncated).
    void on_eof() noexcept;

    bool done() const noexcept { return state_ == state::done; }
    bool failed() const noexcept { return state_ == state::error || state_ == state::truncated; }
    // The peer closed before the response was complete (a reset, not bad syntax).
    bool truncated() const noexcept { return state_ == state::truncated; }
    // Whether any byte of the current response was consumed.
    bool started() const noexcept { return started_; }
    unsigned status() const noexcept { return status_; }
    // After done(): whether the connection may carry another request (RFC 9112 9.3).
    bool keep_alive() const noexcept { return keep_alive_; }

    // Longest head or chunk-size line accepted (bytes).
    static constexpr std::size_t max_line = 64 * 1024;

private:
    enum class state {
        head,
        body_length,
        body_eof,
        chunk_size,
        chunk_data,
        chunk_crlf,
        trailers,
        done,
        error,
        truncated
    };

    // Parses a complete head [p, p + n) (n includes the final CRLFCRLF).
    void parse_head(const char* p, std::size_t n) noexcept;

    state state_ = state::head;
    bool head_request_ = false;
    bool keep_alive_ = false;
    bool started_ = false;
    unsigned status_ = 0;
    std::uint64_t remaining_ = 0; // body or chunk bytes left
    std::size_t scanned_ = 0;     // head bytes already searched for the end
};

} // namespace gw::bench
