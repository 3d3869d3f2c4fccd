// A server's response, bytes to what the gateway would relay: Beast's parser
// (head, then the body decoded, chunked included), check_response_framing,
// then the relay's rewriting (remove_hop_by_hop, drop_bodiless_framing, a
// close-delimited body chunked for an HTTP/1.1 client, trailers filtered) and
// serialize_head. Property (issue 12): what the client would get reads
// strictly as exactly one response with the same status and the same body
// bytes; no framing of the server's can make it two, or make it end elsewhere.
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>

#include "bench/corpus/strict_http.hpp"
#include "fuzz/fuzz_check.hpp"
#include "gateway/http1/framing.hpp"
#include "gateway/http1/head.hpp"
#include "gateway/http1/rewrite.hpp"

namespace http = boost::beast::http;
using gw::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1)
        return 0;
    const bool head_request = (data[0] & 1) != 0; // the first byte: the request was HEAD
    std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);

    http::response_parser<http::buffer_body> p;
    p.header_limit(15 * 1024);
    p.body_limit(boost::none);
    if (head_request)
        p.skip(true);
    boost::system::error_code ec;
    const std::size_t head = p.put(boost::asio::buffer(in.data(), in.size()), ec);
    if (ec || !p.is_header_done())
        return 0;
    in.remove_prefix(head);
    auto& m = p.get();
    const unsigned status = m.result_int();
    if (status < 200 || gw::check_response_framing(m) != gw::reply_reason::none)
        return 0; // interim (relayed as is) or refused with 502
    const auto head_fields = static_cast<std::size_t>(std::distance(m.begin(), m.end()));

    // The body, decoded, as the relay reads it.
    std::string body;
    char scratch[4096];
    while (!p.is_done()) {
        m.body().data = scratch;
        m.body().size = sizeof scratch;
        const std::size_t used = p.put(boost::asio::buffer(in.data(), in.size()), ec);
        in.remove_prefix(used);
        const std::size_t produced = sizeof scratch - m.body().size;
        body.append(scratch, produced);
        if (ec == http::error::need_buffer || ec == http::error::need_more)
            ec = {};
        if (ec)
            return 0; // bad chunk syntax: the relay closes the client connection
        if (p.is_done() || used != 0 || produced != 0)
            continue;
        // No progress: the input is all read. A close-delimited body ends
        // here (the server closed); any other body was cut short (a close).
        if (!in.empty() || !p.need_eof())
            return 0;
        p.put_eof(ec);
        break;
    }
    if (ec || !p.is_done())
        return 0;

    // What the relay writes (session::relay_response and relay_body).
    const bool close_delimited = p.need_eof();
    gw::remove_hop_by_hop(m, status == 101);
    gw::drop_bodiless_framing(m);
    gw::canonicalize_content_length(m);
    const bool bodiless = head_request || status == 204 || status == 304 || status == 101;
    if (close_delimited && !bodiless)
        m.chunked(true);
    m.version(11);
    static char out[64 * 1024];
    const std::size_t n = gw::serialize_head(m, out, sizeof out);
    require(n != 0, "the relayed head does not fit 64 KiB");
    std::string relayed(out, n);
    if (!bodiless && m.chunked()) {
        if (!body.empty()) {
            char size_line[32];
            std::snprintf(size_line, sizeof size_line, "%zx\r\n", body.size());
            relayed.append(size_line).append(body).append("\r\n");
        }
        relayed += "0\r\n";
        std::size_t i = 0;
        for (const auto& f : m) {
            if (i++ < head_fields || !gw::allowed_in_trailer(f.name_string()))
                continue;
            relayed.append(f.name_string()).append(": ").append(f.value()).append("\r\n");
        }
        relayed += "\r\n";
    } else if (!bodiless) {
        relayed += body;
    }
    if (status == 101)
        return 0; // a tunnel follows: no more HTTP to read

    const auto back = gw::corpus::parse_responses(relayed, {head_request ? "HEAD" : "GET"},
                                                  /*eof=*/false);
    if (!back.oddities.empty())
        gw::fuzz::violated("the relayed response is not strictly valid: " + back.oddities.front());
    require(back.messages.size() == 1 && !back.incomplete && back.consumed == relayed.size(),
            "the relayed bytes are not exactly one response");
    require(back.messages.front().status == status, "status changed");
    require(back.messages.front().body == (bodiless ? std::string() : body), "body changed");
    return 0;
}
