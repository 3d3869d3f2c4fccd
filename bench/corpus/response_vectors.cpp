// The response half of the attack corpus: what a misbehaving origin answers to one request,
// with what the client may see. After each vector the judge sends a probe on the same client
// connection, so a proxy that leaves bytes behind (on the client connection or in a pooled
// server connection) is caught. Grouped by category; each group cites the rule of RFC 9112 /
// RFC 9110 that makes its vectors good or bad.
//
// Conventions: `valid` responses are relayed exactly; `lenient` ones are malformed (502 or a
// close preferred) but relaying one specific reading is still safe; `refuse` ones allow only a
// 502 or a close.
#include "bench/corpus/vectors.hpp"

#include <string>
#include <utility>
#include <vector>

namespace gw::corpus {
namespace {

std::string octet(unsigned value) {
    return std::string(1, static_cast<char>(value));
}

// A second, complete response hidden after the first: it must never answer the probe.
const std::string fake = "HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nsmuggle";

// "HTTP/1.1 200 OK", `fields` (each ending in CRLF), the empty line, then `body` as sent.
std::string ok(const std::string& fields, const std::string& body = {}) {
    return "HTTP/1.1 200 OK\r\n" + fields + "\r\n" + body;
}
const std::string cl5 = "Content-Length: 5\r\n";
const std::string te_chunked = "Transfer-Encoding: chunked\r\n";
const std::string hello_chunked = "5\r\nhello\r\n0\r\n\r\n";

class builder {
public:
    explicit builder(std::vector<response_vector>& out) : out_(out) {}
    void category(std::string name) { category_ = std::move(name); }

    // Well-formed: relayed as `status` with decoded `body`.
    response_vector& valid(std::string name, std::string bytes, unsigned status,
                           std::string body = {}) {
        return add(std::move(name), std::move(bytes), status, std::move(body), true);
    }
    // Malformed: 502 or a close preferred, relaying this one reading is still safe.
    response_vector& lenient(std::string name, std::string bytes, unsigned status,
                             std::string body = {}) {
        return add(std::move(name), std::move(bytes), status, std::move(body), false);
    }
    // Malformed with no safe reading: only a 502 or a close.
    response_vector& refuse(std::string name, std::string bytes) {
        return add(std::move(name), std::move(bytes), 0, {}, false);
    }

private:
    response_vector& add(std::string name, std::string bytes, unsigned status, std::string body,
                         bool valid) {
        response_vector v;
        v.category = category_;
        v.name = std::move(name);
        v.bytes = std::move(bytes);
        v.relay_status = status;
        v.relay_body = std::move(body);
        v.valid = valid;
        out_.push_back(std::move(v));
        return out_.back();
    }

    std::vector<response_vector>& out_;
    std::string category_;
};

// Well-formed framings. RFC 9112 6.3: Content-Length (5), chunked (4), or close-delimited (8);
// RFC 9112 7.1.1 / 7.1.2: extensions and trailers; RFC 9112 4: the reason phrase may be empty
// and may hold obs-text.
void baseline(builder& b) {
    b.category("baseline");
    b.valid("CL 5", ok(cl5, "hello"), 200, "hello");
    b.valid("CL with OWS around the value", ok("Content-Length:  5 \r\n", "hello"), 200, "hello");
    b.valid("chunked", ok(te_chunked, hello_chunked), 200, "hello");
    b.valid("chunked in two chunks with an extension",
            ok(te_chunked, "3;a=b\r\nhel\r\n2\r\nlo\r\n0\r\n\r\n"), 200, "hello");
    b.valid("chunked with a trailer", ok(te_chunked, "5\r\nhello\r\n0\r\nX-T: 1\r\n\r\n"), 200,
            "hello");
    b.valid("Chunked capitalised", ok("Transfer-Encoding: Chunked\r\n", hello_chunked), 200,
            "hello");
    b.valid("close-delimited with Connection: close", ok("Connection: close\r\n", "hello"), 200,
            "hello")
        .close_after = true;
    b.valid("close-delimited without Connection", ok("Content-Type: text/plain\r\n", "hello"), 200,
            "hello")
        .close_after = true;
    b.valid("HTTP/1.0 without length", "HTTP/1.0 200 OK\r\n\r\nhello", 200, "hello").close_after =
        true;
    b.valid("empty reason phrase", "HTTP/1.1 200 \r\n" + cl5 + "\r\nhello", 200, "hello");
    b.valid("obs-text reason phrase", "HTTP/1.1 200 \xc3\x89t\xc3\xa9\r\n" + cl5 + "\r\nhello", 200,
            "hello");
    b.valid("404 with a body", "HTTP/1.1 404 Not Found\r\n" + cl5 + "\r\nnope!", 404, "nope!");
}

// Responses without a body. RFC 9112 6.3 (1): a response to HEAD, and any 1xx, 204 or 304,
// ends at the empty line whatever its fields say; bytes after it are not part of it (RFC 9110
// 9.3.2, 15.3.5, 15.4.5), so they must be dropped, never read as the next response.
void no_body(builder& b) {
    b.category("no-body");
    b.valid("HEAD with CL 5", ok(cl5), 200).method = "HEAD";
    b.valid("HEAD with chunked", ok(te_chunked), 200).method = "HEAD";
    b.valid("204", "HTTP/1.1 204 No Content\r\n\r\n", 204);
    b.valid("304", "HTTP/1.1 304 Not Modified\r\n\r\n", 304);
    // RFC 9110 8.6: a 304 MAY carry the selected representation's Content-Length.
    b.valid("304 with CL 5", "HTTP/1.1 304 Not Modified\r\n" + cl5 + "\r\n", 304);
    // RFC 9110 8.6: a server MUST NOT send Content-Length in a 204, but 6.3 (1) makes the
    // framing unambiguous, so relaying it is right.
    b.valid("204 with CL 0", "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n", 204);
    b.lenient("HEAD answered with a body", ok(cl5, "hello" + fake), 200).method = "HEAD";
    b.lenient("204 followed by a response", "HTTP/1.1 204 No Content\r\n\r\n" + fake, 204);
    b.lenient("204 with CL 5 and a body", "HTTP/1.1 204 No Content\r\n" + cl5 + "\r\nhello", 204);
    b.lenient("304 with a body", "HTTP/1.1 304 Not Modified\r\n" + cl5 + "\r\nhello", 304);
}

// Interim responses. RFC 9110 15.2: 1xx responses precede the final one and a proxy MUST
// forward them (or drop them for HTTP/1.0 clients); 101 only answers an Upgrade request
// (RFC 9110 15.2.2), so an unasked 101 cannot be relayed.
void interim(builder& b) {
    b.category("interim");
    b.valid("100 then 200", "HTTP/1.1 100 Continue\r\n\r\n" + ok(cl5, "hello"), 200, "hello");
    b.valid("two 100s then 200",
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 100 Continue\r\n\r\n" + ok(cl5, "hello"), 200,
            "hello");
    b.valid("102 then 200", "HTTP/1.1 102 Processing\r\n\r\n" + ok(cl5, "hello"), 200, "hello");
    b.valid("103 with Link then 200",
            "HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n" + ok(cl5, "hello"),
            200, "hello");
    // Websocket frame bytes and a whole fake response follow the 101.
    const std::string switching = "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n"
                                  "Upgrade: websocket\r\n\r\n\x81\x05hello";
    b.refuse("101 nobody asked for", switching + fake);
}

// Content-Length. RFC 9110 8.6: 1*DIGIT; identical duplicates (fields or list) MAY be merged.
// RFC 9112 6.3 (3): with Transfer-Encoding, chunked wins and CL is removed before forwarding;
// 6.3 (5): an invalid value in a response is an unrecoverable error (502); a body cut short by
// a close is incomplete (RFC 9112 8); bytes past the length are not the next response.
void content_length(builder& b) {
    b.category("content-length");
    b.lenient("CL 3 with chunked", ok("Content-Length: 3\r\n" + te_chunked, hello_chunked), 200,
              "hello");
    b.lenient("chunked with CL 100", ok(te_chunked + "Content-Length: 100\r\n", hello_chunked), 200,
              "hello");
    b.refuse("CL 5 then CL 6", ok(cl5 + "Content-Length: 6\r\n", "hello!"));
    b.lenient("two CL 5", ok(cl5 + cl5, "hello"), 200, "hello");
    b.lenient("CL list 5, 5", ok("Content-Length: 5, 5\r\n", "hello"), 200, "hello");
    b.refuse("CL list 5, 6", ok("Content-Length: 5, 6\r\n", "hello!"));
    b.refuse("CL -1", ok("Content-Length: -1\r\n", "hello"));
    b.refuse("CL +5", ok("Content-Length: +5\r\n", "hello"));
    b.refuse("CL abc", ok("Content-Length: abc\r\n", "hello"));
    b.refuse("CL 2^64+5 wraps to 5",
             ok("Content-Length: 18446744073709551621\r\n", "hello" + fake));
    // Fits in 64 bits unsigned, not signed: most readers (int64) refuse or misread it.
    b.refuse("CL of 20 digits below 2^64", ok("Content-Length: 00010400600000000000007\r\n", "hello"));
    b.refuse("CL 10 with 5 bytes then close", ok("Content-Length: 10\r\n", "hello")).close_after =
        true;
    b.lenient("more bytes than CL: a second response follows", ok(cl5, "hello" + fake), 200,
              "hello");
}

// Transfer-Encoding. RFC 9112 6.3 (4): in a response whose final coding is not chunked the body
// runs to the close; 6.1: Transfer-Encoding in HTTP/1.0 is faulty framing; chunked MUST NOT be
// applied twice (RFC 9112 7). Without the close there is no end: only 502 or a close is safe.
void transfer_encoding(builder& b) {
    b.category("transfer-encoding");
    b.refuse("gzip alone, connection kept open", ok("Transfer-Encoding: gzip\r\n", "hello"));
    b.lenient("gzip alone, then close", ok("Transfer-Encoding: gzip\r\n", "hello"), 200, "hello")
        .close_after = true;
    b.refuse("xchunked, connection kept open",
             ok("Transfer-Encoding: xchunked\r\n", hello_chunked));
    b.refuse("chunked, chunked", ok("Transfer-Encoding: chunked, chunked\r\n", hello_chunked));
    b.refuse("chunked in HTTP/1.0", "HTTP/1.0 200 OK\r\n" + te_chunked + "\r\n" + hello_chunked);
    b.refuse("chunked, gzip", ok("Transfer-Encoding: chunked, gzip\r\n", hello_chunked));
}

// Chunk syntax. RFC 9112 7.1: chunk-size = 1*HEXDIG, data followed by CRLF, ended by the last
// chunk and the trailer section. RFC 9112 2.2 lets a recipient take a bare LF as a line end, so
// re-framing an LF-only chunk line is a safe reading.
void chunked(builder& b) {
    b.category("chunked");
    b.refuse("non-hex size zz", ok(te_chunked, "zz\r\nhello\r\n0\r\n\r\n"));
    b.refuse("17 hex digits wrapping to 5",
             ok(te_chunked, "10000000000000005\r\nhello\r\n0\r\n\r\n" + fake));
    b.refuse("data not followed by CRLF", ok(te_chunked, "5\r\nhelloXX0\r\n\r\n"));
    b.refuse("space after the size", ok(te_chunked, "5 \r\nhello\r\n0\r\n\r\n"));
    b.refuse("data longer than the size", ok(te_chunked, "3\r\nhello\r\n0\r\n\r\n"));
    b.lenient("LF-only after the size", ok(te_chunked, "5\nhello\r\n0\r\n\r\n"), 200, "hello");
    b.refuse("missing last chunk then close", ok(te_chunked, "5\r\nhello\r\n")).close_after = true;
}

// Head syntax. RFC 9112 2.2: a bare LF MAY end a line, a bare CR is invalid or replaced by SP;
// RFC 9112 5.2: a proxy MUST either 502 an obs-fold or replace it with SP before forwarding;
// RFC 9112 5.1: a proxy MUST remove whitespace before a colon in a response before forwarding;
// RFC 9110 5.5: NUL is rejected or replaced by SP. Each has one reading a proxy may relay.
void head_syntax(builder& b) {
    b.category("head-syntax");
    b.lenient("bare LF line ends", "HTTP/1.1 200 OK\nContent-Length: 5\n\nhello", 200, "hello");
    b.lenient("obs-fold in a field", ok("X-A: a\r\n b\r\n" + cl5, "hello"), 200, "hello");
    b.lenient("obs-folded CL", ok("Content-Length:\r\n 5\r\n", "hello"), 200, "hello");
    b.lenient("NUL in a value", ok("X-A: a" + octet(0) + "b\r\n" + cl5, "hello"), 200, "hello");
    b.lenient("bare CR in a value", ok("X-A: a\rb\r\n" + cl5, "hello"), 200, "hello");
    b.lenient("space before the colon of CL", ok("Content-Length : 5\r\n", "hello"), 200, "hello");
    b.refuse("line without a colon", ok("X-No-Colon\r\n" + cl5, "hello"));
}

// Status line. RFC 9112 4: status-line = HTTP-version SP status-code SP [ reason-phrase ],
// status-code = 3DIGIT, HTTP-name "HTTP" case-sensitive; RFC 9110 2.5: another major version
// is not HTTP/1.x.
void status_line(builder& b) {
    b.category("status-line");
    b.refuse("four-digit status 2000", "HTTP/1.1 2000 OK\r\n" + cl5 + "\r\nhello");
    b.refuse("no status code", "HTTP/1.1 OK\r\n" + cl5 + "\r\nhello");
    b.refuse("no SP between code and reason", "HTTP/1.1 200OK\r\n" + cl5 + "\r\nhello");
    b.refuse("lowercase http/1.1", "http/1.1 200 OK\r\n" + cl5 + "\r\nhello");
    b.refuse("HTTP/2.0", "HTTP/2.0 200 OK\r\n" + cl5 + "\r\nhello");
    b.refuse("garbage instead of a status line", "hello world\r\n" + cl5 + "\r\nhello");
    // Only the SP before an absent reason is missing: the code is still unambiguous.
    b.lenient("no SP after the code", "HTTP/1.1 200\r\n" + cl5 + "\r\nhello", 200, "hello");
}

// Connection. RFC 9110 7.6.1: a proxy removes the fields Connection names; naming a framing
// field must not cost the framing (relaying by the original length is safe). RFC 9112 9.6: a
// response with "close", or an HTTP/1.0 one without keep-alive, ends the connection: the proxy
// must not reuse it even if the server keeps it open.
void connection(builder& b) {
    b.category("connection");
    b.lenient("content-length named with a CL body",
              ok("Connection: content-length\r\n" + cl5, "hello"), 200, "hello");
    b.lenient("transfer-encoding named with a chunked body",
              ok("Connection: transfer-encoding\r\n" + te_chunked, hello_chunked), 200, "hello");
    b.valid("close with CL, then the server closes", ok("Connection: close\r\n" + cl5, "hello"),
            200, "hello")
        .close_after = true;
    b.valid("close with CL, the server keeps the connection",
            ok("Connection: close\r\n" + cl5, "hello" + fake), 200, "hello");
    b.valid("HTTP/1.0 with CL, the server keeps the connection",
            "HTTP/1.0 200 OK\r\n" + cl5 + "\r\nhello" + fake, 200, "hello");
}

std::vector<response_vector> build() {
    std::vector<response_vector> out;
    builder b(out);
    baseline(b);
    no_body(b);
    interim(b);
    content_length(b);
    transfer_encoding(b);
    chunked(b);
    head_syntax(b);
    status_line(b);
    connection(b);
    return out;
}

} // namespace

const std::vector<response_vector>& response_vectors() {
    static const std::vector<response_vector> vectors = build();
    return vectors;
}

} // namespace gw::corpus
