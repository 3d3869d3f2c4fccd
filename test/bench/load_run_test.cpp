// Small load runs against an in-process origin: every request answered, the counts
// add up on both sides, and the modes (closed loop, rate, duration) behave.
#include <boost/test/unit_test.hpp>

#include <chrono>

#include "bench/gwbench/load.hpp"
#include "bench/gwbench/report.hpp"
#include "test/bench/bench_harness.hpp"

using namespace gw::bench;
using namespace gw::bench::test;

namespace {

load_options counted(const std::string& url, std::uint64_t n, std::size_t conns,
                     std::size_t threads) {
    load_options o;
    o.url = url;
    o.requests = n;
    o.connections = conns;
    o.threads = threads;
    o.timeout = std::chrono::milliseconds(5000);
    return o;
}

void expect_all_ok(const load_result& r, std::uint64_t n, unsigned status = 200) {
    BOOST_TEST(r.errors_total() == 0u);
    BOOST_TEST(r.requests == n);
    BOOST_TEST(r.status[status] == n);
    BOOST_TEST(r.status_class(status / 100) == n);
    BOOST_TEST(r.latency.count() == n);
}

} // namespace

BOOST_AUTO_TEST_SUITE(load_run_suite)

BOOST_AUTO_TEST_CASE(counted_run_over_8_connections_and_2_threads) {
    origin_thread origin;
    auto o = counted(origin.url(), 2000, 8, 2);
    auto r = run_load(o);
    origin.stop_and_join();
    expect_all_ok(r, 2000);
    BOOST_TEST(r.connections_opened == 8u);
    BOOST_TEST(origin.counters().requests == 2000u);
    BOOST_TEST(origin.counters().connections == 8u);
    BOOST_TEST(r.bytes_read > 2000u * 64);
    BOOST_TEST(r.bytes_written == 2000u * build_request(o,
                                                        [&] {
                                                            url_parts u;
                                                            parse_url(o.url, u);
                                                            return u;
                                                        }())
                                              .size());
    BOOST_TEST(r.latency.min() > 0u);
    BOOST_TEST(r.latency.percentile(50) <= r.latency.percentile(99));
    BOOST_TEST(r.requests_per_s() > 0.0);

    auto json = format_json(o, r);
    BOOST_TEST(json.find("\"requests\": 2000,") != std::string::npos);
    BOOST_TEST(json.find("\"codes\": {\"200\": 2000}") != std::string::npos);
    BOOST_TEST(json.find("\"bad_response\": 0, \"total\": 0") != std::string::npos);
    auto table = format_table(o, r);
    BOOST_TEST(table.find("2xx 2000") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(status_codes_are_counted_per_code) {
    origin_thread origin;
    auto r = run_load(counted(origin.url("/?status=503&size=10"), 300, 4, 1));
    expect_all_ok(r, 300, 503);
    BOOST_TEST(r.status_class(2) == 0u);
    BOOST_TEST(!r.all_2xx()); // --expect-2xx would exit 3
    auto ok = run_load(counted(origin.url("/?size=10"), 50, 2, 1));
    BOOST_TEST(ok.all_2xx());
    BOOST_TEST(!load_result{}.all_2xx()); // nothing answered is no success either
}

BOOST_AUTO_TEST_CASE(chunked_large_and_close_delimited_responses) {
    origin_thread origin;
    expect_all_ok(run_load(counted(origin.url("/?size=200000&chunked=1"), 50, 2, 1)), 50);
    auto r = run_load(counted(origin.url("/?close=1"), 100, 4, 2));
    expect_all_ok(r, 100);
    BOOST_TEST(r.connections_opened == 100u); // one connection per response
}

BOOST_AUTO_TEST_CASE(request_bodies_reach_the_origin) {
    origin_thread origin;
    auto o = counted(origin.url("/echo"), 40, 4, 1);
    o.method = "POST";
    o.body_size = 100000;
    o.headers = {"X-Test: 1"};
    auto r = run_load(o);
    origin.stop_and_join();
    expect_all_ok(r, 40);
    BOOST_TEST(origin.counters().request_body_bytes == 40u * 100000);
    BOOST_TEST(r.bytes_read > 40u * 100000);
}

BOOST_AUTO_TEST_CASE(head_requests_expect_no_body) {
    origin_thread origin;
    auto o = counted(origin.url("/?size=5000"), 200, 2, 1);
    o.method = "HEAD";
    expect_all_ok(run_load(o), 200);
}

BOOST_AUTO_TEST_CASE(fixed_rate_paces_the_requests) {
    origin_thread origin;
    auto o = counted(origin.url(), 200, 4, 2);
    o.rate = 1000; // 200 requests at 1000/s: about 0.2 s
    auto r = run_load(o);
    expect_all_ok(r, 200);
    BOOST_TEST(r.elapsed >= std::chrono::milliseconds(150));
    BOOST_TEST(r.elapsed < std::chrono::seconds(10));
}

BOOST_AUTO_TEST_CASE(fixed_rate_counts_latency_from_the_intended_time) {
    // Each response takes 50 ms while the rate asks for one every 10 ms on the
    // single connection: requests queue up, and the corrected latency grows well
    // past the 50 ms service time (a closed loop would report 50 ms flat).
    origin_thread origin;
    auto o = counted(origin.url("/?delay=50"), 10, 1, 1);
    o.rate = 100;
    auto r = run_load(o);
    expect_all_ok(r, 10);
    BOOST_TEST(r.latency.min() >= 50'000'000u);
    BOOST_TEST(r.latency.max() >= 300'000'000u); // the 10th waited ~9 x 40 ms extra
}

BOOST_AUTO_TEST_CASE(duration_run_stops_on_time) {
    origin_thread origin;
    load_options o;
    o.url = origin.url();
    o.connections = 4;
    o.threads = 2;
    o.duration = std::chrono::milliseconds(300);
    auto t0 = std::chrono::steady_clock::now();
    auto r = run_load(o);
    auto took = std::chrono::steady_clock::now() - t0;
    BOOST_TEST(r.requests > 0u);
    BOOST_TEST(r.errors_total() == 0u);
    BOOST_TEST(r.status[200] == r.requests);
    BOOST_TEST(took < std::chrono::seconds(5));
    BOOST_TEST(r.elapsed <= std::chrono::milliseconds(300));
}

BOOST_AUTO_TEST_SUITE_END()
