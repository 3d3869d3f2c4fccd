// Active health checks take a dead server out of rotation and bring it back.
#include <boost/test/unit_test.hpp>

#include "test/integration/harness.hpp"

using namespace gw::test;

BOOST_AUTO_TEST_SUITE(health)

BOOST_AUTO_TEST_CASE(dead_server_is_marked_down_and_skipped) {
    origins origin(1);
    const std::uint16_t dead = closed_port();
    std::string cfg = basic_config({origin.port(0), dead});
    cfg += "[backends.health_check]\npath = \"/healthz\"\ninterval = \"50ms\"\n"
           "timeout = \"40ms\"\nrise = 1\nfall = 1\n";
    running_gateway gw(load_config(cfg));
    auto& backend = *gw.get().shared().current()->backends[0];
    BOOST_TEST(wait_until([&] { return !backend.server(1).up.load(); }));
    BOOST_TEST(backend.server(0).up.load());
    const auto failures_before = backend.server(1).connect_failures.load();
    for (int i = 0; i < 10; ++i) {
        client c(gw.port());
        auto r = c.get("/?size=3");
        BOOST_REQUIRE(r);
        BOOST_TEST(r->result_int() == 200u);
    }
    // Requests never went to the server that is down.
    BOOST_TEST(backend.server(1).connect_failures.load() == failures_before);
    BOOST_TEST(backend.server(0).requests.load() == 10u);
}

BOOST_AUTO_TEST_CASE(wrong_status_marks_down_and_no_usable_server_gives_503) {
    // The check expects 200; this path makes the origin answer 500.
    origins origin(1);
    std::string cfg = basic_config({origin.port(0)});
    cfg += "[backends.health_check]\npath = \"/?status=500\"\ninterval = \"50ms\"\n"
           "timeout = \"40ms\"\nrise = 2\nfall = 2\n";
    running_gateway gw(load_config(cfg));
    auto& server = gw.get().shared().current()->backends[0]->server(0);
    BOOST_TEST(wait_until([&] { return !server.up.load(); }));
    client c(gw.port());
    auto r = c.get("/?size=1");
    BOOST_REQUIRE(r);
    BOOST_TEST(r->result_int() == 503u); // at once: queueing for a dead backend is pointless
}

BOOST_AUTO_TEST_SUITE_END()
