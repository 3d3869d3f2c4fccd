// The checks that keep a request from meaning one thing to the gateway and
// another to the server (issue 12): Content-Length, Connection nominations,
// Host and the request target, and the response framing the gateway refuses.
#include <boost/test/unit_test.hpp>

#include <string>

#include <boost/beast/http/field.hpp>

#include "gateway/http1/framing.hpp"
#include "gateway/http1/host.hpp"
#include "gateway/http1/request.hpp"

using namespace gw;
namespace http = boost::beast::http;

namespace {
request_head request(std::string_view target, std::string_view host = "example.com",
                     unsigned version = 11, http::verb method = http::verb::get) {
    request_head h;
    h.method(method);
    h.target(target);
    h.version(version);
    if (!host.empty())
        h.set(http::field::host, host);
    return h;
}
response_head response(unsigned status) {
    response_head h;
    h.result(status);
    h.version(11);
    return h;
}
} // namespace

BOOST_AUTO_TEST_SUITE(request_checks)

BOOST_AUTO_TEST_CASE(content_length_must_be_one_field_with_one_value) {
    auto h = request("/");
    BOOST_TEST(single_content_length(h));
    h.set(http::field::content_length, "5");
    BOOST_TEST(single_content_length(h));
    BOOST_TEST((check_request_framing(h) == reply_reason::none));
    h.set(http::field::content_length, "5, 5"); // Beast merges it; a server might not
    BOOST_TEST(!single_content_length(h));
    BOOST_TEST((check_request_framing(h) == reply_reason::bad_request));
    h.set(http::field::content_length, "5");
    h.insert(http::field::content_length, "5");
    BOOST_TEST(!single_content_length(h));
    BOOST_TEST((check_request_framing(h) == reply_reason::bad_request));
}

BOOST_AUTO_TEST_CASE(connection_may_not_nominate_framing_or_host) {
    for (const char* bad : {"content-length", "Transfer-Encoding", "close, HOST", "keep-alive,host"}) {
        auto h = request("/");
        h.set(http::field::connection, bad);
        BOOST_TEST(nominates_protected_field(h), bad);
    }
    for (const char* fine : {"close", "keep-alive", "Upgrade", "X-Content-Length", "te"}) {
        auto h = request("/");
        h.set(http::field::connection, fine);
        BOOST_TEST(!nominates_protected_field(h), fine);
    }
    // A second Connection field counts too.
    auto h = request("/");
    h.insert(http::field::connection, "close");
    h.insert(http::field::connection, "content-length");
    BOOST_TEST(nominates_protected_field(h));
}

BOOST_AUTO_TEST_CASE(hop_by_hop_removal_never_drops_framing) {
    // On a response the nomination is ignored: the framing the relay uses stays.
    auto h = response(200);
    h.set(http::field::connection, "Content-Length, Transfer-Encoding, Host, X-Drop");
    h.set(http::field::content_length, "5");
    h.set(http::field::transfer_encoding, "chunked");
    h.set(http::field::host, "a");
    h.set("X-Drop", "1");
    remove_hop_by_hop(h, false);
    BOOST_TEST(h[http::field::content_length] == "5");
    BOOST_TEST(h[http::field::transfer_encoding] == "chunked");
    BOOST_TEST(h[http::field::host] == "a");
    BOOST_TEST((h.find("X-Drop") == h.end()));
    BOOST_TEST((h.find(http::field::connection) == h.end()));
}

BOOST_AUTO_TEST_CASE(host_syntax) {
    for (const char* good : {"a", "example.com", "example.com:80", "127.0.0.1:65535", "[::1]",
                             "[::1]:8080", "[2001:db8::7]", "[::ffff:192.0.2.1]:1",
                             "[1:2:3:4:5:6:7:8]", "[v1.x]", "x_y.example", "a%41b", "0:0"})
        BOOST_TEST(valid_host(good), good);
    for (const char* bad : {"", " example.com", "example .com", "example.com\t", "u@example.com",
                            "example.com:", "example.com:65536", "example.com:123456",
                            "example.com:+80", "example.com:-1", "example.com:0x50", "a:b:c",
                            "[::1", "[::1]x", "[::1]:", "[1:2:3:4:5:6:7:8:9]", "[1::2::3]",
                            "[:1]", "[12345::]", "a/b", "a?b", "a, b", "%4", "%zz", ":80"})
        BOOST_TEST(!valid_host(bad), bad);
    BOOST_TEST(!valid_host(std::string_view("a\0b", 3)));
}

BOOST_AUTO_TEST_CASE(host_must_appear_exactly_once_in_http11) {
    auto missing = request("/", "");
    BOOST_TEST((normalize_target_and_host(missing) == reply_reason::bad_request));
    auto old = request("/", "", 10); // HTTP/1.0 may omit it
    BOOST_TEST((normalize_target_and_host(old) == reply_reason::none));
    auto twice = request("/");
    twice.insert(http::field::host, "example.com"); // even the same value
    BOOST_TEST((normalize_target_and_host(twice) == reply_reason::bad_request));
    auto old_twice = request("/", "a", 10);
    old_twice.insert(http::field::host, "b");
    BOOST_TEST((normalize_target_and_host(old_twice) == reply_reason::bad_request));
    auto userinfo = request("/", "user@example.com");
    BOOST_TEST((normalize_target_and_host(userinfo) == reply_reason::bad_request));
}

BOOST_AUTO_TEST_CASE(absolute_form_authority_wins_and_becomes_origin_form) {
    auto h = request("http://Other.example:8080/a/b?q=1", "example.com");
    BOOST_TEST((normalize_target_and_host(h) == reply_reason::none));
    BOOST_TEST(h.target() == "/a/b?q=1");
    BOOST_TEST(h[http::field::host] == "Other.example:8080");
    BOOST_TEST(h.count(http::field::host) == 1u);

    auto bare = request("HTTPS://example.com", "example.com");
    BOOST_TEST((normalize_target_and_host(bare) == reply_reason::none));
    BOOST_TEST(bare.target() == "/");
    auto query = request("http://example.com?x", "example.com");
    BOOST_TEST((normalize_target_and_host(query) == reply_reason::none));
    BOOST_TEST(query.target() == "/?x");
    auto options = request("http://example.com", "example.com", 11, http::verb::options);
    BOOST_TEST((normalize_target_and_host(options) == reply_reason::none));
    BOOST_TEST(options.target() == "*"); // RFC 9112 3.2.4

    for (const char* bad : {"http://user@example.com/", "http:///x", "ftp://example.com/",
                            "http://exa mple.com/", "example.com/x",
                            "http://example.com:99999/"}) {
        auto b = request(bad);
        BOOST_TEST((normalize_target_and_host(b) == reply_reason::bad_request), bad);
    }
}

BOOST_AUTO_TEST_CASE(target_forms) {
    auto star = request("*", "example.com", 11, http::verb::options);
    BOOST_TEST((normalize_target_and_host(star) == reply_reason::none));
    auto star_get = request("*");
    BOOST_TEST((normalize_target_and_host(star_get) == reply_reason::bad_request));
    auto connect = request("example.com:443", "example.com:443", 11, http::verb::connect);
    BOOST_TEST((normalize_target_and_host(connect) == reply_reason::method_not_allowed));
    BOOST_TEST((status_of(reply_reason::method_not_allowed) == http::status::method_not_allowed));
    for (const char* bad : {"/a#frag", "/caf\xc3\xa9", "/a\x7f"}) {
        auto b = request(bad);
        BOOST_TEST((normalize_target_and_host(b) == reply_reason::bad_request), bad);
    }
}

BOOST_AUTO_TEST_CASE(http10_without_host_gets_the_servers_address_upstream) {
    auto h = request("/", "", 10);
    add_forwarding_fields(h, {"10.0.0.1", "http", "", "127.0.0.1:8080"});
    BOOST_TEST(h[http::field::host] == "127.0.0.1:8080");
    auto with = request("/", "example.com", 10);
    add_forwarding_fields(with, {"10.0.0.1", "http", "", "127.0.0.1:8080"});
    BOOST_TEST(with[http::field::host] == "example.com");
}

BOOST_AUTO_TEST_CASE(response_framing_the_gateway_will_not_relay) {
    auto ok = response(200);
    ok.set(http::field::content_length, "3");
    BOOST_TEST((check_response_framing(ok) == reply_reason::none));
    auto chunked = response(200);
    chunked.set(http::field::transfer_encoding, "Chunked");
    BOOST_TEST((check_response_framing(chunked) == reply_reason::none));

    auto both = response(200);
    both.set(http::field::transfer_encoding, "chunked");
    both.set(http::field::content_length, "3");
    BOOST_TEST((check_response_framing(both) == reply_reason::bad_gateway));
    auto list = response(200);
    list.set(http::field::content_length, "3, 3");
    BOOST_TEST((check_response_framing(list) == reply_reason::bad_gateway));
    for (const char* te : {"gzip", "gzip, chunked", "chunked, chunked", "identity"}) {
        auto r = response(200);
        r.set(http::field::transfer_encoding, te);
        BOOST_TEST((check_response_framing(r) == reply_reason::bad_gateway), te);
    }
    auto two_te = response(200);
    two_te.insert(http::field::transfer_encoding, "chunked");
    two_te.insert(http::field::transfer_encoding, "chunked");
    BOOST_TEST((check_response_framing(two_te) == reply_reason::bad_gateway));
}

// Found by fuzz_response (fuzz/regressions/response/status-605).
BOOST_AUTO_TEST_CASE(statuses_outside_100_599_are_not_relayed) {
    for (unsigned status : {0u, 99u, 600u, 605u, 999u}) {
        auto r = response(status);
        BOOST_TEST((check_response_framing(r) == reply_reason::bad_gateway), status);
    }
    auto ok = response(599);
    BOOST_TEST((check_response_framing(ok) == reply_reason::none));
}

// Found by fuzz_request_head (fuzz/regressions/request_head/content-length-leading-zeros):
// the length goes on in one spelling, never with leading zeros a server might read as octal.
BOOST_AUTO_TEST_CASE(content_length_goes_on_without_leading_zeros) {
    for (auto [in, out] : {std::pair{"007", "7"}, std::pair{"0", "0"}, std::pair{"000", "0"},
                           std::pair{"10", "10"}}) {
        auto h = request("/");
        h.set(http::field::content_length, in);
        prepare_forward_head(h, true, {"10.0.0.1", "http", "", ""});
        BOOST_TEST(h[http::field::content_length] == out);
    }
}

BOOST_AUTO_TEST_CASE(transfer_encoding_goes_on_as_exactly_chunked) {
    auto h = request("/");
    h.set(http::field::transfer_encoding, " Chunked ");
    BOOST_TEST((check_request_framing(h) == reply_reason::none));
    prepare_forward_head(h, true, {"10.0.0.1", "http", "", ""});
    BOOST_TEST(h[http::field::transfer_encoding] == "chunked");
    for (const char* bad : {"chunked, chunked", "chunked;x", "chunked,", ", chunked", "xchunked",
                            "chunked\xa0", "identity, chunked;q=1"}) {
        auto b = request("/");
        b.set(http::field::transfer_encoding, bad);
        BOOST_TEST((check_request_framing(b) == reply_reason::bad_request), bad);
    }
}

BOOST_AUTO_TEST_CASE(bodies_a_status_forbids_keep_the_connection_out_of_the_pool) {
    auto no_content = response(204);
    BOOST_TEST(!declares_forbidden_body(no_content));
    no_content.set(http::field::content_length, "0");
    BOOST_TEST(!declares_forbidden_body(no_content));
    no_content.set(http::field::content_length, "5");
    BOOST_TEST(declares_forbidden_body(no_content));
    auto interim = response(100);
    interim.set(http::field::transfer_encoding, "chunked");
    BOOST_TEST(declares_forbidden_body(interim));
    auto not_modified = response(304); // its Content-Length describes the resource
    not_modified.set(http::field::content_length, "5");
    BOOST_TEST(!declares_forbidden_body(not_modified));
}

BOOST_AUTO_TEST_SUITE_END()
