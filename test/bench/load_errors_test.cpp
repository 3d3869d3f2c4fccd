// Error classification of the load generator against real misbehaving servers on
// loopback: refused connect, reset, close before the response, silence, garbage.
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <ostream>

#include <boost/asio/error.hpp>

#include "bench/gwbench/load.hpp"
#include "test/bench/bench_harness.hpp"

using namespace gw::bench;
using namespace gw::bench::test;
namespace net = boost::asio;

namespace gw::bench {
// Boost.Test prints the operands of a failed BOOST_TEST.
std::ostream& operator<<(std::ostream& os, error_class c) {
    return os << to_string(c);
}
} // namespace gw::bench

namespace {

load_options counted(const std::string& url, std::uint64_t n) {
    load_options o;
    o.url = url;
    o.requests = n;
    o.connections = 1;
    o.threads = 1;
    o.timeout = std::chrono::milliseconds(5000);
    return o;
}

std::uint64_t errors_of(const load_result& r, error_class c) {
    return r.errors[static_cast<std::size_t>(c)];
}

// Every request ended as exactly one error of class `c`.
void expect_only(const load_result& r, error_class c, std::uint64_t n) {
    BOOST_TEST(r.requests == 0u);
    BOOST_TEST(errors_of(r, c) == n, "class " << to_string(c));
    BOOST_TEST(r.errors_total() == n);
    BOOST_TEST(r.latency.count() == 0u);
}

} // namespace

BOOST_AUTO_TEST_SUITE(load_errors_suite)

BOOST_AUTO_TEST_CASE(classify_maps_phase_and_watchdog) {
    BOOST_TEST(classify(net::error::connection_refused, true, false) == error_class::connect);
    BOOST_TEST(classify(net::error::host_unreachable, true, false) == error_class::connect);
    BOOST_TEST(classify(net::error::connection_reset, false, false) == error_class::reset);
    BOOST_TEST(classify(net::error::broken_pipe, false, false) == error_class::reset);
    BOOST_TEST(classify(net::error::eof, false, false) == error_class::reset);
    BOOST_TEST(classify(net::error::operation_aborted, true, true) == error_class::timeout);
    BOOST_TEST(classify(net::error::operation_aborted, false, true) == error_class::timeout);
    BOOST_TEST(classify(net::error::timed_out, false, false) == error_class::timeout);
    BOOST_TEST(std::string(to_string(error_class::bad_response)) == "bad_response");
}

BOOST_AUTO_TEST_CASE(refused_connect_is_a_connect_error) {
    auto r = run_load(counted("http://127.0.0.1:" + std::to_string(refused_port()) + "/", 3));
    expect_only(r, error_class::connect, 3);
    BOOST_TEST(r.connections_opened == 0u);
}

BOOST_AUTO_TEST_CASE(reset_by_the_server_is_a_reset) {
    scripted_server s(script::reset);
    auto r = run_load(counted(s.url(), 3));
    expect_only(r, error_class::reset, 3);
    BOOST_TEST(r.connections_opened == 3u); // each error closed the connection
}

BOOST_AUTO_TEST_CASE(close_before_the_response_is_a_reset) {
    scripted_server s(script::close);
    auto r = run_load(counted(s.url(), 2));
    expect_only(r, error_class::reset, 2);
}

BOOST_AUTO_TEST_CASE(silence_is_a_timeout) {
    scripted_server s(script::silent);
    auto o = counted(s.url(), 2);
    o.timeout = std::chrono::milliseconds(100);
    auto t0 = std::chrono::steady_clock::now();
    auto r = run_load(o);
    auto took = std::chrono::steady_clock::now() - t0;
    expect_only(r, error_class::timeout, 2);
    BOOST_TEST(took >= std::chrono::milliseconds(200)); // two timeouts, one after the other
    BOOST_TEST(took < std::chrono::seconds(10));
}

BOOST_AUTO_TEST_CASE(garbage_is_a_bad_response) {
    scripted_server s(script::garbage);
    auto r = run_load(counted(s.url(), 3));
    expect_only(r, error_class::bad_response, 3);
}

BOOST_AUTO_TEST_CASE(options_are_validated) {
    load_options o = counted("http://127.0.0.1:1/", 1);
    o.duration = std::chrono::seconds(1); // both -n and -d
    BOOST_CHECK_THROW(run_load(o), std::invalid_argument);
    o = counted("ftp://127.0.0.1/", 1);
    BOOST_CHECK_THROW(run_load(o), std::invalid_argument);
    o = counted("http://127.0.0.1:1/", 1);
    o.connections = 0;
    BOOST_CHECK_THROW(run_load(o), std::invalid_argument);
    o = counted("http://127.0.0.1:1/", 1);
    o.headers = {"no colon"};
    BOOST_CHECK_THROW(run_load(o), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
