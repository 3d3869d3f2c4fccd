// Idle connections hold no buffer; graceful drain finishes what is in flight.
#include <boost/test/unit_test.hpp>

#include "test/integration/harness.hpp"

using namespace gw::test;

BOOST_AUTO_TEST_SUITE(lifecycle)

BOOST_AUTO_TEST_CASE(idle_keep_alive_connections_hold_no_buffer) {
    // 1,000 client sockets plus the gateway's side of each, in one process.
    BOOST_REQUIRE(raise_descriptor_limit() > 2500);

    origins origin(1);
    running_gateway gw(load_config(basic_config({origin.port(0)})));
    {
        std::vector<std::unique_ptr<client>> idle;
        for (int i = 0; i < 1000; ++i) {
            idle.push_back(std::make_unique<client>(gw.port()));
            auto r = idle.back()->get("/?size=10");
            BOOST_REQUIRE(r);
        }
        BOOST_TEST(gw.get().session_count() == 1000u);
        BOOST_TEST(wait_until([&] { return gw.get().pool_stats().used == 0; }));
        const auto s = gw.get().pool_stats();
        BOOST_TEST(s.acquires >= 2000u); // each did use a request and a response buffer
    }
    BOOST_TEST(wait_until([&] { return gw.get().session_count() == 0; }));
    BOOST_TEST(gw.get().pool_stats().used == 0u);
}

BOOST_AUTO_TEST_CASE(drain_finishes_in_flight_and_closes_idle) {
    origins origin(1);
    running_gateway gw(load_config(basic_config({origin.port(0)})));
    client idle(gw.port());
    BOOST_REQUIRE(idle.get("/?size=1"));
    // (The gateway gives the server back just after the response went out:
    // wait for that, so that "active" below is the busy request's own.)
    auto& server = gw.get().shared().current()->backends[0]->server(0);
    BOOST_REQUIRE(wait_until([&] { return server.active.load() == 0; }));
    client busy(gw.port());
    busy.send("GET /?delay=400&size=100 HTTP/1.1\r\nHost: t\r\n\r\n");
    BOOST_REQUIRE(wait_until([&] { return server.active.load() == 1; }));

    gw.get().drain();
    auto r = busy.read();
    BOOST_REQUIRE(r);
    BOOST_TEST(r->result_int() == 200u);
    BOOST_TEST(r->body() == pattern(100));
    BOOST_TEST(!r->keep_alive()); // told to go away
    BOOST_TEST(busy.closed());
    BOOST_TEST(idle.closed());
    gw.get().wait(); // every worker ran out of work by itself
}

BOOST_AUTO_TEST_CASE(max_connections_holds_new_ones_in_the_backlog) {
    origins origin(1);
    std::string cfg = basic_config({origin.port(0)});
    cfg.insert(cfg.find("default_backend"), "max_connections = 2\n");
    running_gateway gw(load_config(cfg));
    client a(gw.port()), b(gw.port());
    BOOST_REQUIRE(a.get("/?size=1"));
    BOOST_REQUIRE(b.get("/?size=1"));
    BOOST_TEST(gw.get().session_count() == 2u);
    {
        client third(gw.port(), std::chrono::milliseconds(300)); // connects: the kernel's backlog
        third.send("GET /?size=2 HTTP/1.1\r\nHost: t\r\n\r\n");
        BOOST_TEST(!third.read()); // not served while two are open
        BOOST_TEST(gw.get().session_count() == 2u);
    } // gives up; the gateway will accept it later and find it closed
    client fourth(gw.port());
    fourth.send("GET /?size=2 HTTP/1.1\r\nHost: t\r\n\r\n");
    a.send("GET /?size=1 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    BOOST_REQUIRE(a.read());
    auto r = fourth.read(); // served once `a` closed
    BOOST_REQUIRE(r);
    BOOST_TEST(r->body() == pattern(2));
}

BOOST_AUTO_TEST_SUITE_END()
