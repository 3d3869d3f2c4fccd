// Idle connections park: after timeouts.client_park their session ends and only
// the descriptor stays; a request brings a session back, the idle timeouts and a
// drain still close them, and a client's close needs no session at all.
#include <boost/test/unit_test.hpp>

#include "test/integration/harness.hpp"

using namespace gw::test;
using namespace std::chrono_literals;

namespace {

std::string parking_config(const origins& origin, const std::string& timeouts) {
    return basic_config({origin.port(0)}, "[timeouts]\n" + timeouts);
}

} // namespace

BOOST_AUTO_TEST_SUITE(parking)

BOOST_AUTO_TEST_CASE(idle_connections_park_and_come_back_on_their_next_request) {
    BOOST_REQUIRE(raise_descriptor_limit() > 1200);

    origins origin(1);
    running_gateway gw(load_config(parking_config(origin, "client_park = \"30ms\"\n")));
    std::vector<std::unique_ptr<client>> idle;
    for (int i = 0; i < 400; ++i) {
        idle.push_back(std::make_unique<client>(gw.port()));
        BOOST_REQUIRE(idle.back()->get("/?size=10"));
    }
    // Every one parks: counted as open, holding no session and no buffer.
    BOOST_TEST(wait_until([&] { return gw.get().parked_count() == 400; }));
    BOOST_TEST(gw.get().session_count() == 400u);
    BOOST_TEST(gw.get().pool_stats().used == 0u);

    // Each comes back with its next request, answered in full, then parks again.
    for (std::size_t i = 0; i < idle.size(); i += 7) {
        auto r = idle[i]->get("/?size=3000");
        BOOST_REQUIRE(r);
        BOOST_TEST(r->result_int() == 200u);
        BOOST_TEST(r->body() == pattern(3000));
    }
    BOOST_TEST(wait_until([&] { return gw.get().parked_count() == 400; }));

    // Several requests in one write (pipelined) on a parked connection.
    idle[1]->send("GET /?size=5 HTTP/1.1\r\nHost: t\r\n\r\nGET /?size=6 HTTP/1.1\r\nHost: t\r\n\r\n");
    auto a = idle[1]->read();
    auto b = idle[1]->read();
    BOOST_REQUIRE(a);
    BOOST_REQUIRE(b);
    BOOST_TEST(a->body() == pattern(5));
    BOOST_TEST(b->body() == pattern(6));

    idle.clear(); // the clients close: parked ones go without a session
    BOOST_TEST(wait_until([&] { return gw.get().session_count() == 0; }));
    BOOST_TEST(gw.get().parked_count() == 0u);
    BOOST_TEST(gw.get().shared().connections[0].load() == 0u);
    BOOST_TEST(gw.get().pool_stats().used == 0u);
}

BOOST_AUTO_TEST_CASE(a_parked_connection_closes_when_client_idle_runs_out) {
    origins origin(1);
    running_gateway gw(load_config(
        parking_config(origin, "client_park = \"20ms\"\nclient_idle = \"400ms\"\n")));
    client c(gw.port(), 3s);
    BOOST_REQUIRE(c.get("/?size=1"));
    const auto idle_from = std::chrono::steady_clock::now();
    BOOST_TEST(wait_until([&] { return gw.get().parked_count() == 1; }));
    BOOST_TEST(c.closed()); // the gateway closes it, not the client's timeout
    const auto idle_for = std::chrono::steady_clock::now() - idle_from;
    BOOST_TEST(idle_for >= 390ms);
    BOOST_TEST(idle_for < 2s);
    BOOST_TEST(wait_until([&] { return gw.get().session_count() == 0; }));
}

BOOST_AUTO_TEST_CASE(a_connection_that_never_sent_parks_under_client_head) {
    origins origin(1);
    running_gateway gw(load_config(
        parking_config(origin, "client_park = \"20ms\"\nclient_head = \"500ms\"\n")));
    client quiet(gw.port(), 3s);
    client late(gw.port(), 3s);
    BOOST_TEST(wait_until([&] { return gw.get().parked_count() == 2; }));
    // A first request after parking is served like any other.
    auto r = late.get("/?size=20");
    BOOST_REQUIRE(r);
    BOOST_TEST(r->body() == pattern(20));
    // The other one never sends: closed once client_head has run out (no 408:
    // nothing was started).
    BOOST_TEST(quiet.closed());
    BOOST_TEST(wait_until([&] { return gw.get().session_count() == 1; })); // `late` stays
}

BOOST_AUTO_TEST_CASE(drain_closes_parked_connections) {
    origins origin(1);
    running_gateway gw(load_config(parking_config(origin, "client_park = \"20ms\"\n")));
    client a(gw.port()), b(gw.port());
    BOOST_REQUIRE(a.get("/?size=1"));
    BOOST_TEST(wait_until([&] { return gw.get().parked_count() == 2; }));
    gw.get().drain();
    BOOST_TEST(a.closed());
    BOOST_TEST(b.closed());
    gw.get().wait(); // every worker ran out of work by itself: nothing parked keeps it
}

BOOST_AUTO_TEST_SUITE_END()
