// The attack corpus through the real gateway (issue 12): every request vector
// and every response vector, judged against the strict observer origin. The
// suite fails on any unsafe outcome, and on a well-formed request or response
// that the gateway does not pass through exactly (over-strictness hides in
// "safe" otherwise).
#include <boost/test/unit_test.hpp>

#include <array>
#include <map>
#include <string>

#include "bench/corpus/judge.hpp"
#include "test/integration/harness.hpp"

using namespace gw::corpus;

namespace {

// The gateway in front of the observer, as a user would run it (two workers,
// the default timeouts), with HAProxy's head room: 16 KiB buffers keeping 1 KiB
// for rewriting, so heads up to 15 KiB pass (the corpus's size vectors).
struct corpus_fixture {
    observer origin;
    gw::test::running_gateway gateway{gw::test::load_config(
        gw::test::basic_config({origin.port()}, "[buffers]\nmaxrewrite = \"1KiB\"\n"))};
    judge_options options() const {
        judge_options o;
        o.proxy_port = gateway.port();
        return o;
    }
};

void report(const std::vector<vector_result>& results) {
    std::map<std::string, std::array<int, 3>> by_category;
    for (const auto& r : results)
        ++by_category[r.category][static_cast<std::size_t>(r.outcome)];
    for (const auto& r : results)
        if (r.outcome == verdict::lenient)
            BOOST_TEST_MESSAGE("lenient: " << r.category << " / " << r.name << ": " << r.detail);
    for (const auto& [category, n] : by_category)
        BOOST_TEST_MESSAGE(category << ": pass " << n[0] << ", lenient " << n[1] << ", unsafe " << n[2]);
}

} // namespace

BOOST_AUTO_TEST_SUITE(corpus_requests)

BOOST_FIXTURE_TEST_CASE(no_request_vector_gets_through_unsafely, corpus_fixture) {
    BOOST_TEST(request_vectors().size() >= 150u);
    std::vector<vector_result> results;
    for (const auto& v : request_vectors()) {
        results.push_back(run_request_vector(v, origin, options()));
        const auto& r = results.back();
        BOOST_TEST_CONTEXT(v.category << " / " << v.name << ": " << r.detail) {
            BOOST_TEST(to_string(r.outcome) != std::string("unsafe"));
            // A well-formed request is served exactly, not refused.
            if (!v.then_reject && !v.expect.empty())
                BOOST_TEST(to_string(r.outcome) == std::string("pass"));
        }
    }
    report(results);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(corpus_responses)

BOOST_FIXTURE_TEST_CASE(no_response_vector_desynchronizes_a_connection, corpus_fixture) {
    BOOST_TEST(response_vectors().size() >= 30u);
    std::vector<vector_result> results;
    for (std::size_t i = 0; i < response_vectors().size(); ++i) {
        const auto& v = response_vectors()[i];
        results.push_back(run_response_vector(i, origin, options()));
        const auto& r = results.back();
        BOOST_TEST_CONTEXT(v.category << " / " << v.name << ": " << r.detail) {
            BOOST_TEST(to_string(r.outcome) != std::string("unsafe"));
            if (v.valid)
                BOOST_TEST(to_string(r.outcome) == std::string("pass"));
        }
    }
    report(results);
}

BOOST_AUTO_TEST_SUITE_END()
