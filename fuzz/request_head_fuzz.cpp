// The request head path, bytes to the head the gateway would forward:
// Beast's parser (fed piecewise, as read_head does), check_request_head, then
// prepare_forward_head and serialize_head. Property (issue 12): the forwarded
// head, read again by the strict reader with the body the relay would send,
// is one strictly valid request with the same method, target, Host and body
// framing and length as the one the gateway accepted. And where the strict
// reader reads the client's own bytes without an oddity, it must see the same
// framing as Beast did: otherwise client and gateway disagree on boundaries.
#include <cstdint>
#include <string>
#include <string_view>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>

#include "bench/corpus/strict_http.hpp"
#include "fuzz/fuzz_check.hpp"
#include "gateway/http1/head.hpp"
#include "gateway/http1/request.hpp"

namespace http = boost::beast::http;
using gw::fuzz::require;

namespace {

constexpr std::size_t head_limit = 15 * 1024; // buffers.size - maxrewrite, HAProxy-like
constexpr std::uint64_t body_cap = 64 * 1024;  // longer bodies: only the length is compared

// Feeds the head in pieces of `piece` bytes, as reads would bring it.
std::size_t parse_head(http::request_parser<http::buffer_body>& p, std::string_view in,
                       std::size_t piece) {
    std::size_t parsed = 0, available = 0;
    boost::system::error_code ec;
    while (!p.is_header_done() && available < in.size()) {
        available = std::min(in.size(), available + piece);
        for (;;) {
            const std::size_t used =
                p.put(boost::asio::buffer(in.data() + parsed, available - parsed), ec);
            parsed += used;
            if (ec == http::error::need_more) {
                ec = {};
                break;
            }
            if (ec)
                return 0;
            if (p.is_header_done() || used == 0)
                break;
        }
    }
    return p.is_header_done() ? parsed : 0;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1)
        return 0;
    const std::size_t piece = 1 + data[0] % 64; // the first byte picks the read size
    const std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);

    http::request_parser<http::buffer_body> p;
    p.header_limit(static_cast<std::uint32_t>(head_limit));
    p.body_limit(boost::none);
    const std::size_t head_size = parse_head(p, in, piece);
    if (head_size == 0)
        return 0;
    auto& h = p.get();
    if (gw::check_request_head(in.substr(0, head_size), h) != gw::reply_reason::none)
        return 0; // refused: nothing reaches a server
    const bool chunked = p.chunked();
    const auto length = p.content_length();
    const bool has_body = !p.is_done();
    require(!chunked || h.version() == 11, "chunked accepted on HTTP/1.0");

    // The client's bytes read strictly: where that reading is clean, its
    // framing is the gateway's.
    const auto original = gw::corpus::parse_requests(in);
    if (original.oddities.empty() && !original.messages.empty()) {
        const auto& m = original.messages.front();
        require(m.chunked == chunked, "the client's framing (chunked) read differently");
        if (!chunked)
            require(m.content_length.value_or(0) == length.value_or(0),
                    "the client's Content-Length read differently");
    }

    const std::string method(h.method_string()), target(h.target());
    const std::string host(h[http::field::host]);
    gw::prepare_forward_head(h, has_body, {"192.0.2.1", "http", "0123456789abcdef", "127.0.0.1:8080"});
    static char out[64 * 1024];
    const std::size_t n = gw::serialize_head(h, out, sizeof out);
    require(n != 0, "the forwarded head does not fit 64 KiB");
    std::string forwarded(out, n);
    if (!chunked && length && *length > body_cap) {
        require(h[http::field::content_length] == std::to_string(*length),
                "a long Content-Length forwarded with another value");
        return 0;
    }
    std::string body;
    if (chunked) {
        body = "abc";
        forwarded += "3\r\nabc\r\n0\r\n\r\n";
    } else if (length) {
        body.assign(static_cast<std::size_t>(*length), 'x');
        forwarded += body;
    }
    const auto back = gw::corpus::parse_requests(forwarded);
    if (!back.oddities.empty())
        gw::fuzz::violated("the forwarded head is not strictly valid: " + back.oddities.front());
    require(back.messages.size() == 1 && !back.incomplete && back.consumed == forwarded.size(),
            "the forwarded bytes are not exactly one request");
    const auto& m = back.messages.front();
    require(m.method == method, "method changed");
    require(m.target == target, "target changed");
    require(m.get("host").value_or("") == (host.empty() ? "127.0.0.1:8080" : host), "Host changed");
    require(m.count("host") == 1, "Host is not one field");
    require(m.chunked == chunked, "framing changed (chunked)");
    require(m.body == body, "body length changed");
    return 0;
}
