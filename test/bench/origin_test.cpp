// The origin server with real loopback sockets: the test client and the origin
// share one io_context, driven by run_for (bounded); responses are read with
// Beast's own parser, an implementation independent of the origin's.
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <exception>
#include <optional>
#include <string>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

#include "bench/origin/origin_server.hpp"
#include "test/bench/bench_harness.hpp"

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using namespace gw::bench;
using namespace gw::bench::test;
using namespace net::experimental::awaitable_operators;
using response = http::response<http::string_body>;

namespace {

// The origin and the test client on one io_context; run() drives both.
struct origin_fixture {
    explicit origin_fixture(origin_options o = {}) : origin(ioc, "127.0.0.1", 0, o) {
        origin.start();
    }

    // Runs `client` to completion (at most 20 s), then stops the origin and lets
    // its sessions end. Rethrows what the client threw.
    void run(net::awaitable<void> client) {
        bool done = false;
        std::exception_ptr error;
        net::co_spawn(ioc, std::move(client), [&](std::exception_ptr e) {
            done = true;
            error = e;
            origin.stop();
        });
        ioc.run_for(std::chrono::seconds(20));
        BOOST_REQUIRE_MESSAGE(done, "the client did not finish within 20 s");
        if (error) std::rethrow_exception(error);
    }

    net::io_context ioc{1};
    origin_server origin;
};

net::awaitable<tcp::socket> connect_to(std::uint16_t port) {
    tcp::socket s(co_await net::this_coro::executor);
    co_await s.async_connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port),
                             net::use_awaitable);
    co_return s;
}

net::awaitable<void> send(tcp::socket* s, std::string data) {
    co_await net::async_write(*s, net::buffer(data), net::use_awaitable);
}

net::awaitable<response> receive(tcp::socket* s, beast::flat_buffer* buf, bool head = false) {
    http::response_parser<http::string_body> p;
    p.body_limit(boost::none);
    p.skip(head);
    co_await http::async_read(*s, *buf, p, net::use_awaitable);
    co_return p.release();
}

// Reads until the peer closes; returns whether it closed without sending more.
net::awaitable<bool> closed_by_peer(tcp::socket* s, beast::flat_buffer* buf) {
    if (buf->size() > 0) co_return false;
    char c;
    auto [ec, n] =
        co_await s->async_read_some(net::buffer(&c, 1), net::as_tuple(net::use_awaitable));
    co_return ec == net::error::eof&& n == 0;
}

std::string get(std::string_view target, std::string_view extra = "") {
    return "GET " + std::string(target) + " HTTP/1.1\r\nHost: origin\r\n" + std::string(extra) +
           "\r\n";
}

std::string field(const response& r, std::string_view name) {
    auto it = r.find(beast::string_view(name.data(), name.size()));
    return it == r.end() ? std::string("<none>") : std::string(it->value());
}

// ---- client scripts (free coroutines, parameters by value) ----

net::awaitable<void> one_get(std::uint16_t port, std::string request, std::optional<response>* out,
                             bool* closed) {
    auto s = co_await connect_to(port);
    beast::flat_buffer buf;
    co_await send(&s, request);
    *out = co_await receive(&s, &buf);
    if (closed) *closed = co_await closed_by_peer(&s, &buf);
}

net::awaitable<void> echo_exchange(std::uint16_t port, std::string request,
                                   std::optional<response>* out) {
    auto s = co_await connect_to(port);
    beast::flat_buffer buf;
    // Write and read at once: the origin streams the body back while it arrives.
    *out = co_await (send(&s, request) && receive(&s, &buf));
}

net::awaitable<void> several(std::uint16_t port, std::string requests, std::vector<bool> heads,
                             std::vector<response>* out) {
    auto s = co_await connect_to(port);
    beast::flat_buffer buf;
    co_await send(&s, requests); // all of them in one write: pipelined
    for (bool head : heads)
        out->push_back(co_await receive(&s, &buf, head));
}

// Sends `request` and collects every byte until the origin closes.
net::awaitable<void> read_to_eof(std::uint16_t port, std::string request, std::string* raw) {
    auto s = co_await connect_to(port);
    co_await send(&s, request);
    char buf[16384];
    for (;;) {
        auto [ec, n] =
            co_await s.async_read_some(net::buffer(buf), net::as_tuple(net::use_awaitable));
        raw->append(buf, n);
        if (ec) break;
    }
}

net::awaitable<void> timed_get(std::uint16_t port, std::string request,
                               std::chrono::steady_clock::duration* took) {
    auto s = co_await connect_to(port);
    beast::flat_buffer buf;
    auto t0 = std::chrono::steady_clock::now();
    co_await send(&s, request);
    auto r = co_await receive(&s, &buf);
    *took = std::chrono::steady_clock::now() - t0;
    BOOST_TEST(r.result_int() == 200u);
}

net::awaitable<void> idle_client(std::uint16_t port, origin_server* origin, bool* closed) {
    auto s = co_await connect_to(port);
    beast::flat_buffer buf;
    co_await send(&s, get("/?size=3"));
    co_await receive(&s, &buf);
    origin->stop(); // must close this idle keep-alive connection
    *closed = co_await closed_by_peer(&s, &buf);
}

} // namespace

BOOST_AUTO_TEST_SUITE(origin_suite)

BOOST_AUTO_TEST_CASE(default_response_is_64_pattern_bytes_with_content_length) {
    origin_fixture f;
    std::optional<response> r;
    f.run(one_get(f.origin.port(), get("/"), &r, nullptr));
    BOOST_REQUIRE(r);
    BOOST_TEST(r->result_int() == 200u);
    BOOST_TEST(field(*r, "Content-Length") == "64");
    BOOST_TEST(r->body().size() == 64u);
    BOOST_TEST(is_pattern(r->body()));
    BOOST_TEST(r->keep_alive());
}

BOOST_AUTO_TEST_CASE(options_set_size_status_and_framing) {
    origin_options o;
    o.body_size = 100000;
    o.status = 503;
    o.chunked = true;
    origin_fixture f(o);
    std::optional<response> r;
    f.run(one_get(f.origin.port(), get("/"), &r, nullptr));
    BOOST_REQUIRE(r);
    BOOST_TEST(r->result_int() == 503u);
    BOOST_TEST(r->chunked());
    BOOST_TEST(r->body().size() == 100000u);
    BOOST_TEST(is_pattern(r->body()));
}

BOOST_AUTO_TEST_CASE(query_overrides_size_status_and_chunked) {
    origin_fixture f;
    std::optional<response> r;
    f.run(one_get(f.origin.port(), get("/x?size=300000&status=404&chunked=1"), &r, nullptr));
    BOOST_REQUIRE(r);
    BOOST_TEST(r->result_int() == 404u);
    BOOST_TEST(r->chunked());
    BOOST_TEST(field(*r, "Content-Length") == "<none>");
    BOOST_TEST(r->body().size() == 300000u); // several 64 KiB pieces
    BOOST_TEST(is_pattern(r->body()));
}

BOOST_AUTO_TEST_CASE(large_content_length_body_is_generated_piecewise) {
    origin_fixture f;
    std::optional<response> r;
    f.run(one_get(f.origin.port(), get("/?size=5000000"), &r, nullptr));
    BOOST_REQUIRE(r);
    BOOST_TEST(field(*r, "Content-Length") == "5000000");
    BOOST_TEST(r->body().size() == 5000000u);
    BOOST_TEST(is_pattern(r->body()));
}

BOOST_AUTO_TEST_CASE(empty_bodies_204_and_size_zero) {
    origin_fixture f;
    std::vector<response> rs;
    f.run(several(f.origin.port(),
                  get("/?status=204") + get("/?size=0") + get("/?size=0&chunked=1"),
                  {false, false, false}, &rs));
    BOOST_REQUIRE(rs.size() == 3u);
    BOOST_TEST(rs[0].result_int() == 204u);
    BOOST_TEST(field(rs[0], "Content-Length") == "<none>");
    BOOST_TEST(field(rs[1], "Content-Length") == "0");
    BOOST_TEST(rs[2].chunked());
    BOOST_TEST(rs[2].body().empty());
}

BOOST_AUTO_TEST_CASE(delay_holds_the_response_head) {
    origin_fixture f;
    std::chrono::steady_clock::duration took{};
    f.run(timed_get(f.origin.port(), get("/?delay=60"), &took));
    BOOST_TEST(took >= std::chrono::milliseconds(60));
}

BOOST_AUTO_TEST_CASE(close_query_closes_after_the_response) {
    origin_fixture f;
    std::optional<response> r;
    bool closed = false;
    f.run(one_get(f.origin.port(), get("/?close=1&size=10"), &r, &closed));
    BOOST_REQUIRE(r);
    BOOST_TEST(field(*r, "Connection") == "close");
    BOOST_TEST(r->body().size() == 10u);
    BOOST_TEST(closed);
}

BOOST_AUTO_TEST_CASE(keep_alive_option_false_closes_every_connection) {
    origin_options o;
    o.keep_alive = false;
    origin_fixture f(o);
    std::optional<response> r;
    bool closed = false;
    f.run(one_get(f.origin.port(), get("/"), &r, &closed));
    BOOST_REQUIRE(r);
    BOOST_TEST(!r->keep_alive());
    BOOST_TEST(closed);
}

BOOST_AUTO_TEST_CASE(echo_streams_a_content_length_body_back) {
    origin_fixture f;
    const std::string body = test_bytes(3 * 1024 * 1024 + 17); // far more than one buffer
    std::string head =
        "POST /echo HTTP/1.1\r\nHost: origin\r\nContent-Length: " + std::to_string(body.size()) +
        "\r\n\r\n";
    std::optional<response> r;
    f.run(echo_exchange(f.origin.port(), head + body, &r));
    BOOST_REQUIRE(r);
    BOOST_TEST(r->result_int() == 200u);
    BOOST_TEST(field(*r, "Content-Length") == std::to_string(body.size()));
    BOOST_TEST(field(*r, "x-origin-request-head") == std::to_string(head.size()));
    BOOST_TEST(r->body().size() == body.size());
    BOOST_TEST((r->body() == body));
    BOOST_TEST(f.origin.counters().request_body_bytes == body.size());
}

BOOST_AUTO_TEST_CASE(echo_streams_a_chunked_body_back_chunked) {
    origin_fixture f;
    const std::string body = test_bytes(2 * 1024 * 1024 + 5);
    std::string head = "POST /echo HTTP/1.1\r\nHost: origin\r\nTransfer-Encoding: chunked\r\n\r\n";
    std::optional<response> r;
    f.run(echo_exchange(f.origin.port(), head + chunked_encode(body, {1, 7, 70000, 333, 100000}),
                        &r));
    BOOST_REQUIRE(r);
    BOOST_TEST(r->chunked());
    BOOST_TEST(field(*r, "x-origin-request-head") == std::to_string(head.size()));
    BOOST_TEST(r->body().size() == body.size());
    BOOST_TEST((r->body() == body));
}

BOOST_AUTO_TEST_CASE(echo_without_body_answers_empty) {
    origin_fixture f;
    std::optional<response> r;
    f.run(one_get(f.origin.port(), get("/echo"), &r, nullptr));
    BOOST_REQUIRE(r);
    BOOST_TEST(field(*r, "Content-Length") == "0");
    BOOST_TEST(r->body().empty());
}

BOOST_AUTO_TEST_CASE(echo_head_returns_the_request_head_exactly) {
    origin_fixture f;
    std::string req = "GET /echo-head?a=1 HTTP/1.1\r\nHost: origin\r\nX-Mixed-Case:  two  spaces "
                      "\r\nx-empty:\r\n\r\n";
    std::optional<response> r;
    f.run(one_get(f.origin.port(), req, &r, nullptr));
    BOOST_REQUIRE(r);
    BOOST_TEST(field(*r, "Content-Type") == "text/plain");
    BOOST_TEST(r->body() == req);
}

BOOST_AUTO_TEST_CASE(head_gets_the_head_only_and_the_connection_stays_usable) {
    origin_fixture f;
    std::vector<response> rs;
    std::string head_req = "HEAD /?size=1000 HTTP/1.1\r\nHost: origin\r\n\r\n";
    f.run(several(f.origin.port(), head_req + get("/?size=7"), {true, false}, &rs));
    BOOST_REQUIRE(rs.size() == 2u);
    BOOST_TEST(field(rs[0], "Content-Length") == "1000");
    BOOST_TEST(rs[0].body().empty());
    BOOST_TEST(rs[1].body() == pattern_body(7)); // no stray body bytes in between
}

BOOST_AUTO_TEST_CASE(pipelined_requests_are_answered_in_order) {
    origin_fixture f;
    std::vector<response> rs;
    std::string body = test_bytes(100000);
    std::string reqs = get("/?size=1") + get("/?size=2&status=201") +
                       "POST /echo HTTP/1.1\r\nHost: origin\r\nContent-Length: 100000\r\n\r\n" +
                       body + get("/echo-head");
    f.run(several(f.origin.port(), reqs, {false, false, false, false}, &rs));
    BOOST_REQUIRE(rs.size() == 4u);
    BOOST_TEST(rs[0].body().size() == 1u);
    BOOST_TEST(rs[1].result_int() == 201u);
    BOOST_TEST(rs[1].body().size() == 2u);
    BOOST_TEST((rs[2].body() == body));
    BOOST_TEST(rs[3].body() == get("/echo-head"));
    BOOST_TEST(f.origin.counters().requests == 4u);
    BOOST_TEST(f.origin.counters().connections == 1u);
}

BOOST_AUTO_TEST_CASE(http10_client_gets_close_unless_keep_alive) {
    origin_fixture f;
    std::optional<response> r;
    bool closed = false;
    f.run(one_get(f.origin.port(), "GET /?size=5 HTTP/1.0\r\n\r\n", &r, &closed));
    BOOST_REQUIRE(r);
    BOOST_TEST(r->body() == pattern_body(5));
    BOOST_TEST(closed);
}

BOOST_AUTO_TEST_CASE(http10_keep_alive_is_honoured) {
    origin_fixture f;
    std::vector<response> rs;
    std::string req = "GET /?size=5 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n";
    f.run(several(f.origin.port(), req + req, {false, false}, &rs));
    BOOST_REQUIRE(rs.size() == 2u);
    BOOST_TEST(field(rs[0], "Connection") == "keep-alive");
    BOOST_TEST(rs[1].body() == pattern_body(5));
}

BOOST_AUTO_TEST_CASE(http10_chunked_request_gets_a_close_delimited_body) {
    origin_fixture f;
    std::string raw;
    f.run(read_to_eof(f.origin.port(), "GET /?size=70000&chunked=1 HTTP/1.0\r\n\r\n", &raw));
    auto end = raw.find("\r\n\r\n");
    BOOST_REQUIRE(end != std::string::npos);
    std::string head = raw.substr(0, end + 4);
    BOOST_TEST(head.find("Transfer-Encoding") == std::string::npos);
    BOOST_TEST(head.find("Content-Length") == std::string::npos);
    BOOST_TEST(head.find("Connection: close\r\n") != std::string::npos);
    BOOST_TEST(raw.substr(end + 4) == pattern_body(70000)); // the body ends at the close
}

BOOST_AUTO_TEST_CASE(request_bodies_are_read_and_counted) {
    origin_fixture f;
    std::vector<response> rs;
    std::string a = test_bytes(200000);
    std::string reqs = "POST /?size=3 HTTP/1.1\r\nHost: o\r\nContent-Length: 200000\r\n\r\n" + a +
                       "PUT /?size=4 HTTP/1.1\r\nHost: o\r\nTransfer-Encoding: chunked\r\n\r\n" +
                       chunked_encode(a, {65536, 3});
    f.run(several(f.origin.port(), reqs, {false, false}, &rs));
    BOOST_REQUIRE(rs.size() == 2u);
    BOOST_TEST(rs[0].body().size() == 3u);
    BOOST_TEST(rs[1].body().size() == 4u);
    auto c = f.origin.counters();
    BOOST_TEST(c.requests == 2u);
    BOOST_TEST(c.request_body_bytes == 400000u);
}

BOOST_AUTO_TEST_CASE(expect_100_continue_gets_an_interim_response) {
    origin_fixture f;
    std::vector<response> rs;
    std::string req = "POST /echo HTTP/1.1\r\nHost: o\r\nExpect: 100-continue\r\n"
                      "Content-Length: 3\r\n\r\nabc";
    f.run(several(f.origin.port(), req, {false, false}, &rs));
    BOOST_REQUIRE(rs.size() == 2u);
    BOOST_TEST(rs[0].result_int() == 100u);
    BOOST_TEST(rs[1].result_int() == 200u);
    BOOST_TEST(rs[1].body() == "abc");
}

BOOST_AUTO_TEST_CASE(malformed_request_gets_400_and_close) {
    origin_fixture f;
    std::optional<response> r;
    bool closed = false;
    f.run(one_get(f.origin.port(), "GET / HTTP/1.1\r\nContent-Length: x\r\n\r\n", &r, &closed));
    BOOST_REQUIRE(r);
    BOOST_TEST(r->result_int() == 400u);
    BOOST_TEST(closed);
}

BOOST_AUTO_TEST_CASE(stop_closes_idle_keep_alive_connections) {
    origin_fixture f;
    bool closed = false;
    f.run(idle_client(f.origin.port(), &f.origin, &closed));
    BOOST_TEST(closed);
    f.origin.stop(); // idempotent
}

BOOST_AUTO_TEST_CASE(servers_share_a_port_with_reuse_port) {
    net::io_context ioc{1};
    origin_options o;
    o.reuse_port = true;
    origin_server a(ioc, "127.0.0.1", 0, o);
    origin_server b(ioc, "127.0.0.1", a.port(), o);
    BOOST_TEST(a.port() == b.port());
    BOOST_CHECK_THROW(origin_server(ioc, "127.0.0.1", a.port(), origin_options{}),
                      boost::system::system_error);
}

BOOST_AUTO_TEST_SUITE_END()
