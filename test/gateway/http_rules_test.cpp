// The relay's protocol decisions, without sockets.
#include <boost/test/unit_test.hpp>

#include <string>

#include <boost/beast/http/field.hpp>

#include "gateway/http1/framing.hpp"
#include "gateway/http1/replies.hpp"
#include "gateway/http1/rewrite.hpp"

using namespace gw;
namespace http = boost::beast::http;

namespace {
request_head make_request(unsigned version = 11) {
    request_head h;
    h.method(http::verb::get);
    h.target("/");
    h.version(version);
    h.set(http::field::host, "example.com");
    return h;
}
} // namespace

BOOST_AUTO_TEST_SUITE(http_rules)

BOOST_AUTO_TEST_CASE(raw_head_rejects_bare_cr_bare_lf_and_obs_fold) {
    BOOST_TEST(raw_head_is_clean("GET / HTTP/1.1\r\nHost: a\r\n\r\n"));
    BOOST_TEST(!raw_head_is_clean("GET / HTTP/1.1\nHost: a\r\n\r\n"));      // bare LF
    BOOST_TEST(!raw_head_is_clean("GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n"));  // bare CR
    BOOST_TEST(!raw_head_is_clean("GET / HTTP/1.1\r\nX-A: b\r\n c\r\n\r\n")); // obs-fold SP
    BOOST_TEST(!raw_head_is_clean("GET / HTTP/1.1\r\nX-A: b\r\n\tc\r\n\r\n")); // obs-fold HTAB
    BOOST_TEST(!raw_head_is_clean("GET / HTTP/1.1\r\nHost: a\r"));           // CR at the end
}

BOOST_AUTO_TEST_CASE(transfer_encoding_framing) {
    auto h = make_request();
    BOOST_TEST((check_request_framing(h) == reply_reason::none));
    h.set(http::field::transfer_encoding, "chunked");
    BOOST_TEST((check_request_framing(h) == reply_reason::none));
    h.set(http::field::transfer_encoding, "gzip, chunked");
    BOOST_TEST((check_request_framing(h) == reply_reason::not_implemented));
    h.set(http::field::transfer_encoding, "chunked, gzip"); // length unknowable: 400
    BOOST_TEST((check_request_framing(h) == reply_reason::bad_request));
    h.set(http::field::transfer_encoding, "identity");
    BOOST_TEST((check_request_framing(h) == reply_reason::bad_request));
    auto old = make_request(10);
    old.set(http::field::transfer_encoding, "chunked");
    BOOST_TEST((check_request_framing(old) == reply_reason::bad_request));
}

BOOST_AUTO_TEST_CASE(a_content_length_beyond_19_digits_is_refused) {
    // (The response fuzzer found one: 10400600000000000007 fits Beast's
    // uint64 but not a signed 64-bit reader on the next hop.)
    auto h = make_request();
    h.set(http::field::content_length, "0009999999999999999999"); // 19 significant digits
    BOOST_TEST((check_request_framing(h) == reply_reason::none));
    h.set(http::field::content_length, "00010400600000000000007");
    BOOST_TEST((check_request_framing(h) == reply_reason::bad_request));
    response_head r;
    r.result(200);
    r.set(http::field::content_length, "10400600000000000007");
    BOOST_TEST((check_response_framing(r) != reply_reason::none));
}

BOOST_AUTO_TEST_CASE(parse_errors_map_to_400_413_431) {
    BOOST_TEST((reason_for_parse_error(http::error::header_limit) == reply_reason::header_too_large));
    BOOST_TEST((reason_for_parse_error(http::error::body_limit) == reply_reason::payload_too_large));
    BOOST_TEST((reason_for_parse_error(http::error::bad_content_length) == reply_reason::bad_request));
    BOOST_TEST((reason_for_parse_error(http::error::multiple_content_length) == reply_reason::bad_request));
    BOOST_TEST((reason_for_parse_error(http::error::bad_field) == reply_reason::bad_request));
}

BOOST_AUTO_TEST_CASE(hop_by_hop_fields_and_those_connection_names_are_removed) {
    auto h = make_request();
    h.set(http::field::connection, "keep-alive, X-Secret");
    h.set("X-Secret", "1");
    h.set(http::field::keep_alive, "timeout=5");
    h.set("Proxy-Connection", "keep-alive");
    h.set(http::field::te, "trailers");
    h.set(http::field::upgrade, "websocket");
    h.set(http::field::proxy_authorization, "Basic x");
    h.set("X-Keep", "yes");
    remove_hop_by_hop(h, false);
    for (auto name : {"Connection", "X-Secret", "Keep-Alive", "Proxy-Connection", "TE", "Upgrade",
                      "Proxy-Authorization"})
        BOOST_TEST((h.find(name) == h.end()), name);
    BOOST_TEST(h["X-Keep"] == "yes");
    BOOST_TEST(h[http::field::host] == "example.com");
}

BOOST_AUTO_TEST_CASE(upgrade_is_kept_for_tunnels) {
    auto h = make_request();
    h.set(http::field::connection, "Upgrade");
    h.set(http::field::upgrade, "websocket");
    BOOST_TEST(is_upgrade_request(h));
    remove_hop_by_hop(h, true);
    BOOST_TEST(h[http::field::upgrade] == "websocket");
    BOOST_TEST(h[http::field::connection] == "upgrade");
}

BOOST_AUTO_TEST_CASE(forwarding_fields_are_added_and_chained) {
    auto h = make_request();
    add_forwarding_fields(h, {"10.0.0.1", "http", "00000000000000ab", ""});
    BOOST_TEST(h["X-Forwarded-For"] == "10.0.0.1");
    BOOST_TEST(h["X-Forwarded-Proto"] == "http");
    BOOST_TEST(h["X-Forwarded-Host"] == "example.com");
    BOOST_TEST(h["X-Request-Id"] == "00000000000000ab");

    // From a trusted proxy the chain is extended, every line of it in order.
    auto chained = make_request();
    chained.insert("X-Forwarded-For", "192.0.2.7");
    chained.insert("X-Other", "1");
    chained.insert("X-Forwarded-For", "198.51.100.9, 203.0.113.5");
    chained.set("X-Request-Id", "client-id");
    add_forwarding_fields(chained, {"127.0.0.1", "http", "00000000000000ab", "", true});
    BOOST_TEST(chained.count("X-Forwarded-For") == 1u);
    BOOST_TEST(chained["X-Forwarded-For"] == "192.0.2.7, 198.51.100.9, 203.0.113.5, 127.0.0.1");
    BOOST_TEST(chained["X-Request-Id"] == "client-id"); // the client's id is kept

    // From anyone else, what the client claimed is replaced (every line of it).
    auto spoofed = make_request();
    spoofed.insert("X-Forwarded-For", "10.9.9.9");
    spoofed.insert("X-Forwarded-For", "10.8.8.8");
    add_forwarding_fields(spoofed, {"127.0.0.1", "http", "00000000000000ab", "", false});
    BOOST_TEST(spoofed.count("X-Forwarded-For") == 1u);
    BOOST_TEST(spoofed["X-Forwarded-For"] == "127.0.0.1");
}

BOOST_AUTO_TEST_CASE(keep_alive_defaults_per_version) {
    auto h11 = make_request(11);
    BOOST_TEST(client_keeps_alive(h11));
    h11.set(http::field::connection, "close");
    BOOST_TEST(!client_keeps_alive(h11));
    auto h10 = make_request(10);
    BOOST_TEST(!client_keeps_alive(h10));
    h10.set(http::field::connection, "Keep-Alive");
    BOOST_TEST(client_keeps_alive(h10));
}

BOOST_AUTO_TEST_CASE(rendered_replies_are_complete_messages) {
    char out[256];
    const auto n = render_reply(reply_reason::service_unavailable, false, false, out, sizeof out);
    const std::string reply(out, n);
    BOOST_TEST(reply.starts_with("HTTP/1.1 503 Service Unavailable\r\n"));
    BOOST_TEST(reply.find("Connection: close\r\n") != std::string::npos);
    const std::string body = "503 Service Unavailable\n";
    BOOST_TEST(reply.find("Content-Length: " + std::to_string(body.size()) + "\r\n") != std::string::npos);
    BOOST_TEST(reply.ends_with("\r\n\r\n" + body));

    const auto h = render_reply(reply_reason::not_found, true, true, out, sizeof out);
    const std::string head_reply(out, h);
    BOOST_TEST(head_reply.ends_with("\r\n\r\n")); // HEAD: same head, no body
    BOOST_TEST(head_reply.find("Connection: keep-alive") != std::string::npos);

    for (auto r : {reply_reason::bad_request, reply_reason::request_timeout,
                   reply_reason::payload_too_large, reply_reason::header_too_large,
                   reply_reason::not_implemented, reply_reason::bad_gateway,
                   reply_reason::gateway_timeout})
        BOOST_TEST(render_reply(r, false, false, out, sizeof out) < sizeof out - 1);
}

BOOST_AUTO_TEST_CASE(request_ids_are_fixed_width_hex) {
    char id[request_id_length];
    format_request_id(0xabcdef, id);
    BOOST_TEST(std::string(id, request_id_length) == "0000000000abcdef");
}

BOOST_AUTO_TEST_SUITE_END()
