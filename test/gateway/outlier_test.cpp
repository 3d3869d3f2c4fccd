// Passive health's arithmetic on a server, with the clock given: failures in a
// row within the window eject, a success resets, ejections that follow each
// other double up to the bound, a passing health check ends one early; and the
// backend's share of ejected servers.
#include <boost/test/unit_test.hpp>

#include <chrono>

#include "gateway/upstream/backend.hpp"
#include "gateway/upstream/outlier.hpp"

using namespace gw;
using namespace std::chrono_literals;

namespace {

config::passive_health_config settings() {
    config::passive_health_config c;
    c.failures = 3;
    c.window = 1s;
    c.ejection = 100ms;
    c.max_ejection = 350ms;
    c.max_ejected_percent = 50;
    return c;
}

const outlier_state::clock_type::time_point t0{std::chrono::hours(1)};

} // namespace

BOOST_AUTO_TEST_SUITE(outlier_suite)

BOOST_AUTO_TEST_CASE(failures_in_a_row_within_the_window_eject) {
    const auto c = settings();
    outlier_state o;
    BOOST_TEST(!o.failure(c, t0, true));
    BOOST_TEST(!o.failure(c, t0 + 10ms, true));
    BOOST_TEST(o.would_eject(c, t0 + 20ms));
    BOOST_TEST(o.failure(c, t0 + 20ms, true));
    BOOST_TEST(o.ejected_at(t0 + 20ms));
    BOOST_TEST(o.ejected_at(t0 + 119ms));
    BOOST_TEST(!o.ejected_at(t0 + 120ms)); // 100 ms later
    BOOST_TEST(o.ejections_total() == 1u);
    // A success resets the count; failures spread wider than the window do not add up.
    outlier_state p;
    p.failure(c, t0, true);
    p.failure(c, t0, true);
    p.success();
    BOOST_TEST(!p.failure(c, t0, true));
    BOOST_TEST(!p.failure(c, t0 + 10ms, true));
    BOOST_TEST(!p.failure(c, t0 + 1100ms, true)); // the first is over a second old: a new count
    BOOST_TEST(!p.failure(c, t0 + 1110ms, true));
    BOOST_TEST(p.failure(c, t0 + 1120ms, true));
    // The backend's share may forbid it: counted, not ejected.
    outlier_state q;
    q.failure(c, t0, true);
    q.failure(c, t0, true);
    BOOST_TEST(!q.failure(c, t0, false));
    BOOST_TEST(!q.ejected_at(t0));
}

BOOST_AUTO_TEST_CASE(ejections_that_follow_each_other_double_up_to_the_bound) {
    const auto c = settings();
    outlier_state o;
    auto eject_at = [&](outlier_state::clock_type::time_point t) {
        o.failure(c, t, true);
        o.failure(c, t, true);
        return o.failure(c, t, true);
    };
    BOOST_TEST(eject_at(t0)); // 100 ms: until t0+100
    BOOST_TEST(!o.ejected_at(t0 + 100ms));
    BOOST_TEST(eject_at(t0 + 150ms)); // failing again 50 ms after its return: 200 ms
    BOOST_TEST(o.ejected_at(t0 + 349ms));
    BOOST_TEST(!o.ejected_at(t0 + 350ms));
    BOOST_TEST(eject_at(t0 + 400ms)); // 400 ms, bounded to 350
    BOOST_TEST(o.ejected_at(t0 + 749ms));
    BOOST_TEST(!o.ejected_at(t0 + 750ms));
    // Quiet for longer than the last ejection lasted: back to the base.
    BOOST_TEST(eject_at(t0 + 1200ms));
    BOOST_TEST(!o.ejected_at(t0 + 1300ms));
    BOOST_TEST(o.ejections_total() == 4u);
}

BOOST_AUTO_TEST_CASE(a_passing_health_check_ends_an_ejection) {
    auto c = settings();
    c.ejection = std::chrono::hours(1);
    c.max_ejection = std::chrono::hours(1);
    outlier_state o;
    const auto now = outlier_state::clock_type::now();
    o.failure(c, now, true);
    o.failure(c, now, true);
    BOOST_TEST(o.failure(c, now, true));
    BOOST_TEST(o.ejected());
    BOOST_TEST(o.end_ejection());
    BOOST_TEST(!o.ejected());
    BOOST_TEST(!o.end_ejection()); // (nothing to end)
}

BOOST_AUTO_TEST_CASE(the_backend_ejects_at_most_its_share) {
    config::backend_config b;
    b.name = "app";
    for (int i = 0; i < 4; ++i) {
        config::server_config s;
        s.name = "s";
        s.name += std::to_string(i + 1); // (not "s" + ...: g++ 12 -O3 warns falsely, -Wrestrict)
        b.servers.push_back(s);
    }
    std::vector<boost::asio::ip::tcp::endpoint> eps(4);
    backend_state be(b, eps, 1);
    auto c = settings();
    c.ejection = std::chrono::hours(1);
    c.max_ejection = std::chrono::hours(1);
    auto fail_three_times = [&](std::size_t i) {
        bool ejected = false;
        for (int k = 0; k < 3; ++k)
            ejected = be.report_failure(0, be.server(i), c) || ejected;
        return ejected;
    };
    BOOST_TEST(fail_three_times(0));
    BOOST_TEST(fail_three_times(1));
    BOOST_TEST(!fail_three_times(2)); // half of 4 are out already
    BOOST_TEST(!be.server(2).outlier.ejected());
    BOOST_TEST(be.has_usable_server(0));
    // One server alone may still be ejected (at least one).
    config::backend_config single = b;
    single.servers.resize(1);
    backend_state one(single, std::vector<boost::asio::ip::tcp::endpoint>(1), 1);
    for (int k = 0; k < 3; ++k)
        one.report_failure(0, one.server(0), c);
    BOOST_TEST(one.server(0).outlier.ejected());
    BOOST_TEST(!one.has_usable_server(0));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(retry_budget_suite)

BOOST_AUTO_TEST_CASE(retries_in_flight_stay_within_the_budget_and_at_least_three) {
    config::backend_config b;
    b.name = "app";
    b.servers.resize(2);
    backend_state be(b, std::vector<boost::asio::ip::tcp::endpoint>(2), 1);
    // No exchange in progress: the floor of 3.
    BOOST_TEST(be.try_begin_retry(0, 20));
    BOOST_TEST(be.try_begin_retry(0, 20));
    BOOST_TEST(be.try_begin_retry(0, 20));
    BOOST_TEST(!be.try_begin_retry(0, 20));
    BOOST_TEST(be.retries_over_budget() == 1u);
    be.end_retry();
    BOOST_TEST(be.try_begin_retry(0, 20));
    for (int i = 0; i < 3; ++i)
        be.end_retry();
    // 50 exchanges in progress at 20%: 10.
    be.server(0).active.store(30);
    be.server(1).active.store(20);
    int taken = 0;
    while (be.try_begin_retry(0, 20))
        ++taken;
    BOOST_TEST(taken == 10);
}

BOOST_AUTO_TEST_SUITE_END()
