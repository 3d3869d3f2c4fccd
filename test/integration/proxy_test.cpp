// The gateway relaying real HTTP/1.1 between real sockets: keep-alive,
// pipelining, bodies in both directions much larger than a buffer, HEAD, 204,
// HTTP/1.0, header rewriting.
#include <chrono>
#include <thread>

#include <boost/test/unit_test.hpp>

#include "test/integration/harness.hpp"

using namespace gw::test;

namespace {
struct fixture {
    origins origin{1};
    running_gateway gw{load_config(basic_config({origin.port(0)}))};
};
} // namespace

BOOST_FIXTURE_TEST_SUITE(proxy, fixture)

BOOST_AUTO_TEST_CASE(get_with_keep_alive_reuses_the_client_connection) {
    client c(gw.port());
    for (int i = 0; i < 5; ++i) {
        auto r = c.get("/?size=100");
        BOOST_REQUIRE(r);
        BOOST_TEST(r->result_int() == 200u);
        BOOST_TEST(r->body() == pattern(100));
        BOOST_TEST(r->keep_alive());
    }
    // Between requests the connection holds no buffer, and nothing leaked.
    BOOST_TEST(wait_until([&] { return gw.get().pool_stats().used == 0; }));
}

BOOST_AUTO_TEST_CASE(large_response_streams_through_small_buffers) {
    client c(gw.port());
    const std::size_t n = 4 * 1024 * 1024; // 256 buffers' worth
    auto r = c.get("/?size=" + std::to_string(n));
    BOOST_REQUIRE(r);
    BOOST_TEST(r->body().size() == n);
    BOOST_TEST((r->body() == pattern(n)));
    BOOST_TEST(gw.get().pool_stats().high_water <= 2u);
}

// Content-Length bodies larger than a buffer go socket to socket with splice(2)
// (buffers.splice), or through the buffer: the same bytes either way, and never
// a byte past the body (the next pipelined request stays in the socket).
BOOST_AUTO_TEST_CASE(large_content_length_bodies_are_spliced_exactly) {
    for (const bool splice : {true, false}) {
        BOOST_TEST_CONTEXT("splice " << splice) {
            running_gateway g(load_config(basic_config(
                {origin.port(0)}, std::string("[buffers]\nsplice = ") + (splice ? "true" : "false") + "\n")));
            client c(g.port());
            const std::string body = pattern(300'000);
            c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: " + std::to_string(body.size()) +
                   "\r\n\r\n" + body + "GET /?size=5 HTTP/1.1\r\nHost: t\r\n\r\n");
            auto echoed = c.read();
            BOOST_REQUIRE(echoed);
            BOOST_TEST((echoed->body() == body));
            auto small = c.read();
            BOOST_REQUIRE(small);
            BOOST_TEST(small->body() == pattern(5));
            auto big = c.get("/?size=1000000");
            BOOST_REQUIRE(big);
            BOOST_TEST((big->body() == pattern(1'000'000)));
            BOOST_TEST(c.get("/?size=7").has_value());
            const auto spliced = g.get().counters().spliced_bytes;
            if (splice) // all but what arrived with the heads (at most a buffer each way)
                BOOST_TEST(spliced > 2 * body.size() + 1'000'000 - 4 * 16384);
            else
                BOOST_TEST(spliced == 0u);
            BOOST_TEST(wait_until([&] { return g.get().pool_stats().used == 0; }));
        }
    }
}

BOOST_AUTO_TEST_CASE(chunked_response_is_relayed_chunked) {
    client c(gw.port());
    auto r = c.get("/?size=50000&chunked=1");
    BOOST_REQUIRE(r);
    BOOST_TEST(r->chunked());
    BOOST_TEST((r->body() == pattern(50000)));
}

BOOST_AUTO_TEST_CASE(request_bodies_with_content_length_and_chunked) {
    client c(gw.port());
    const std::string body = pattern(200'000);
    c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\n\r\n" + body);
    auto r = c.read();
    BOOST_REQUIRE(r);
    BOOST_TEST(r->result_int() == 200u);
    BOOST_TEST((r->body() == body));

    std::string chunked = "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (std::size_t off = 0; off < body.size(); off += 7000) {
        const auto piece = body.substr(off, 7000);
        char size[16];
        std::snprintf(size, sizeof size, "%zx\r\n", piece.size());
        chunked += size + piece + "\r\n";
    }
    chunked += "0\r\n\r\n";
    c.send(chunked);
    auto r2 = c.read();
    BOOST_REQUIRE(r2);
    BOOST_TEST((r2->body() == body));
}

BOOST_AUTO_TEST_CASE(expect_100_continue_is_answered) {
    client c(gw.port());
    c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
    auto interim = c.read();
    BOOST_REQUIRE(interim);
    BOOST_TEST(interim->result_int() == 100u);
    c.send("hello");
    auto r = c.read();
    BOOST_REQUIRE(r);
    BOOST_TEST(r->body() == "hello");
}

BOOST_AUTO_TEST_CASE(pipelined_requests_are_answered_in_order) {
    client c(gw.port());
    c.send("GET /?size=10 HTTP/1.1\r\nHost: t\r\n\r\n"
           "GET /?size=20 HTTP/1.1\r\nHost: t\r\n\r\n"
           "GET /?size=30 HTTP/1.1\r\nHost: t\r\n\r\n");
    for (std::size_t n : {10u, 20u, 30u}) {
        auto r = c.read();
        BOOST_REQUIRE(r);
        BOOST_TEST(r->body().size() == n);
    }
}

BOOST_AUTO_TEST_CASE(head_204_and_304_have_no_body) {
    client c(gw.port());
    c.send("HEAD /?size=1000 HTTP/1.1\r\nHost: t\r\n\r\n");
    auto h = c.read(true);
    BOOST_REQUIRE(h);
    BOOST_TEST((*h)[boost::beast::http::field::content_length] == "1000");
    BOOST_TEST(h->body().empty());
    for (int status : {204, 304}) {
        auto r = c.get("/?status=" + std::to_string(status));
        BOOST_REQUIRE(r);
        BOOST_TEST(r->result_int() == static_cast<unsigned>(status));
        BOOST_TEST(r->body().empty());
    }
    auto after = c.get("/?size=3"); // the connection is still in sync
    BOOST_REQUIRE(after);
    BOOST_TEST(after->body() == pattern(3));
}

BOOST_AUTO_TEST_CASE(http10_client_gets_a_closed_connection) {
    client c(gw.port());
    c.send("GET /?size=64 HTTP/1.0\r\n\r\n");
    auto r = c.read();
    BOOST_REQUIRE(r);
    BOOST_TEST(r->body() == pattern(64));
    BOOST_TEST(c.closed());
}

BOOST_AUTO_TEST_CASE(connection_close_is_honoured) {
    client c(gw.port());
    auto r = c.get("/?size=5", "Connection: close\r\n");
    BOOST_REQUIRE(r);
    BOOST_TEST(!r->keep_alive());
    BOOST_TEST(c.closed());
}

BOOST_AUTO_TEST_CASE(headers_are_rewritten_for_the_origin) {
    client c(gw.port());
    auto r = c.get("/echo-head", "Connection: X-Secret\r\nX-Secret: 1\r\nKeep-Alive: 5\r\n"
                                 "X-Forwarded-For: 192.0.2.1\r\nX-Kept: yes\r\n");
    BOOST_REQUIRE(r);
    const std::string& head = r->body();
    BOOST_TEST_MESSAGE(head);
    BOOST_TEST(head.find("X-Secret") == std::string::npos);
    BOOST_TEST(head.find("Keep-Alive") == std::string::npos);
    BOOST_TEST(head.find("X-Kept: yes") != std::string::npos);
    // The client is no trusted proxy: the address it claimed goes, its own stands.
    BOOST_TEST(head.find("192.0.2.1") == std::string::npos);
    BOOST_TEST(head.find("X-Forwarded-For: 127.0.0.1\r\n") != std::string::npos);
    BOOST_TEST(head.find("X-Forwarded-Proto: http") != std::string::npos);
    BOOST_TEST(head.find("X-Forwarded-Host: test") != std::string::npos);
    BOOST_TEST(head.find("X-Request-Id: ") != std::string::npos);
}

// The gateway writes heads itself (one block): start lines exactly as HTTP
// wants them, for any method, the origin's own reason phrase, an HTTP/1.0
// request going upstream as HTTP/1.1.
BOOST_AUTO_TEST_CASE(heads_are_written_exactly) {
    client c(gw.port());
    c.send("PURGE /echo-head?x=1 HTTP/1.0\r\nHost: h\r\nConnection: keep-alive\r\n\r\n");
    auto r = c.read();
    BOOST_REQUIRE(r);
    const std::string& head = r->body();
    BOOST_TEST(head.starts_with("PURGE /echo-head?x=1 HTTP/1.1\r\nHost: h\r\n"));
    BOOST_TEST(head.ends_with("\r\n\r\n"));
    BOOST_TEST(head.find("\r\n\r\n") == head.size() - 4);
    client raw(gw.port());
    raw.send("GET /?status=404&size=3 HTTP/1.1\r\nHost: t\r\n\r\n");
    const std::string line = "HTTP/1.1 404 Not Found\r\n";
    BOOST_TEST(raw.read_exactly(line.size()) == line);
}

// An idle session reads a request's first bytes (up to 1 KiB) before it takes
// a buffer: heads smaller and larger than that, and one that arrives in two
// pieces, all reach the origin whole, on one kept-alive connection.
BOOST_AUTO_TEST_CASE(heads_of_any_size_after_an_idle_wait_arrive_whole) {
    client c(gw.port());
    for (const std::size_t n : {10u, 900u, 1000u, 1024u, 1100u, 5000u}) {
        const std::string value(n, 'v');
        auto r = c.get("/echo-head", "X-Long: " + value + "\r\n");
        BOOST_REQUIRE(r);
        BOOST_TEST(r->body().find("X-Long: " + value + "\r\n") != std::string::npos, n);
    }
    c.send("GET /echo-head HTTP/1.1\r\nHo");
    std::this_thread::sleep_for(std::chrono::milliseconds(20)); // the session reads the piece
    c.send("st: t\r\nX-Split: yes\r\n\r\n");
    auto r = c.read();
    BOOST_REQUIRE(r);
    BOOST_TEST(r->body().starts_with("GET /echo-head HTTP/1.1\r\nHost: t\r\nX-Split: yes\r\n"));
}

BOOST_AUTO_TEST_CASE(server_connections_are_reused) {
    {
        client c(gw.port());
        for (int i = 0; i < 10; ++i)
            BOOST_REQUIRE(c.get("/?size=1"));
    }
    client c2(gw.port());
    BOOST_REQUIRE(c2.get("/?size=1"));
    // 11 requests over at most one server connection per worker (2 workers).
    auto& server = gw.get().shared().current()->backends[0]->server(0);
    BOOST_TEST(server.requests.load() == 11u);
    BOOST_TEST(server.connects.load() <= 2u);
}

BOOST_AUTO_TEST_CASE(upgrade_becomes_a_tunnel) {
    misbehaving_server ws(misbehaving_server::mode::upgrade_echo);
    running_gateway tgw(load_config(basic_config({ws.port()})));
    client c(tgw.port());
    c.send("GET /chat HTTP/1.1\r\nHost: t\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n");
    auto r = c.read();
    BOOST_REQUIRE(r);
    BOOST_TEST(r->result_int() == 101u);
    BOOST_TEST((*r)[boost::beast::http::field::upgrade] == "websocket");
    BOOST_TEST(c.read_exactly(5) == "hello"); // sent by the server right behind its head
    for (const std::string& msg : std::vector<std::string>{"ping", std::string(100000, 'w')}) {
        c.send(msg);
        BOOST_TEST((c.read_exactly(msg.size()) == msg));
    }
}

BOOST_AUTO_TEST_CASE(chunked_trailers_are_relayed) {
    misbehaving_server srv(misbehaving_server::mode::chunked_trailers);
    running_gateway tgw(load_config(basic_config({srv.port()})));
    client c(tgw.port());
    auto r = c.get("/");
    BOOST_REQUIRE(r);
    BOOST_TEST(r->body() == "hello");
    BOOST_TEST(r->chunked());
    BOOST_TEST((*r)["X-Checksum"] == "abc"); // Beast merges trailer fields into the fields
    BOOST_TEST((*r)[boost::beast::http::field::trailer] == "X-Checksum");
}

BOOST_AUTO_TEST_CASE(upgrade_refused_by_the_server_stays_http) {
    client c(gw.port());
    auto r = c.get("/?size=4", "Connection: Upgrade\r\nUpgrade: websocket\r\n");
    BOOST_REQUIRE(r);
    BOOST_TEST(r->result_int() == 200u);
    BOOST_TEST(r->body() == pattern(4));
}

BOOST_AUTO_TEST_SUITE_END()
