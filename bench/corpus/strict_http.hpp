#pragma once
// A strict HTTP/1.1 reader (RFC 9112, RFC 9110), independent of Beast: what a
// server that reads the one way the RFCs allow sees in a byte stream. It never
// guesses: any oddity a lenient parser would tolerate (bare LF, obs-fold, space
// before the colon, duplicate or list-valued Content-Length, Content-Length with
// Transfer-Encoding, a coding other than chunked, a Connection header naming a
// framing field, bad chunk syntax, a forbidden trailer field, a missing or
// doubled Host...) is reported, and reading stops at the first oddity that
// leaves the message's end unknown.
//
// Used by the corpus observer (what reached the server), the corpus judge (what
// reached the client) and the fuzzers' differential property. No I/O.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gw::corpus {

struct field {
    std::string name; // as sent
    std::string value; // without surrounding OWS
};

struct message {
    // Request line (requests only).
    std::string method;
    std::string target;
    // Status line (responses only).
    unsigned status = 0;
    std::string reason;
    int version = 11; // 10 or 11
    std::vector<field> fields;
    std::vector<field> trailers;
    std::string body; // decoded (chunked framing removed)
    bool chunked = false;
    std::optional<std::uint64_t> content_length;
    bool close_delimited = false; // response body that ends with the connection
    std::string head;             // the raw head, start line to the empty line

    // First value of a field (case-insensitive name), nullopt when absent.
    std::optional<std::string_view> get(std::string_view name) const;
    // How many fields of that name.
    std::size_t count(std::string_view name) const;
};

struct parse_result {
    std::vector<message> messages; // complete messages, in order
    std::vector<std::string> oddities; // empty: everything was strictly valid
    std::size_t consumed = 0;    // bytes of the complete messages
    bool incomplete = false;     // bytes after the last message that are not a whole one
};

// Reads every request in `bytes` (one connection's stream, in order).
// Request-specific rules: request-line syntax (token method, one SP, a target
// without whitespace or CTLs, HTTP/1.0 or HTTP/1.1), exactly one Host with a
// valid uri-host[:port] in HTTP/1.1 (RFC 9112 3.2), no Transfer-Encoding in
// HTTP/1.0, a body only by Content-Length or chunked (RFC 9112 6.3).
parse_result parse_requests(std::string_view bytes);

// Reads every response in `bytes`. `methods[i]` is the method of the i-th
// request on the connection (HEAD responses have no body; a 2xx to CONNECT
// neither). Interim 1xx responses (other than 101) are reported as messages of
// their own and do not consume a method. `eof`: the stream ended there (a
// close-delimited body is complete only then).
parse_result parse_responses(std::string_view bytes, const std::vector<std::string>& methods,
                             bool eof);

// Host syntax alone (RFC 9110 7.2 / RFC 3986 3.2.2): uri-host [":" port] with
// a reg-name, IPv4address or IP-literal and an optional port of 1-5 digits
// up to 65535; no userinfo, no whitespace.
bool valid_host(std::string_view value);

} // namespace gw::corpus
