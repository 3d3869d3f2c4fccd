// Idle server connections sized by demand (upstream/idle_connections): a burst
// leaves as many idle connections as it ran at once, a steady trickle keeps
// reusing the same one while the others close after keepalive_timeout, and
// the last closes too once nothing uses it. Read through /metrics.
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <thread>
#include <vector>

#include "test/integration/harness.hpp"

using namespace gw::test;

namespace {

std::string pool_config(std::uint16_t origin) {
    return "[global]\nworkers = 1\n[admin]\nlisten = \"127.0.0.1:0\"\n"
           "[[listeners]]\nname = \"http\"\nlisten = \"127.0.0.1:0\"\ndefault_backend = \"app\"\n"
           "[[backends]]\nname = \"app\"\nkeepalive_timeout = \"1500ms\"\n"
           "[[backends.servers]]\nname = \"s1\"\naddress = \"127.0.0.1:" +
           std::to_string(origin) + "\"\n";
}

} // namespace

BOOST_AUTO_TEST_SUITE(server_pool)

BOOST_AUTO_TEST_CASE(idle_server_connections_follow_demand_and_close_by_age) {
    gw::bench::origin_options slow;
    slow.delay = std::chrono::milliseconds(300); // so that a burst holds a connection each
    origins origin(1, slow);
    running_gateway gw(load_config(pool_config(origin.port(0))));
    const auto admin = gw.admin_port();
    const std::string idle = "gateway_backend_idle_connections{backend=\"app\"}";
    const std::string closed = "gateway_backend_idle_closed_total{backend=\"app\"}";
    const std::string connects = "gateway_server_connections_opened_total{backend=\"app\",server=\"s1\"}";

    // A burst of 6 at once: 6 server connections, all kept afterwards (more
    // than a small fixed pool would keep, none closed on the way back).
    std::atomic<int> ok{0};
    std::vector<std::thread> burst;
    for (int i = 0; i < 6; ++i)
        burst.emplace_back([&] {
            client c(gw.port());
            if (auto r = c.get("/"); r && r->result_int() == 200)
                ++ok;
        });
    for (auto& t : burst)
        t.join();
    BOOST_TEST(ok.load() == 6);
    BOOST_TEST(metric(admin, connects) == 6.0);
    BOOST_TEST(wait_until([&] { return metric(admin, idle) == 6.0; }));

    // A trickle, one request at a time for 2.5 s: it reuses the most recently
    // used connection each time, and the other five close after 1.5 s unused.
    client c(gw.port());
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(2500);
    while (std::chrono::steady_clock::now() < until) {
        auto r = c.get("/");
        BOOST_REQUIRE(r);
        BOOST_TEST(r->result_int() == 200u);
    }
    BOOST_TEST(wait_until([&] { return metric(admin, closed) == 5.0; }));
    BOOST_TEST(metric(admin, idle) == 1.0);
    BOOST_TEST(metric(admin, connects) == 6.0); // the trickle opened none

    // Nothing more: the last one closes too.
    BOOST_TEST(wait_until([&] { return metric(admin, idle) == 0.0; }, std::chrono::seconds(5)));
    BOOST_TEST(metric(admin, closed) == 6.0);
}

BOOST_AUTO_TEST_SUITE_END()
