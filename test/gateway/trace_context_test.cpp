// W3C Trace Context on the request the gateway sends on: a readable
// traceparent keeps its trace and flags and gets the gateway's span as parent;
// none, several or an unreadable one start a new trace (and drop tracestate).
#include <boost/test/unit_test.hpp>

#include <string>

#include "gateway/http1/trace_context.hpp"

using namespace gw;
namespace http = boost::beast::http;

namespace {

const std::string client_trace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

// Deterministic "random" bits for the test.
struct counter {
    std::uint64_t n = 0;
    std::uint64_t operator()() { return ++n; }
};

std::string traced(http::fields& f, bool sampled = false) {
    char id[trace_id_length];
    counter random;
    propagate_trace(f, random, sampled, id);
    return std::string(id, trace_id_length);
}

} // namespace

BOOST_AUTO_TEST_SUITE(trace_context_suite)

BOOST_AUTO_TEST_CASE(what_the_specification_reads_and_refuses) {
    trace_ids ids;
    BOOST_TEST(parse_traceparent(client_trace, ids));
    BOOST_TEST(std::string(ids.trace_id, trace_id_length) == "4bf92f3577b34da6a3ce929d0e0e4736");
    // A later version may add fields after the four it shares with 00.
    BOOST_TEST(parse_traceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-more", ids));
    BOOST_TEST(parse_traceparent("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", ids));
    for (const char* bad : {
             "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-more", // 00 has exactly four parts
             "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",      // version ff is invalid
             "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",      // upper case
             "00-00000000000000000000000000000000-00f067aa0ba902b7-01",      // zero trace id
             "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",      // zero parent id
             "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",       // short
             "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x",     // no '-' before more
             "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", ""}) {
        BOOST_TEST_CONTEXT(bad) { BOOST_TEST(!parse_traceparent(bad, ids)); }
    }
}

BOOST_AUTO_TEST_CASE(a_client_trace_goes_on_with_the_gateways_span) {
    http::fields f;
    f.set("traceparent", client_trace);
    f.set("tracestate", "vendor=abc");
    BOOST_TEST(traced(f) == "4bf92f3577b34da6a3ce929d0e0e4736");
    BOOST_TEST(f["traceparent"] == "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000001-01");
    BOOST_TEST(f["tracestate"] == "vendor=abc");
    // A later version goes on as 00 (the version we speak), flags kept.
    http::fields g;
    g.set("traceparent", "02-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00-extra");
    traced(g);
    BOOST_TEST(g["traceparent"] == "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000001-00");
}

BOOST_AUTO_TEST_CASE(no_readable_trace_starts_one_and_drops_its_state) {
    http::fields none;
    BOOST_TEST(traced(none, true) == "00000000000000010000000000000002");
    BOOST_TEST(none["traceparent"] == "00-00000000000000010000000000000002-0000000000000003-01");
    http::fields bad;
    bad.set("traceparent", "00-zz-00f067aa0ba902b7-01");
    bad.set("tracestate", "vendor=abc");
    traced(bad);
    BOOST_TEST(bad["traceparent"] == "00-00000000000000010000000000000002-0000000000000003-00");
    BOOST_TEST((bad.find("tracestate") == bad.end()));
    http::fields two; // two traceparents: which trace would it be?
    two.insert("traceparent", client_trace);
    two.insert("traceparent", client_trace);
    BOOST_TEST(traced(two) != "4bf92f3577b34da6a3ce929d0e0e4736");
    BOOST_TEST(two.count("traceparent") == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
