// What the gateway answers itself: malformed or ambiguous requests, limits,
// timeouts, and every way a backend can fail. After each, it serves the next.
#include <boost/test/unit_test.hpp>

#include "test/integration/harness.hpp"

using namespace gw::test;
using misbehaving = misbehaving_server::mode;

namespace {

unsigned status_of_raw(std::uint16_t port, const std::string& raw, bool expect_close = true) {
    client c(port);
    c.send(raw);
    auto r = c.read();
    if (!r)
        return 0;
    if (expect_close)
        BOOST_TEST(c.closed());
    return r->result_int();
}

// Two backends: "/bad" goes to the misbehaving server, the rest to a good origin.
std::string two_backends(std::uint16_t good, std::uint16_t bad, const std::string& extra = "") {
    return "[global]\nworkers = 1\n[admin]\nenabled = false\n"
           "[[listeners]]\nname = \"http\"\nlisten = \"127.0.0.1:0\"\ndefault_backend = \"good\"\n"
           "[[routes]]\npath_prefix = \"/bad\"\nbackend = \"bad\"\n"
           "[[backends]]\nname = \"good\"\n[[backends.servers]]\naddress = \"127.0.0.1:" +
           std::to_string(good) +
           "\"\n"
           "[[backends]]\nname = \"bad\"\nretries = 0\n[[backends.servers]]\naddress = \"127.0.0.1:" +
           std::to_string(bad) + "\"\n" + extra;
}

void serves_the_next_request(std::uint16_t port) {
    client c(port);
    auto r = c.get("/?size=7");
    BOOST_REQUIRE(r);
    BOOST_TEST(r->result_int() == 200u);
    BOOST_TEST(r->body() == pattern(7));
}

} // namespace

BOOST_AUTO_TEST_SUITE(errors)

BOOST_AUTO_TEST_CASE(malformed_and_ambiguous_requests_get_400) {
    origins origin(1);
    running_gateway gw(load_config(basic_config({origin.port(0)})));
    const std::vector<std::pair<const char*, std::string>> cases = {
        {"CL and TE", "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n"
                      "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"},
        {"differing CLs", "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"},
        {"bad CL", "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5x\r\n\r\nhello"},
        {"bare LF", "GET / HTTP/1.1\nHost: t\r\n\r\n"},
        {"obs-fold", "GET / HTTP/1.1\r\nHost: t\r\nX-A: b\r\n c\r\n\r\n"},
        {"bad header name", "GET / HTTP/1.1\r\nHost: t\r\nBad Name: x\r\n\r\n"},
        {"missing Host", "GET / HTTP/1.1\r\n\r\n"},
        {"TE not chunked last", "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked, gzip\r\n\r\n"},
        {"garbage start line", "HELLO\r\n\r\n"},
    };
    for (const auto& [name, raw] : cases)
        BOOST_TEST(status_of_raw(gw.port(), raw) == 400u, name);
    // A bad chunk size is found while the body streams: 400, never forwarded.
    BOOST_TEST(status_of_raw(gw.port(), "POST /echo HTTP/1.1\r\nHost: t\r\n"
                                        "Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n") ==
               400u);
    serves_the_next_request(gw.port());
    BOOST_TEST(wait_until([&] { return gw.get().pool_stats().used == 0; }));
}

BOOST_AUTO_TEST_CASE(limits_give_431_413_and_501) {
    origins origin(1);
    std::string cfg = basic_config({origin.port(0)});
    cfg.insert(cfg.find("default_backend"), "body_limit = \"1KiB\"\n");
    running_gateway gw(load_config(cfg));
    BOOST_TEST(status_of_raw(gw.port(), "GET / HTTP/1.1\r\nHost: t\r\nX-Big: " +
                                            std::string(12000, 'a') + "\r\n\r\n") == 431u);
    BOOST_TEST(status_of_raw(gw.port(), "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\n\r\n") ==
               413u);
    BOOST_TEST(status_of_raw(gw.port(), "POST /echo HTTP/1.1\r\nHost: t\r\n"
                                        "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n") == 501u);
    serves_the_next_request(gw.port());
}

BOOST_AUTO_TEST_CASE(no_route_gives_404_and_keeps_the_connection) {
    origins origin(1);
    std::string cfg = basic_config({origin.port(0)});
    cfg.replace(cfg.find("default_backend = \"app\"\n"), 24, "");
    cfg += "[[routes]]\npath_prefix = \"/app\"\nbackend = \"app\"\n";
    running_gateway gw(load_config(cfg));
    client c(gw.port());
    auto r = c.get("/elsewhere");
    BOOST_REQUIRE(r);
    BOOST_TEST(r->result_int() == 404u);
    auto ok = c.get("/app?size=2");
    BOOST_REQUIRE(ok);
    BOOST_TEST(ok->result_int() == 200u);
}

BOOST_AUTO_TEST_CASE(refused_connect_gives_502) {
    origins origin(1);
    running_gateway gw(load_config(two_backends(origin.port(0), closed_port())));
    BOOST_TEST(status_of_raw(gw.port(), "GET /bad HTTP/1.1\r\nHost: t\r\n\r\n") == 502u);
    serves_the_next_request(gw.port());
}

BOOST_AUTO_TEST_CASE(failed_connect_is_retried_on_another_server) {
    origins origin(1);
    const std::string cfg = basic_config({closed_port(), origin.port(0)});
    running_gateway gw(load_config(cfg));
    for (int i = 0; i < 6; ++i) // round-robin hits the dead server half of the time
        serves_the_next_request(gw.port());
    BOOST_TEST(gw.get().shared().current()->backends[0]->server(0).connect_failures.load() >= 1u);
}

BOOST_AUTO_TEST_CASE(backend_failures_give_502_or_504_or_a_clean_close) {
    origins origin(1);
    {
        misbehaving_server bad(misbehaving::reset_before_response);
        running_gateway gw(load_config(two_backends(origin.port(0), bad.port())));
        BOOST_TEST(status_of_raw(gw.port(), "GET /bad HTTP/1.1\r\nHost: t\r\n\r\n") == 502u);
        serves_the_next_request(gw.port());
    }
    {
        misbehaving_server bad(misbehaving::garbage);
        running_gateway gw(load_config(two_backends(origin.port(0), bad.port())));
        BOOST_TEST(status_of_raw(gw.port(), "GET /bad HTTP/1.1\r\nHost: t\r\n\r\n") == 502u);
        serves_the_next_request(gw.port());
    }
    {
        misbehaving_server bad(misbehaving::never_answers);
        running_gateway gw(load_config(
            two_backends(origin.port(0), bad.port(), "[timeouts]\nserver = \"300ms\"\n")));
        BOOST_TEST(status_of_raw(gw.port(), "GET /bad HTTP/1.1\r\nHost: t\r\n\r\n") == 504u);
        serves_the_next_request(gw.port());
    }
    {
        misbehaving_server bad(misbehaving::reset_mid_response);
        running_gateway gw(load_config(two_backends(origin.port(0), bad.port())));
        client c(gw.port());
        c.send("GET /bad HTTP/1.1\r\nHost: t\r\n\r\n");
        BOOST_TEST(!c.read()); // head and 10 bytes came through, then the close
        serves_the_next_request(gw.port());
        BOOST_TEST(wait_until([&] { return gw.get().pool_stats().used == 0; }));
    }
}

// A body larger than a buffer is spliced: a server that resets or stalls in the
// middle of it ends that exchange with a close, and nothing else.
BOOST_AUTO_TEST_CASE(a_server_failing_mid_way_through_a_spliced_body) {
    origins origin(1);
    for (const auto m : {misbehaving::large_then_reset, misbehaving::large_then_silent}) {
        misbehaving_server bad(m);
        running_gateway gw(load_config(
            two_backends(origin.port(0), bad.port(), "[timeouts]\nserver = \"300ms\"\n")));
        client c(gw.port(), std::chrono::seconds(3));
        c.send("GET /bad HTTP/1.1\r\nHost: t\r\n\r\n");
        BOOST_TEST(!c.read()); // 200,000 of 1,000,000 bytes, then the close
        BOOST_TEST(gw.get().counters().spliced_bytes > 100'000u);
        serves_the_next_request(gw.port());
        BOOST_TEST(wait_until([&] { return gw.get().pool_stats().used == 0; }));
        BOOST_TEST(wait_until([&] { return gw.get().session_count() == 0; }));
    }
}

// The gateway holds back a piece of a body (MSG_MORE) only while the next one is
// already there: when the server pauses mid-body, what came so far reaches the
// client at once, through the buffer and through a pipe alike. Held back, it
// would leave only with the kernel's zero-window probe, 200 ms (TCP_RTO_MIN) or
// more later: a reader that gives up after 150 ms tells the two apart. (Three
// tries: one slow scheduling of the test's threads is not the fault.)
BOOST_AUTO_TEST_CASE(a_body_paused_by_the_server_is_forwarded_as_far_as_it_came) {
    const std::pair<misbehaving, std::size_t> cases[] = {{misbehaving::part_then_silent, 12'000},
                                                         {misbehaving::large_then_silent, 200'000}};
    for (const auto& [m, sent] : cases) {
        misbehaving_server paused(m);
        origins origin(1);
        running_gateway gw(load_config(
            two_backends(origin.port(0), paused.port(), "[timeouts]\nserver = \"20s\"\n")));
        bool forwarded = false;
        for (int attempt = 0; attempt < 3 && !forwarded; ++attempt) {
            client c(gw.port(), std::chrono::milliseconds(150));
            c.send("GET /bad HTTP/1.1\r\nHost: t\r\n\r\n");
            // the head and all but its length of the body that came
            const std::string got = c.read_exactly(sent);
            forwarded = got.size() == sent && got.starts_with("HTTP/1.1 200 OK");
        }
        BOOST_TEST(forwarded, "mode " << static_cast<int>(m));
    }
}

BOOST_AUTO_TEST_CASE(a_kept_alive_connection_the_server_dropped_is_retried_fresh) {
    misbehaving_server server(misbehaving::one_per_connection);
    std::string cfg = basic_config({server.port()});
    cfg.replace(cfg.find("workers = 2"), 11, "workers = 1");
    running_gateway gw(load_config(cfg));
    client c(gw.port());
    for (int i = 0; i < 3; ++i) { // each reuse finds the server gone, then a fresh one answers
        auto r = c.get("/");
        BOOST_REQUIRE(r);
        BOOST_TEST(r->result_int() == 200u);
        BOOST_TEST(r->body() == "ok");
    }
    BOOST_TEST(server.accepted() == 3);
}

BOOST_AUTO_TEST_CASE(slow_server_gives_504) {
    origins origin(1);
    running_gateway gw(load_config(basic_config({origin.port(0)}, "[timeouts]\nserver = \"200ms\"\n")));
    BOOST_TEST(status_of_raw(gw.port(), "GET /?delay=3000 HTTP/1.1\r\nHost: t\r\n\r\n") == 504u);
    serves_the_next_request(gw.port());
}

BOOST_AUTO_TEST_CASE(queue_timeout_gives_503) {
    origins origin(1);
    running_gateway gw(load_config(
        basic_config({origin.port(0)}, "[timeouts]\nqueue = \"200ms\"\n", "maxconn = 1")));
    client busy(gw.port());
    busy.send("GET /?delay=1500 HTTP/1.1\r\nHost: t\r\n\r\n"); // holds the only slot
    auto& server = gw.get().shared().current()->backends[0]->server(0);
    BOOST_REQUIRE(wait_until([&] { return server.active.load() == 1; }));
    BOOST_TEST(status_of_raw(gw.port(), "GET / HTTP/1.1\r\nHost: t\r\n\r\n") == 503u);
    auto r = busy.read();
    BOOST_REQUIRE(r);
    BOOST_TEST(r->result_int() == 200u);
    BOOST_TEST(gw.get().shared().current()->backends[0]->queue_timeouts() == 1u);
}

BOOST_AUTO_TEST_CASE(slow_request_head_gives_408) {
    origins origin(1);
    running_gateway gw(
        load_config(basic_config({origin.port(0)}, "[timeouts]\nclient_head = \"200ms\"\n")));
    client c(gw.port());
    c.send("GET / HTTP/1.1\r\nHost: t\r\n"); // never finished
    auto r = c.read();
    BOOST_REQUIRE(r);
    BOOST_TEST(r->result_int() == 408u);
    BOOST_TEST(c.closed());
    BOOST_TEST(wait_until([&] { return gw.get().pool_stats().used == 0; }));
}

BOOST_AUTO_TEST_SUITE_END()
