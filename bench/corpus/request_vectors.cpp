// The request half of the attack corpus: byte streams a client sends through the proxy, each
// with the readings of it that are safe (see vectors.hpp for how they are judged). Grouped by
// category; each group says which rule of RFC 9112 / RFC 9110 makes its vectors good or bad.
//
// Conventions: `valid` vectors are well-formed and must reach the server exactly; `reject`
// vectors are refused from their first byte, with `also` listing lenient readings that still
// leave the proxy and the server agreeing on every boundary; `partial` vectors forward a good
// prefix and refuse the rest. The Content-Length reading of a message that also carries
// Transfer-Encoding is never listed as safe (RFC 9112 6.3 (3)).
#include "bench/corpus/vectors.hpp"

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace gw::corpus {
namespace {

// One byte by value, so a control byte is never swallowed by the escape next to it ("\x0bc").
std::string octet(unsigned value) {
    return std::string(1, static_cast<char>(value));
}

const std::string nul = octet(0x00);
const std::string host_line = "Host: corpus.test\r\n";

std::string hex(std::size_t n) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    do {
        out.insert(out.begin(), digits[n % 16]);
        n /= 16;
    } while (n != 0);
    return out;
}

intended req(std::string method, std::string target = "/", std::string body = {},
             std::string host = std::string(default_host)) {
    return intended{std::move(method), std::move(target), std::move(host), std::move(body)};
}
intended get(std::string target = "/") {
    return req("GET", std::move(target));
}
intended post(std::string body) {
    return req("POST", "/", std::move(body));
}

// "GET <target> HTTP/1.1", the default Host, `fields` (each ending in CRLF), the empty line.
std::string get_with(const std::string& fields = {}, const std::string& target = "/") {
    return "GET " + target + " HTTP/1.1\r\n" + host_line + fields + "\r\n";
}
// "POST / HTTP/1.1", the default Host, `fields`, the empty line, then `body` as sent.
std::string post_with(const std::string& fields, const std::string& body) {
    return "POST / HTTP/1.1\r\n" + host_line + fields + "\r\n" + body;
}
std::string cl(std::size_t n) {
    return "Content-Length: " + std::to_string(n) + "\r\n";
}
std::string post_cl(const std::string& body) {
    return post_with(cl(body.size()), body);
}
// Any method, HTTP/1.1, default Host, a Content-Length body.
std::string with_body(const std::string& method, const std::string& body) {
    return method + " / HTTP/1.1\r\n" + host_line + cl(body.size()) + "\r\n" + body;
}

const std::string te_chunked = "Transfer-Encoding: chunked\r\n";
// One chunk of `data` with its size in lowercase hex.
std::string chunk(const std::string& data) {
    return hex(data.size()) + "\r\n" + data + "\r\n";
}
// `data` as one chunk (none when empty), the last chunk, `trailers`, the final CRLF.
std::string chunked(const std::string& data, const std::string& trailers = {}) {
    return (data.empty() ? std::string() : chunk(data)) + "0\r\n" + trailers + "\r\n";
}
// A chunked POST whose body is sent as `encoded` (framing already applied).
std::string post_te(const std::string& encoded, const std::string& extra_fields = {}) {
    return post_with(te_chunked + extra_fields, encoded);
}
// "hello" in one chunk whose size line is `size_line` (no CRLF), then the last chunk.
std::string post_size_line(const std::string& size_line) {
    return post_te(size_line + "\r\nhello\r\n0\r\n\r\n");
}

class builder {
public:
    explicit builder(std::vector<request_vector>& out) : out_(out) {}
    void category(std::string name) { category_ = std::move(name); }

    // Well-formed: the server sees exactly `expect`, nothing is left to refuse.
    request_vector& valid(std::string name, std::string bytes, reading expect) {
        return add(std::move(name), std::move(bytes), std::move(expect), false, {});
    }
    // Ambiguous or malformed from the start: refused; `also` are lenient readings still safe.
    request_vector& reject(std::string name, std::string bytes, std::vector<reading> also = {}) {
        return add(std::move(name), std::move(bytes), {}, true, std::move(also));
    }
    // `expect` is forwarded, then the rest is refused.
    request_vector& partial(std::string name, std::string bytes, reading expect,
                            std::vector<reading> also = {}) {
        return add(std::move(name), std::move(bytes), std::move(expect), true, std::move(also));
    }

private:
    request_vector& add(std::string name, std::string bytes, reading expect, bool then_reject,
                        std::vector<reading> also) {
        request_vector v;
        v.category = category_;
        v.name = std::move(name);
        v.bytes = std::move(bytes);
        v.expect = std::move(expect);
        v.then_reject = then_reject;
        v.also_safe = std::move(also);
        out_.push_back(std::move(v));
        return out_.back();
    }

    std::vector<request_vector>& out_;
    std::string category_;
};

// Sends `v` in pieces of `piece` bytes with `pause_ms` between them.
void pace(request_vector& v, std::size_t piece, int pause_ms) {
    v.piece = piece;
    v.pause_ms = pause_ms;
}

// CL.TE: both framings, aimed at a front end that trusts Content-Length. RFC 9112 6.1: a server
// MAY reject such a request or process it by Transfer-Encoding alone, and MUST close the
// connection after responding; RFC 9112 6.3 (3): an intermediary forwarding it MUST remove the
// Content-Length first. So the chunked reading, then nothing more, is the only lenient outcome.
void cl_te(builder& b) {
    b.category("CL.TE");
    b.reject("CL 6 with chunked: a G after the last chunk starts the next request",
             post_with(cl(6) + te_chunked, "0\r\n\r\nG"), {{post("")}});
    b.reject("chunked before CL 6: field order changes nothing",
             post_with(te_chunked + cl(6), "0\r\n\r\nG"), {{post("")}});
    {
        const std::string body = "0\r\n\r\nGET /admin HTTP/1.1\r\nX-Ignore: x";
        b.reject("CL covers the start of a GET /admin after the last chunk",
                 post_with(cl(body.size()) + te_chunked, body), {{post("")}});
    }
    {
        // The connection must close after the chunked message: GET /admin is never read.
        const std::string body = "0\r\n\r\n" + get_with({}, "/admin");
        b.reject("CL covers a whole GET /admin after the last chunk",
                 post_with(cl(body.size()) + te_chunked, body), {{post("")}});
    }
    b.reject("CL 4 shorter than the chunked body", post_with(cl(4) + te_chunked, chunked("hello")),
             {{post("hello")}});
    b.reject("CL 0 with a chunked body", post_with(cl(0) + te_chunked, chunked("hello")),
             {{post("hello")}});
    b.reject("CL equal to the encoded chunked length",
             post_with(cl(chunked("hello").size()) + te_chunked, chunked("hello")),
             {{post("hello")}});
    b.reject("CL 100 beyond the chunked body", post_with(cl(100) + te_chunked, "0\r\n\r\n"),
             {{post("")}});
    b.reject("mixed-case ChUnKeD with CL 6",
             post_with(cl(6) + "Transfer-Encoding: ChUnKeD\r\n", "0\r\n\r\nG"), {{post("")}});
    b.reject("GET with CL 6 and chunked",
             "GET / HTTP/1.1\r\n" + host_line + cl(6) + te_chunked + "\r\n0\r\n\r\nG", {{get()}});
    // RFC 9112 6.1: Transfer-Encoding in HTTP/1.0 means the framing is faulty, CL or not.
    b.reject("HTTP/1.0 with CL 6 and chunked",
             "POST / HTTP/1.0\r\n" + host_line + cl(6) + te_chunked + "\r\n0\r\n\r\nG");
    b.partial("CL.TE after a valid GET", get_with() + post_with(cl(6) + te_chunked, "0\r\n\r\nG"),
              {get()}, {{get(), post("")}});
    b.reject("two CL 6 with chunked", post_with(cl(6) + cl(6) + te_chunked, "0\r\n\r\nG"),
             {{post("")}});
    b.reject("invalid CL +6 with chunked: Transfer-Encoding still decides",
             post_with("Content-Length: +6\r\n" + te_chunked, "0\r\n\r\nG"), {{post("")}});
    b.reject("CL 5 matching a bare last chunk", post_with(cl(5) + te_chunked, "0\r\n\r\n"),
             {{post("")}});
}

// TE.CL: both framings, aimed at a back end that trusts Content-Length (the chunk data holds the
// smuggled request). Same rules: RFC 9112 6.1 and 6.3 (3); only the chunked reading is safe, and
// only when the Transfer-Encoding is exactly a valid "chunked" (RFC 9112 6.1: an unknown coding
// is 501, a final coding other than chunked is 400 by 6.3 (4)).
void te_cl(builder& b) {
    b.category("TE.CL");
    const std::string smuggled = chunked("SMUGGLED");
    {
        const std::string data = "GPOST / HTTP/1.1\r\nContent-Type: application/x-www-form-"
                                 "urlencoded\r\nContent-Length: 15\r\n\r\nx=1";
        b.reject("CL 4 ends inside a chunk holding a GPOST request",
                 post_with(cl(4) + te_chunked, chunked(data)), {{post(data)}});
    }
    b.reject("CL 3 ends after the size line of SMUGGLED", post_with(cl(3) + te_chunked, smuggled),
             {{post("SMUGGLED")}});
    {
        const std::string data = get_with({}, "/admin");
        b.reject("CL covers only the size line of a chunk holding GET /admin",
                 post_with(cl(hex(data.size()).size() + 2) + te_chunked, chunked(data)),
                 {{post(data)}});
    }
    // RFC 9110 5.6.3: HTAB is OWS, so this is the chunked coding.
    b.reject("tab before chunked with CL 3",
             post_with(cl(3) + "Transfer-Encoding:\tchunked\r\n", smuggled), {{post("SMUGGLED")}});
    // RFC 9112 5.2: obs-fold in a request is rejected or replaced by SP before interpretation.
    b.reject("obs-folded chunked with CL 3",
             post_with(cl(3) + "Transfer-Encoding:\r\n chunked\r\n", smuggled),
             {{post("SMUGGLED")}});
    b.reject("lowercase transfer-encoding name with CL 3",
             post_with(cl(3) + "transfer-encoding: chunked\r\n", smuggled), {{post("SMUGGLED")}});
    b.reject("CL 50 beyond the chunked body", post_with(cl(50) + te_chunked, smuggled),
             {{post("SMUGGLED")}});
    b.partial("TE.CL after a valid GET", get_with() + post_with(cl(3) + te_chunked, smuggled),
              {get()}, {{get(), post("SMUGGLED")}});
    // Obfuscated Transfer-Encoding: no safe reading, the CL one least of all.
    b.reject("xchunked with CL 3", post_with(cl(3) + "Transfer-Encoding: xchunked\r\n", smuggled));
    // RFC 9112 5.1: whitespace between field name and colon MUST be rejected with 400.
    b.reject("space before the colon of Transfer-Encoding with CL 3",
             post_with(cl(3) + "Transfer-Encoding : chunked\r\n", smuggled));
    // RFC 9110 5.6.3: VT is not OWS, so "chunked<VT>" is not the chunked coding.
    b.reject("chunked followed by VT with CL 3",
             post_with(cl(3) + "Transfer-Encoding: chunked" + octet(0x0b) + "\r\n", smuggled));
    b.reject("chunked then identity in a second field with CL 3",
             post_with(cl(3) + te_chunked + "Transfer-Encoding: identity\r\n", smuggled));
    b.reject("identity, chunked with CL 3",
             post_with(cl(3) + "Transfer-Encoding: identity, chunked\r\n", smuggled));
}

// Content-Length alone. RFC 9110 8.6: Content-Length = 1*DIGIT; identical duplicates (as fields
// or as a list) MAY be replaced by one value or rejected. RFC 9112 6.3 (5): any other invalid
// value is an unrecoverable framing error (400, close).
void content_length(builder& b) {
    b.category("content-length");
    b.valid("CL 5", post_cl("hello"), {post("hello")});
    b.valid("CL 0", post_cl(""), {post("")});
    b.valid("CL with spaces around the value", post_with("Content-Length:   5  \r\n", "hello"),
            {post("hello")});
    b.valid("CL with tabs around the value", post_with("Content-Length:\t5\t\r\n", "hello"),
            {post("hello")});
    b.valid("CL with leading zeros 005", post_with("Content-Length: 005\r\n", "hello"),
            {post("hello")});
    {
        const std::string body = "a\r\n" + nul + "b\r\n\r\nc";
        b.valid("CL body with CRLFs and a NUL", post_cl(body), {post(body)});
    }
    b.reject("two CL 5", post_with(cl(5) + cl(5), "hello"), {{post("hello")}});
    b.reject("two CL 5 with differently cased names",
             post_with("content-length: 5\r\nContent-Length: 5\r\n", "hello"), {{post("hello")}});
    b.reject("CL 5 then CL 6", post_with(cl(5) + cl(6), "hello!"));
    b.reject("CL 6 then CL 5", post_with(cl(6) + cl(5), "hello!"));
    b.reject("CL list 5, 5", post_with("Content-Length: 5, 5\r\n", "hello"), {{post("hello")}});
    b.reject("CL list 5,5", post_with("Content-Length: 5,5\r\n", "hello"), {{post("hello")}});
    b.reject("CL list 5, 6", post_with("Content-Length: 5, 6\r\n", "hello!"));
    // RFC 9110 5.6.1: empty list elements are ignored, so "5," may read as the list (5).
    b.reject("CL with a trailing comma", post_with("Content-Length: 5,\r\n", "hello"),
             {{post("hello")}});
    // RFC 9112 5.2: obs-fold replaced by SP leaves the value 5.
    b.reject("obs-folded CL", post_with("Content-Length:\r\n 5\r\n", "hello"), {{post("hello")}});
    b.reject("CL +5", post_with("Content-Length: +5\r\n", "hello"));
    b.reject("CL -1", post_with("Content-Length: -1\r\n", "hello"));
    b.reject("CL 0x5", post_with("Content-Length: 0x5\r\n", "hello"));
    b.reject("CL 5 5", post_with("Content-Length: 5 5\r\n", "hello"));
    b.reject("CL 1e1", post_with("Content-Length: 1e1\r\n", "helloworld"));
    b.reject("CL 5.0", post_with("Content-Length: 5.0\r\n", "hello"));
    b.reject("CL 5a", post_with("Content-Length: 5a\r\n", "hello"));
    b.reject("CL quoted", post_with("Content-Length: \"5\"\r\n", "hello"));
    b.reject("CL empty", post_with("Content-Length:\r\n", "hello\r\n\r\n"));
    b.reject("CL of 20 nines", post_with("Content-Length: 99999999999999999999\r\n", "hello"));
    b.reject("CL of 20 digits below 2^64", post_with("Content-Length: 10400600000000000007\r\n", "hello"));
    // A parser that wraps at 2^64 reads 5 and takes the GET as a second request.
    b.reject("CL 2^64+5 wraps to 5",
             post_with("Content-Length: 18446744073709551621\r\n", "hello" + get_with()));
    // A parser that wraps at 2^32 reads 5. The real body never arrives, so nothing completes.
    b.reject("CL 2^32+5 wraps to 5 in 32 bits",
             post_with("Content-Length: 4294967301\r\n", "hello" + get_with()));
    // RFC 9112 2.2 / 3: what follows the body is the next request-line; "llo" is not one.
    b.partial("CL 2 then the rest of the body as a bad request-line",
              post_with(cl(2), "hello\r\n\r\n"), {post("he")});
}

// Transfer-Encoding alone. RFC 9112 6.1 / 7: coding names are case-insensitive tokens, chunked
// MUST be final and applied once; RFC 9112 6.3 (4): a request whose final coding is not chunked
// is 400; an unknown coding is 501 (6.1). TE in HTTP/1.0 is faulty framing (6.1).
void transfer_encoding(builder& b) {
    b.category("transfer-encoding");
    const std::string hello = chunked("hello");
    b.valid("chunked", post_te(hello), {post("hello")});
    b.valid("Chunked capitalised", post_with("Transfer-Encoding: Chunked\r\n", hello),
            {post("hello")});
    b.valid("CHUNKED upper case", post_with("Transfer-Encoding: CHUNKED\r\n", hello),
            {post("hello")});
    b.valid("chunked with spaces around it", post_with("Transfer-Encoding:   chunked  \r\n", hello),
            {post("hello")});
    b.valid("chunked without space after the colon",
            post_with("Transfer-Encoding:chunked\r\n", hello), {post("hello")});
    b.reject("chunked, chunked", post_with("Transfer-Encoding: chunked, chunked\r\n", hello));
    b.reject("two chunked fields", post_with(te_chunked + te_chunked, hello));
    b.reject("gzip, chunked (501)", post_with("Transfer-Encoding: gzip, chunked\r\n", hello));
    b.reject("chunked, gzip", post_with("Transfer-Encoding: chunked, gzip\r\n", hello));
    b.reject("gzip alone", post_with("Transfer-Encoding: gzip\r\n", hello));
    b.reject("identity", post_with("Transfer-Encoding: identity\r\n", hello));
    b.reject("xchunked", post_with("Transfer-Encoding: xchunked\r\n", hello));
    b.reject("chnked typo", post_with("Transfer-Encoding: chnked\r\n", hello));
    b.reject("quoted chunked", post_with("Transfer-Encoding: \"chunked\"\r\n", hello));
    // RFC 9112 7: transfer-parameter = token BWS "=" BWS ( token / quoted-string ).
    b.reject("chunked;x parameter without a value",
             post_with("Transfer-Encoding: chunked;x\r\n", hello));
    // Syntactically a parameter; chunked defines none, but decoding chunked is still one reading.
    b.reject("chunked;q=1", post_with("Transfer-Encoding: chunked;q=1\r\n", hello),
             {{post("hello")}});
    // RFC 9110 5.6.1: empty list elements are ignored, leaving chunked final.
    b.reject("chunked then an empty Transfer-Encoding field",
             post_with(te_chunked + "Transfer-Encoding:\r\n", hello), {{post("hello")}});
    // RFC 9112 5.2: obs-fold is rejected or replaced by SP.
    b.reject("obs-folded chunked", post_with("Transfer-Encoding:\r\n chunked\r\n", hello),
             {{post("hello")}});
    b.reject("chunked in HTTP/1.0",
             "POST / HTTP/1.0\r\n" + host_line + te_chunked + "\r\n" + hello);
    // RFC 9112 5.1: whitespace before the colon MUST be rejected.
    b.reject("space before the colon of a lone Transfer-Encoding",
             post_with("Transfer-Encoding : chunked\r\n", hello));
    // RFC 9110 5.6.3: VT and FF are not OWS.
    b.reject("VT before chunked",
             post_with("Transfer-Encoding:" + octet(0x0b) + "chunked\r\n", hello));
    b.reject("FF before chunked",
             post_with("Transfer-Encoding:" + octet(0x0c) + "chunked\r\n", hello));
    b.reject("NBSP after chunked",
             post_with("Transfer-Encoding: chunked" + octet(0xa0) + "\r\n", hello));
    // An empty Transfer-Encoding names no coding. Ignoring it leaves a POST without a body and
    // "5" as the next request-line, refused: a safe reading too.
    b.reject("empty Transfer-Encoding", post_with("Transfer-Encoding:\r\n", hello), {{post("")}});
    // "_" is a tchar (RFC 9110 5.6.2): Transfer_Encoding is some other field, so the POST has no
    // body and "5" is the next request-line, which is refused.
    b.partial("Transfer_Encoding is not Transfer-Encoding",
              post_with("Transfer_Encoding: chunked\r\n", hello), {post("")});
}

// Chunk size lines. RFC 9112 7.1: chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF,
// chunk-size = 1*HEXDIG; no sign, prefix or whitespace before the size, data followed by CRLF.
// RFC 9112 2.2 lets a recipient take a bare LF as a line end, so an LF-only line end has one
// lenient reading (decoded and re-framed, the server agrees).
void chunk_size(builder& b) {
    b.category("chunk-size");
    b.valid("two chunks 3 and 2", post_te(chunk("hel") + chunk("lo") + "0\r\n\r\n"),
            {post("hello")});
    b.valid("upper-case hex A", post_te("A\r\n0123456789\r\n0\r\n\r\n"), {post("0123456789")});
    b.valid("lower-case hex a", post_te("a\r\n0123456789\r\n0\r\n\r\n"), {post("0123456789")});
    b.valid("leading zeros 0005 and last chunk 000", post_te("0005\r\nhello\r\n000\r\n\r\n"),
            {post("hello")});
    b.valid("empty body: last chunk only", post_te("0\r\n\r\n"), {post("")});
    {
        std::string encoded;
        std::string body;
        for (char c = 'a'; c <= 'z'; ++c) {
            encoded += chunk(std::string(1, c));
            body += c;
        }
        b.valid("26 one-byte chunks", post_te(encoded + "0\r\n\r\n"), {post(body)});
    }
    // Grammatically fine, but longer than any size needs: refusing is preferred.
    b.reject("20-digit zero-padded size 5", post_size_line("00000000000000000005"),
             {{post("hello")}});
    b.reject("0x5", post_size_line("0x5"));
    b.reject("+5", post_size_line("+5"));
    b.reject("-5", post_size_line("-5"));
    b.reject("space before the size", post_size_line(" 5"));
    // Whitespace that ends the size: a proxy that reads 5 and re-chunks sends
    // the one body the client can have meant (the server reads it the one way).
    b.reject("space after the size without an extension", post_size_line("5 "), {{post("hello")}});
    b.reject("tab after the size", post_size_line("5\t"), {{post("hello")}});
    b.reject("non-hex g", post_size_line("g"));
    b.reject("empty size line", post_size_line(""));
    // A parser that keeps the low 64 bits reads 5.
    b.reject("17 hex digits wrapping to 5", post_size_line("10000000000000005"));
    b.reject("18 f's overflow", post_size_line("ffffffffffffffffff"));
    b.reject("2^64-1 bytes never arrive", post_size_line("ffffffffffffffff") + get_with());
    b.reject("data not followed by CRLF", post_te("5\r\nhelloX\r\n0\r\n\r\n"));
    b.reject("data longer than the size", post_te("3\r\nhello\r\n0\r\n\r\n"));
    b.reject("data shorter than the size", post_te("7\r\nhello\r\n0\r\n\r\n"));
    b.reject("bare CR after the size", post_te("5\rhello\r\n0\r\n\r\n"));
    b.reject("LF-only after the size", post_te("5\nhello\r\n0\r\n\r\n"), {{post("hello")}});
    b.reject("LF-only after the data", post_te("5\r\nhello\n0\r\n\r\n"), {{post("hello")}});
    b.reject("LF-only after the last chunk", post_te("5\r\nhello\r\n0\n\r\n"), {{post("hello")}});
    b.reject("missing last chunk: a request where the next size belongs",
             post_te(chunk("hello") + get_with()));
    // "GET / HTTP/1.1" is no field line: a reader that ends the message at "0\r\n" would take it
    // as the next request. Dropping the broken trailer section is the only lenient reading.
    b.reject("no CRLF after the last chunk: a request follows",
             post_te(chunk("hello") + "0\r\n" + get_with()), {{post("hello")}});
}

// Chunk extensions. RFC 9112 7.1.1: chunk-ext = *( BWS ";" BWS chunk-ext-name
// [ BWS "=" BWS chunk-ext-val ] ), name a token, value a token or quoted-string. Bad syntax
// that cannot move the line end may be ignored (the extension is dropped, the data decoded);
// CR, LF, NUL, DEL or an open quote can move it, so those have no lenient reading.
void chunk_ext(builder& b) {
    b.category("chunk-ext");
    const auto with_ext = [](const std::string& ext) { return post_size_line("5" + ext); };
    b.valid("a=b", with_ext(";a=b"), {post("hello")});
    b.valid("quoted value", with_ext(";a=\"q\""), {post("hello")});
    b.valid("name only", with_ext(";a"), {post("hello")});
    b.valid("BWS around ; and =", with_ext(" ; a = b"), {post("hello")});
    b.valid("two extensions", with_ext(";a=b;c=d"), {post("hello")});
    b.valid("quoted-pair in the value", with_ext(";a=\"x\\\"y\""), {post("hello")});
    b.valid("obs-text in a quoted value", with_ext(";a=\"caf\xc3\xa9\""), {post("hello")});
    b.valid("extension on the last chunk", post_te("5\r\nhello\r\n0;end=1\r\n\r\n"),
            {post("hello")});
    b.reject("bare LF inside an extension", with_ext(";a=b\nc"));
    b.reject("bare CR inside an extension", with_ext(";a=b\rc"));
    // A bad byte or an open quote inside an extension that still ends at the
    // line's CRLF: a proxy that drops the extension and re-chunks forwards the
    // one body there is (quoted-string cannot hold CR or LF, RFC 9110 5.6.4).
    b.reject("NUL inside an extension", with_ext(";a=" + nul), {{post("hello")}});
    b.reject("DEL inside an extension", with_ext(";a=" + octet(0x7f)), {{post("hello")}});
    b.reject("unterminated quoted value", with_ext(";a=\"q"), {{post("hello")}});
    b.reject("quoted value spanning a CRLF", post_te("5;a=\"x\r\n\"\r\nhello\r\n0\r\n\r\n"));
    b.reject("; without a name", with_ext(";"), {{post("hello")}});
    b.reject("= without a name", with_ext(";=b"), {{post("hello")}});
    b.reject("= without a value", with_ext(";a="), {{post("hello")}});
    b.reject("space inside the value", with_ext(";a=b c"), {{post("hello")}});
    b.reject("comma instead of ;", with_ext(",a=b"), {{post("hello")}});
    // Unbounded extensions cost memory; refusing is preferred, stripping it is still safe.
    b.reject("20000-byte extension name", with_ext(";" + std::string(20000, 'n')),
             {{post("hello")}});
}

// Trailer sections. RFC 9112 7.1.2: a recipient removing the chunked coding MAY retain or
// discard trailer fields; RFC 9110 6.5.1: framing, routing and similar fields cannot be
// processed as trailers, so they must never reach the server as header fields. Dropping a bad
// trailer section while keeping the decoded body is always a lenient, safe reading: its end is
// the first empty line either way.
void trailers(builder& b) {
    b.category("trailers");
    const auto with_trailers = [](const std::string& fields, const std::string& extra = {}) {
        return post_te(chunked("hello", fields), extra);
    };
    b.valid("X-T trailer", with_trailers("X-T: 1\r\n"), {post("hello")});
    b.valid("two trailers", with_trailers("X-T: 1\r\nX-Digest: abc\r\n"), {post("hello")});
    b.valid("trailer announced by Trailer", with_trailers("X-T: 1\r\n", "Trailer: X-T\r\n"),
            {post("hello")});
    b.valid("trailer with OWS", with_trailers("X-T:   1  \r\n"), {post("hello")});
    b.valid("trailer then a pipelined GET", with_trailers("X-T: 1\r\n") + get_with({}, "/b"),
            {post("hello"), get("/b")});
    b.reject("Content-Length trailer", with_trailers(cl(5)), {{post("hello")}});
    b.reject("Content-Length 50 trailer", with_trailers(cl(50)), {{post("hello")}});
    b.reject("Transfer-Encoding trailer", with_trailers(te_chunked), {{post("hello")}});
    b.reject("Host trailer", with_trailers("Host: evil.test\r\n"), {{post("hello")}});
    b.reject("Content-Length trailer announced by Trailer",
             with_trailers(cl(5), "Trailer: Content-Length\r\n"), {{post("hello")}});
    // RFC 9112 5.1 / 5.2 / 2.2 apply to trailer lines as to header lines.
    b.reject("space before the colon in a trailer", with_trailers("X-T : 1\r\n"),
             {{post("hello")}});
    b.reject("obs-fold in a trailer", with_trailers("X-T: 1\r\n 2\r\n"), {{post("hello")}});
    b.reject("bare LF ending a trailer", with_trailers("X-T: 1\n"), {{post("hello")}});
    b.reject("bare CR in a trailer", with_trailers("X-T: a\rb\r\n"), {{post("hello")}});
    b.reject("NUL in a trailer", with_trailers("X-T: a" + nul + "b\r\n"), {{post("hello")}});
    // A reader that ends the message at "0\r\n" would take this as a request.
    b.reject("request-line inside the trailer section",
             with_trailers("GET /admin HTTP/1.1\r\n" + host_line), {{post("hello")}});
}

// Line endings. RFC 9112 2.2: lines end in CRLF; a recipient MAY take a bare LF as a line end
// (ignoring a preceding CR); a bare CR MUST be treated as invalid or replaced by SP. RFC 9110
// 5.5: CR, LF or NUL in a value: reject or replace with SP. RFC 9112 5.2: obs-fold: reject or
// replace with SP. RFC 9112 2.2: whitespace-led lines before the first field are rejected or
// consumed without processing.
void line_endings(builder& b) {
    b.category("line-endings");
    b.reject("bare LF everywhere", "GET / HTTP/1.1\nHost: corpus.test\n\n", {{get()}});
    b.reject("bare LF after the request-line", "GET / HTTP/1.1\n" + host_line + "\r\n", {{get()}});
    b.reject("bare LF after Host", "GET / HTTP/1.1\r\nHost: corpus.test\n\r\n", {{get()}});
    b.reject("bare LF as the final empty line", "GET / HTTP/1.1\r\n" + host_line + "\n", {{get()}});
    b.reject("bare LF as the final empty line of a POST",
             "POST / HTTP/1.1\r\n" + host_line + cl(5) + "\nhello", {{post("hello")}});
    b.reject("bare LF before the request-line", std::string("\n").append(get_with()), {{get()}});
    b.reject("CR CR LF after Host", "GET / HTTP/1.1\r\nHost: corpus.test\r\r\n\r\n", {{get()}});
    b.reject("CR CR LF as the final empty line", "GET / HTTP/1.1\r\n" + host_line + "\r\r\n",
             {{get()}});
    b.reject("bare CR inside a value", get_with("X: a\rb\r\n"), {{get()}});
    b.reject("bare CR ending the request-line", "GET / HTTP/1.1\r" + host_line + "\r\n");
    {
        // Replacing the CR by SP hides the Content-Length inside X: the POST has no body and the
        // GET /x is a request of its own. Taking the CR as a line end is not allowed.
        const std::string next = get_with({}, "/x");
        b.reject("bare CR hides a Content-Length",
                 post_with("X: a\rContent-Length: " + std::to_string(next.size()) + "\r\n", next),
                 {{post(""), get("/x")}});
    }
    // Both RFC readings are consistent: LF as a line end (CL 5) or LF replaced by SP (no body,
    // "hello" an unfinished next request).
    b.reject("bare LF in a value exposes a Content-Length",
             post_with("X: a\nContent-Length: 5\r\n", "hello"), {{post("hello")}, {post("")}});
    b.reject("obs-fold in a field", get_with("X: a\r\n b\r\n"), {{get()}});
    b.reject("obs-fold with a tab", get_with("X: a\r\n\tb\r\n"), {{get()}});
    b.reject("whitespace-led line after the request-line",
             "GET / HTTP/1.1\r\n X: y\r\n" + host_line + "\r\n", {{get()}});
    b.reject("whitespace-led Host line before the real Host",
             "GET / HTTP/1.1\r\n Host: evil.test\r\n" + host_line + "\r\n", {{get()}});
}

// Control bytes. RFC 9110 5.5: field-vchar is VCHAR / obs-text, with SP and HTAB inside; CR, LF
// and NUL MUST be rejected or replaced by SP; other CTLs are invalid though recipients MAY
// retain them. RFC 9110 5.6.2: a field name is a token, so any CTL there is fatal; RFC 9112 3:
// the request-line has no CTLs.
void control_bytes(builder& b) {
    b.category("control-bytes");
    b.valid("obs-text UTF-8 in a value", get_with("X: caf\xc3\xa9\r\n"), {get()});
    b.valid("0xff in a value", get_with("X: a" + octet(0xff) + "b\r\n"), {get()});
    b.valid("tab inside a value", get_with("X: a\tb\r\n"), {get()});
    b.reject("NUL in a value", get_with("X: a" + nul + "b\r\n"), {{get()}});
    b.reject("DEL in a value", get_with("X: a" + octet(0x7f) + "b\r\n"), {{get()}});
    b.reject("0x01 in a value", get_with("X: a" + octet(0x01) + "b\r\n"), {{get()}});
    b.reject("VT in a value", get_with("X: a" + octet(0x0b) + "b\r\n"), {{get()}});
    b.reject("ESC in a value", get_with("X: a" + octet(0x1b) + "[0m\r\n"), {{get()}});
    // NUL replaced by SP leaves "5 ", i.e. 5.
    b.reject("NUL after the CL value", post_with("Content-Length: 5" + nul + "\r\n", "hello"),
             {{post("hello")}});
    b.reject("NUL in a name", get_with("X" + nul + "Y: 1\r\n"));
    b.reject("DEL in a name", get_with("X" + octet(0x7f) + "Y: 1\r\n"));
    b.reject("0x01 in a name", get_with("X" + octet(0x01) + "Y: 1\r\n"));
    b.reject("VT in a name", get_with("X" + octet(0x0b) + "Y: 1\r\n"));
    b.reject("0x80 in a name", get_with("X" + octet(0x80) + "Y: 1\r\n"));
    b.reject("NUL in the target", "GET /a" + nul + "b HTTP/1.1\r\n" + host_line + "\r\n");
    b.reject("NUL in the method", "G" + nul + "ET / HTTP/1.1\r\n" + host_line + "\r\n");
    b.reject("NUL before the request-line", nul + get_with());
    b.reject("DEL in the target", "GET /a" + octet(0x7f) + " HTTP/1.1\r\n" + host_line + "\r\n");
}

// Field names. RFC 9110 5.1 / 5.6.2: field-name = token (tchar: ALPHA DIGIT and
// !#$%&'*+-.^_`|~). RFC 9112 5.1: no whitespace between name and colon, MUST be 400; a line
// without a colon is no field line.
void header_name(builder& b) {
    b.category("header-name");
    b.valid("every tchar in a name", get_with("!#$%&'*+-.^_`|~09azAZ: 1\r\n"), {get()});
    b.valid("underscore in a name", get_with("X_A: 1\r\n"), {get()});
    b.valid("same name in two cases", get_with("x-a: 1\r\nX-A: 2\r\n"), {get()});
    b.valid("no space after the colon", get_with("X-A:1\r\n"), {get()});
    b.valid("empty value", get_with("X-A:\r\n"), {get()});
    b.valid("colon inside the value", get_with("X:A: 1\r\n"), {get()});
    b.valid("2000-byte name", get_with(std::string(2000, 'n') + ": 1\r\n"), {get()});
    b.reject("space before the colon", get_with("X-A : 1\r\n"));
    b.reject("tab before the colon", get_with("X-A\t: 1\r\n"));
    b.reject("space before the colon of Host", "GET / HTTP/1.1\r\nHost : corpus.test\r\n\r\n");
    b.reject("tab before the colon of Content-Length",
             post_with("Content-Length\t: 5\r\n", "hello"));
    b.reject("( in a name", get_with("X(A): 1\r\n"));
    b.reject("/ in a name", get_with("X/A: 1\r\n"));
    b.reject("@ in a name", get_with("X@A: 1\r\n"));
    b.reject("quote in a name", get_with("X\"A: 1\r\n"));
    b.reject("{ in a name", get_with("X{A}: 1\r\n"));
    b.reject("empty name", get_with(": x\r\n"));
    b.reject("line without a colon", get_with("XA 1\r\n"));
    b.reject("UTF-8 in a name", get_with("X-\xc3\x89: 1\r\n"));
    b.reject("space inside a name", get_with("X A: 1\r\n"));
}

// Host. RFC 9112 3.2: an HTTP/1.1 request MUST carry exactly one Host with a valid value, else
// 400; Host = uri-host [ ":" port ] (RFC 9110 7.2, RFC 3986 3.2.2: reg-name is unreserved /
// pct-encoded / sub-delims, so "_" and "," are allowed, whitespace and "@" are not). RFC 9112
// 3.2.2: for absolute-form the target's authority wins over Host. HTTP/1.0 needs no Host ("*":
// any Host the proxy adds is fine).
void host(builder& b) {
    b.category("host");
    const auto get_host = [](const std::string& value) {
        return "GET / HTTP/1.1\r\nHost: " + value + "\r\n\r\n";
    };
    const auto at = [](const std::string& value) { return req("GET", "/", "", value); };
    b.valid("corpus.test", get_host("corpus.test"), {get()});
    b.valid("with port 80", get_host("corpus.test:80"), {at("corpus.test:80")});
    b.valid("upper case", get_host("CORPUS.TEST"), {at("CORPUS.TEST")});
    b.valid("trailing dot", get_host("corpus.test."), {at("corpus.test.")});
    b.valid("underscore is unreserved", get_host("corpus_test"), {at("corpus_test")});
    b.valid("IPv4", get_host("127.0.0.1"), {at("127.0.0.1")});
    b.valid("IPv4 with port", get_host("127.0.0.1:8080"), {at("127.0.0.1:8080")});
    b.valid("IPv6 literal", get_host("[::1]"), {at("[::1]")});
    b.valid("IPv6 literal with port", get_host("[::1]:8080"), {at("[::1]:8080")});
    b.valid("spaces around the value are OWS", get_host("  corpus.test  "), {get()});
    b.valid("HTTP/1.0 with Host", "GET / HTTP/1.0\r\n" + host_line + "\r\n", {get()});
    b.valid("HTTP/1.0 without Host", "GET / HTTP/1.0\r\n\r\n", {req("GET", "/", "", "*")});
    b.reject("missing in HTTP/1.1", "GET / HTTP/1.1\r\n\r\n");
    b.reject("two identical", get_with(host_line));
    b.reject("two different", get_with("Host: evil.test\r\n"));
    b.reject("two differing in case", get_with("host: corpus.test\r\n"));
    b.reject("a second, empty one", get_with("Host:\r\n"));
    // RFC 9110 7.2 / RFC 9112 3.3: an empty authority; rejecting is preferred, a configured
    // default is allowed.
    b.reject("empty", get_host(""), {{at("*")}});
    b.reject("userinfo", get_host("u@corpus.test"));
    b.reject("space inside", get_host("corpus .test"));
    b.reject("tab inside", get_host("corpus\t.test"));
    b.reject("CTL inside", get_host("corpus" + octet(0x01) + ".test"));
    b.reject("comma list with space", get_host("corpus.test, evil.test"));
    // A valid reg-name (sub-delims), but a back end that splits lists would route by the first
    // element: refusing is preferred, forwarding it unchanged keeps one reading.
    b.reject("comma inside without space", get_host("corpus.test,evil.test"),
             {{at("corpus.test,evil.test")}});
    b.reject("path after the host", get_host("corpus.test/x"));
    b.reject("two ports", get_host("corpus.test:80:80"));
    // RFC 3986 allows an empty port; the strict reading refuses it, forwarding it as is or
    // without the colon keeps the same host.
    b.reject("empty port", get_host("corpus.test:"), {{at("corpus.test:")}, {get()}});
    b.reject("port 65536", get_host("corpus.test:65536"));
    b.reject("port 123456", get_host("corpus.test:123456"));
    b.reject("port +80", get_host("corpus.test:+80"));
    b.reject("port -1", get_host("corpus.test:-1"));
    b.reject("port 0x50", get_host("corpus.test:0x50"));
    b.reject("unclosed IPv6 literal", get_host("[::1"));
    b.reject("IPv6 without brackets", get_host("::1"));
    b.reject("obs-folded", "GET / HTTP/1.1\r\nHost:\r\n corpus.test\r\n\r\n", {{get()}});
    b.valid("absolute-form with the same Host",
            "GET http://corpus.test/a HTTP/1.1\r\n" + host_line + "\r\n", {get("/a")});
    b.valid("absolute-form with port and the same Host",
            "GET http://corpus.test:80/a HTTP/1.1\r\nHost: corpus.test:80\r\n\r\n",
            {req("GET", "/a", "", "corpus.test:80")});
    b.reject("absolute-form authority differs from Host",
             "GET http://other.test/a HTTP/1.1\r\n" + host_line + "\r\n",
             {{req("GET", "/a", "", "other.test")}});
    // RFC 9112 3.2 asks for 400 without Host even in absolute-form; the authority is the only
    // host, so taking it is lenient but safe.
    b.reject("absolute-form without Host", "GET http://corpus.test/a HTTP/1.1\r\n\r\n",
             {{get("/a")}});
    // RFC 9110 4.2.4: userinfo in an http URI SHOULD be treated as an error.
    b.reject("absolute-form with userinfo",
             "GET http://u@corpus.test/a HTTP/1.1\r\n" + host_line + "\r\n", {{get("/a")}});
}

// Request-line. RFC 9112 3: method SP request-target SP HTTP-version, single SPs, a token
// method, "HTTP" case-sensitive; whitespace-word parsing is a MAY (lenient, risky). RFC 9112
// 3.2: origin-form for most, absolute-form accepted, authority-form only for CONNECT, asterisk
// only for OPTIONS. RFC 9112 2.2: at least one empty line before the request-line MAY be
// ignored. RFC 9110 2.5: a higher minor version is processed as the highest one supported.
void request_line(builder& b) {
    b.category("request-line");
    const auto line = [](const std::string& request_line) {
        return request_line + "\r\n" + host_line + "\r\n";
    };
    b.valid("HTTP/1.0 GET with a query", line("GET /q?x=1 HTTP/1.0"), {get("/q?x=1")});
    b.valid("query string", line("GET /a?b=c HTTP/1.1"), {get("/a?b=c")});
    b.valid("pct-encoded NUL in the target", line("GET /%00 HTTP/1.1"), {get("/%00")});
    b.valid("OPTIONS *", line("OPTIONS * HTTP/1.1"), {req("OPTIONS", "*")});
    b.valid("PURGE", line("PURGE / HTTP/1.1"), {req("PURGE")});
    b.valid("M-SEARCH method token", line("M-SEARCH / HTTP/1.1"), {req("M-SEARCH")});
    // A method is a case-sensitive token: "get" is another method, which a proxy may refuse.
    b.valid("lowercase method get", line("get / HTTP/1.1"), {req("get")});
    b.valid("absolute-form with a query", line("GET http://corpus.test/a?b=c HTTP/1.1"),
            {get("/a?b=c")});
    // RFC 9110 2.5: a higher minor version SHOULD be processed as 1.1; forwarding the line as
    // is would hand the server a version it does not read, so refusing is preferred here.
    b.reject("HTTP/1.2", line("GET / HTTP/1.2"), {{get()}});
    b.reject("lowercase http/1.1", line("GET / http/1.1"));
    b.reject("HTTP/2.0", line("GET / HTTP/2.0"));
    b.reject("HTTP/1.10", line("GET / HTTP/1.10"));
    b.reject("HTTP/1 without minor", line("GET / HTTP/1"));
    b.reject("HTTP/0.9 style without version", line("GET /"));
    b.reject("missing target", line("GET HTTP/1.1"));
    b.reject("target with a space", line("GET /a b HTTP/1.1"));
    b.reject("target without a slash", line("GET a HTTP/1.1"));
    b.reject("method with (", line("GE(T / HTTP/1.1"));
    b.reject("authority-form with GET", line("GET corpus.test:80 HTTP/1.1"));
    b.reject("asterisk with GET", line("GET * HTTP/1.1"));
    b.reject("two spaces after the method", line("GET  / HTTP/1.1"), {{get()}});
    b.reject("tabs as separators", line("GET\t/\tHTTP/1.1"), {{get()}});
    b.reject("VT as separators", line("GET" + octet(0x0b) + "/" + octet(0x0b) + "HTTP/1.1"),
             {{get()}});
    b.reject("trailing space", line("GET / HTTP/1.1 "), {{get()}});
    b.reject("leading space", line(" GET / HTTP/1.1"), {{get()}});
    b.reject("leading CRLF", "\r\n" + get_with(), {{get()}});
    b.reject("two leading CRLFs", "\r\n\r\n" + get_with(), {{get()}});
}

// Sizes. The proxy's head buffer is 16 KiB with 1 KiB kept for rewriting: heads up to ~15 KiB
// must pass, larger ones get 431 (RFC 6585 5), though forwarding them whole is still safe.
void sizes(builder& b) {
    b.category("sizes");
    const auto head_of = [](std::size_t total) {
        const std::string start = "GET / HTTP/1.1\r\n" + host_line + "X-Big: ";
        return start + std::string(total - start.size() - 4, 'v') + "\r\n\r\n";
    };
    b.valid("8 KiB head", head_of(8 * 1024), {get()});
    b.valid("12 KiB head", head_of(12 * 1024), {get()});
    b.valid("14000-byte head", head_of(14000), {get()});
    b.reject("17000-byte head", head_of(17000), {{get()}});
    b.reject("20 KiB head", head_of(20 * 1024), {{get()}});
    b.reject("60 KiB head", head_of(60 * 1024), {{get()}});
    {
        std::string fields;
        for (int i = 0; i < 200; ++i)
            fields += "X-F" + std::to_string(i) + ": v\r\n";
        b.valid("200 fields", get_with(fields), {get()});
    }
    {
        const std::string target = "/" + std::string(4000, 'p');
        b.valid("4000-byte target", get_with({}, target), {get(target)});
    }
    {
        std::string body;
        for (int i = 0; i < 64 * 1024; ++i)
            body += static_cast<char>('a' + i % 26);
        b.valid("64 KiB CL body", post_cl(body), {post(body)});
        std::string encoded;
        for (std::size_t at = 0; at < body.size(); at += 4096)
            encoded += chunk(body.substr(at, 4096));
        b.valid("64 KiB chunked body in 4 KiB chunks", post_te(encoded + "0\r\n\r\n"),
                {post(body)});
    }
    {
        std::string encoded;
        for (int i = 0; i < 1000; ++i)
            encoded += "1\r\nx\r\n";
        b.valid("1000 one-byte chunks", post_te(encoded + "0\r\n\r\n"),
                {post(std::string(1000, 'x'))});
    }
}

// Pipelining. RFC 9112 9.3.2: a client MAY send several requests before the responses; the
// server answers in order. A body that looks like a request is just body bytes.
void pipelining(builder& b) {
    b.category("pipelining");
    b.valid("two GETs", get_with({}, "/1") + get_with({}, "/2"), {get("/1"), get("/2")});
    b.valid("three GETs", get_with({}, "/1") + get_with({}, "/2") + get_with({}, "/3"),
            {get("/1"), get("/2"), get("/3")});
    b.valid("CL POST then GET", post_cl("hello") + get_with({}, "/b"), {post("hello"), get("/b")});
    b.valid("chunked POST then GET", post_te(chunked("hello")) + get_with({}, "/b"),
            {post("hello"), get("/b")});
    b.valid("GET, POST, GET", get_with({}, "/1") + post_cl("x=1") + get_with({}, "/3"),
            {get("/1"), post("x=1"), get("/3")});
    b.valid("GET, HEAD, GET",
            get_with({}, "/1") + "HEAD /2 HTTP/1.1\r\n" + host_line + "\r\n" + get_with({}, "/3"),
            {get("/1"), req("HEAD", "/2"), get("/3")});
    b.valid("POST then a GET /admin it does not hide", post_cl("x=1") + get_with({}, "/admin"),
            {post("x=1"), get("/admin")});
    {
        const std::string inner = get_with({}, "/admin");
        b.valid("CL body holding a whole request", post_cl(inner), {post(inner)});
        b.valid("chunked body holding a whole request", post_te(chunked(inner)), {post(inner)});
    }
    b.valid("CL 0 POST then GET", post_cl("") + get_with({}, "/b"), {post(""), get("/b")});
    b.partial("GET then garbage", get_with() + "garbage\r\n\r\n", {get()});
    b.partial("GET then a request with two Hosts", get_with() + get_with(host_line, "/b"), {get()});
    // RFC 9112 9.3: an HTTP/1.0 request without keep-alive ends the connection.
    b.partial("HTTP/1.0 GET then a second request",
              "GET / HTTP/1.0\r\n" + host_line + "\r\n" + get_with({}, "/b"), {get()},
              {{get(), get("/b")}});
}

// Expect. RFC 9110 10.1.1: 100-continue (case-insensitive) lets the server answer 100 before
// the body; a client MAY send the body without waiting; any other expectation MAY get 417, so
// forwarding is preferred and refusing is lenient.
void expect(builder& b) {
    b.category("expect");
    const std::string cont = "Expect: 100-continue\r\n";
    b.valid("100-continue with the body in the same write", post_with(cont + cl(5), "hello"),
            {post("hello")});
    {
        const std::string head = post_with(cont + cl(5), "");
        pace(b.valid("100-continue with the body after a pause", head + "hello", {post("hello")}),
             head.size(), 300);
    }
    b.valid("100-continue on a GET without body", get_with(cont), {get()});
    b.valid("100-Continue in mixed case", post_with("Expect: 100-Continue\r\n" + cl(5), "hello"),
            {post("hello")});
    b.valid("100-continue with a chunked body", post_te(chunked("hello"), cont), {post("hello")});
    b.valid("100-continue with CL 0", post_with(cont + cl(0), ""), {post("")});
    b.valid("100-continue then a pipelined GET",
            post_with(cont + cl(5), "hello") + get_with({}, "/b"), {post("hello"), get("/b")});
    b.valid("unknown expectation foo", get_with("Expect: foo\r\n"), {get()});
}

// Connection. RFC 9110 7.6.1: a proxy removes the fields a Connection header names and the
// Connection field itself; a sender MUST NOT name end-to-end fields. Naming a framing field or
// Host is an attack (stripping them changes framing or routing); forwarding intact is safe.
// RFC 9112 9.6: after "close" the server MUST NOT process further requests.
void connection(builder& b) {
    b.category("connection");
    b.valid("keep-alive", get_with("Connection: keep-alive\r\n"), {get()});
    b.valid("close", get_with("Connection: close\r\n"), {get()});
    b.valid("X-Foo named and present", get_with("Connection: X-Foo\r\nX-Foo: 1\r\n"), {get()});
    b.valid("upgrade named without Upgrade", get_with("Connection: upgrade\r\n"), {get()});
    b.valid("TE named with TE: trailers", get_with("Connection: te\r\nTE: trailers\r\n"), {get()});
    b.valid("HTTP/1.0 keep-alive then a second request",
            "GET / HTTP/1.0\r\n" + host_line + "Connection: keep-alive\r\n\r\n" +
                "GET /b HTTP/1.0\r\n" + host_line + "\r\n",
            {get(), get("/b")});
    b.partial("close then a second request", get_with("Connection: close\r\n") + get_with({}, "/b"),
              {get()});
    b.reject("content-length named on a CL POST",
             post_with("Connection: content-length\r\n" + cl(5), "hello"), {{post("hello")}});
    b.reject("close, Content-Length named on a CL POST",
             post_with("Connection: close, Content-Length\r\n" + cl(5), "hello"),
             {{post("hello")}});
    b.reject("transfer-encoding named on a chunked POST",
             post_te(chunked("hello"), "Connection: transfer-encoding\r\n"), {{post("hello")}});
    b.reject("transfer-encoding named on a CL POST",
             post_with("Connection: Transfer-Encoding\r\n" + cl(5), "hello"), {{post("hello")}});
    b.reject("host named", get_with("Connection: host\r\n"), {{get()}});
    b.reject("content-length named on a GET without body",
             get_with("Connection: content-length\r\n"), {{get()}});
}

// Upgrade. RFC 9110 7.8: a server MAY ignore Upgrade; the sender MUST also send the "upgrade"
// connection option, and Upgrade in HTTP/1.0 MUST be ignored. The observer answers 200, never
// 101, so the connection stays HTTP/1.1 and later bytes are requests; refusing is lenient.
void upgrade(builder& b) {
    b.category("upgrade");
    const std::string ws = "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13"
                           "\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
    b.valid("websocket without Connection: upgrade", get_with("Upgrade: websocket\r\n"), {get()});
    b.valid("websocket handshake answered 200", get_with(ws), {get()});
    const std::string h2c = "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
                            "HTTP2-Settings: AAMAAABkAAQAAP__\r\n";
    b.valid("h2c upgrade", get_with(h2c), {get()});
    b.valid("POST with a body and Upgrade",
            post_with("Connection: Upgrade\r\nUpgrade: websocket\r\n" + cl(5), "hello"),
            {post("hello")});
    b.valid("h2c upgrade on a POST with a body", post_with(h2c + cl(5), "hello"), {post("hello")});
    b.valid("Upgrade in HTTP/1.0",
            "GET / HTTP/1.0\r\n" + host_line + "Connection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
            {get()});
    b.valid("websocket handshake then a pipelined GET", get_with(ws) + get_with({}, "/admin"),
            {get(), get("/admin")});
}

// Bodies on methods without body semantics. RFC 9110 9.3.1 / 9.3.2 / 9.3.5 / 9.3.7: content on
// GET, HEAD, DELETE, OPTIONS has no defined meaning but RFC 9112 6.3 still frames it, so it is
// forwarded with its body. RFC 9112 6.3 (7): a request with neither CL nor TE has no body.
void bodies(builder& b) {
    b.category("bodies");
    b.valid("GET with CL body", with_body("GET", "hello"), {req("GET", "/", "hello")});
    b.valid("HEAD with CL body", with_body("HEAD", "hello"), {req("HEAD", "/", "hello")});
    b.valid("OPTIONS with CL body", with_body("OPTIONS", "hello"), {req("OPTIONS", "/", "hello")});
    b.valid("DELETE with CL body", with_body("DELETE", "hello"), {req("DELETE", "/", "hello")});
    b.valid("PUT with CL body", with_body("PUT", "hello"), {req("PUT", "/", "hello")});
    b.valid("GET with chunked body",
            "GET / HTTP/1.1\r\n" + host_line + te_chunked + "\r\n" + chunked("hello"),
            {req("GET", "/", "hello")});
    b.valid("PATCH with chunked body",
            "PATCH / HTTP/1.1\r\n" + host_line + te_chunked + "\r\n" + chunked("hello"),
            {req("PATCH", "/", "hello")});
    b.valid("GET with CL 0", with_body("GET", ""), {get()});
    {
        // Body bytes that read like a request are still body bytes.
        const std::string inner = get_with({}, "/admin");
        b.valid("GET with a CL body holding a whole request", with_body("GET", inner),
                {req("GET", "/", inner)});
    }
    b.valid("POST without CL or TE", post_with({}, ""), {post("")});
    b.valid("HEAD with body then GET", with_body("HEAD", "hello") + get_with({}, "/b"),
            {req("HEAD", "/", "hello"), get("/b")});
    b.valid("HTTP/1.0 POST with CL", "POST / HTTP/1.0\r\n" + host_line + cl(5) + "\r\nhello",
            {post("hello")});
    // Without a length the body is empty, so "hello" is the next request-line: refused.
    b.partial("POST without length followed by bytes", post_with({}, "hello\r\n\r\n"), {post("")});
}

// Slow senders: a valid or invalid stream split across many reads must read the same way as
// when it arrives at once (RFC 9112 has no notion of packet boundaries). Each vector sends in
// under ~1 s.
void slow(builder& b) {
    b.category("slow");
    const std::string simple = get_with();
    pace(b.valid("GET one byte at a time", simple, {get()}), 1, 20);
    pace(b.valid("head split between the two CRLFs", simple, {get()}), simple.size() - 2, 200);
    pace(b.valid("head split before the last LF", simple, {get()}), simple.size() - 1, 200);
    pace(b.valid("head split after the first CR of CRLFCRLF", simple, {get()}), simple.size() - 3,
         200);
    pace(b.valid("CL POST in 3-byte pieces", post_cl("hello"), {post("hello")}), 3, 20);
    pace(b.valid("chunked POST one byte at a time", post_te(chunked("hello")), {post("hello")}), 1,
         10);
    pace(b.valid("chunked POST with trailer in 2-byte pieces",
                 post_te(chunk("hel") + chunk("lo") + "0\r\nX-T: 1\r\n\r\n"), {post("hello")}),
         2, 15);
    pace(b.valid("two GETs in 7-byte pieces", get_with({}, "/1") + get_with({}, "/2"),
                 {get("/1"), get("/2")}),
         7, 20);
    {
        const std::string head = post_with(cl(5), "");
        pace(b.valid("CL body after a pause", head + "hello", {post("hello")}), head.size(), 300);
    }
    pace(b.reject("CL.TE in 5-byte pieces", post_with(cl(6) + te_chunked, "0\r\n\r\nG"),
                  {{post("")}}),
         5, 20);
    pace(b.reject("bare LF head one byte at a time", "GET / HTTP/1.1\nHost: corpus.test\n\n",
                  {{get()}}),
         1, 20);
    pace(b.reject("TE.CL in 4-byte pieces", post_with(cl(3) + te_chunked, chunked("SMUGGLED")),
                  {{post("SMUGGLED")}}),
         4, 15);
}

std::vector<request_vector> build() {
    std::vector<request_vector> out;
    builder b(out);
    cl_te(b);
    te_cl(b);
    content_length(b);
    transfer_encoding(b);
    chunk_size(b);
    chunk_ext(b);
    trailers(b);
    line_endings(b);
    control_bytes(b);
    header_name(b);
    host(b);
    request_line(b);
    sizes(b);
    pipelining(b);
    expect(b);
    connection(b);
    upgrade(b);
    bodies(b);
    slow(b);
    return out;
}

} // namespace

const std::vector<request_vector>& request_vectors() {
    static const std::vector<request_vector> vectors = build();
    return vectors;
}

} // namespace gw::corpus
