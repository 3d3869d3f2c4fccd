// The latency histogram: bucket arithmetic and percentile math against exact values.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstdint>

#include "bench/gwbench/histogram.hpp"

using gw::bench::histogram;

namespace {

bool within(double got, double want, double rel) {
    return std::fabs(got - want) <= want * rel;
}

} // namespace

BOOST_AUTO_TEST_SUITE(histogram_suite)

BOOST_AUTO_TEST_CASE(empty_histogram_reports_zeros) {
    histogram h;
    BOOST_TEST(h.count() == 0u);
    BOOST_TEST(h.min() == 0u);
    BOOST_TEST(h.max() == 0u);
    BOOST_TEST(h.mean() == 0.0);
    BOOST_TEST(h.stddev() == 0.0);
    BOOST_TEST(h.percentile(50) == 0u);
    BOOST_TEST(h.percentile(100) == 0u);
}

BOOST_AUTO_TEST_CASE(buckets_tile_the_range_without_gaps) {
    for (std::size_t i = 0; i + 1 < histogram::bucket_count; ++i) {
        BOOST_REQUIRE(histogram::highest_in(i) + 1 == histogram::lowest_in(i + 1));
        BOOST_REQUIRE(histogram::index_of(histogram::lowest_in(i)) == i);
        BOOST_REQUIRE(histogram::index_of(histogram::highest_in(i)) == i);
    }
    BOOST_TEST(histogram::lowest_in(0) == 0u);
    // The top bucket ends at 2^37 - 1 ns (137 s): 60 s fits well inside.
    BOOST_TEST(histogram::highest_in(histogram::bucket_count - 1) == (std::uint64_t{1} << 37) - 1);
    BOOST_TEST(histogram::index_of(60'000'000'000ull) < histogram::bucket_count - 1);
}

BOOST_AUTO_TEST_CASE(bucket_width_is_under_one_percent_from_1us_to_60s) {
    for (std::uint64_t v = 1000; v <= 60'000'000'000ull; v = v * 1013 / 1000 + 1) {
        auto i = histogram::index_of(v);
        double width = static_cast<double>(histogram::highest_in(i) - histogram::lowest_in(i) + 1);
        BOOST_REQUIRE(histogram::lowest_in(i) <= v);
        BOOST_REQUIRE(v <= histogram::highest_in(i));
        BOOST_REQUIRE(width / static_cast<double>(v) <= 0.01);
    }
}

BOOST_AUTO_TEST_CASE(small_values_are_exact) {
    histogram h;
    for (std::uint64_t v = 1; v <= 100; ++v)
        h.record(v);
    BOOST_TEST(h.count() == 100u);
    BOOST_TEST(h.percentile(0) == 1u);
    BOOST_TEST(h.percentile(1) == 1u);
    BOOST_TEST(h.percentile(50) == 50u);
    BOOST_TEST(h.percentile(50.5) == 51u);
    BOOST_TEST(h.percentile(90) == 90u);
    BOOST_TEST(h.percentile(99) == 99u);
    BOOST_TEST(h.percentile(100) == 100u);
    BOOST_TEST(h.min() == 1u);
    BOOST_TEST(h.max() == 100u);
    BOOST_TEST(h.mean() == 50.5);
}

BOOST_AUTO_TEST_CASE(percentile_ranks_at_the_boundaries) {
    histogram h;
    for (int i = 0; i < 998; ++i)
        h.record(10);
    h.record(20);
    h.record(30);
    BOOST_TEST(h.percentile(99.8) == 10u);  // rank 998
    BOOST_TEST(h.percentile(99.81) == 20u); // rank 999
    BOOST_TEST(h.percentile(99.9) == 20u);  // rank 999 exactly, despite 0.999 rounding
    BOOST_TEST(h.percentile(99.91) == 30u); // rank 1000
    BOOST_TEST(h.percentile(100) == 30u);
}

BOOST_AUTO_TEST_CASE(uniform_microseconds_within_one_percent) {
    histogram h;
    for (std::uint64_t us = 1; us <= 100000; ++us) // 1 us .. 100 ms, one each
        h.record(us * 1000);
    BOOST_TEST(h.count() == 100000u);
    BOOST_TEST(within(static_cast<double>(h.percentile(50)), 50000e3, 0.01));
    BOOST_TEST(within(static_cast<double>(h.percentile(90)), 90000e3, 0.01));
    BOOST_TEST(within(static_cast<double>(h.percentile(99)), 99000e3, 0.01));
    BOOST_TEST(within(static_cast<double>(h.percentile(99.9)), 99900e3, 0.01));
    BOOST_TEST(h.percentile(99) >= 99000'000u); // the highest equivalent: never under
    BOOST_TEST(h.max() == 100000'000u);         // exact
    BOOST_TEST(h.min() == 1000u);
    BOOST_TEST(within(h.mean(), 50000.5e3, 1e-9));
    BOOST_TEST(within(h.stddev(), 28867.5e3, 0.01)); // uniform: range / sqrt(12)
}

BOOST_AUTO_TEST_CASE(single_value_is_every_percentile) {
    histogram h;
    h.record(123'456'789);
    for (double p : {0.0, 50.0, 99.0, 99.9, 100.0})
        BOOST_TEST(h.percentile(p) == 123'456'789u); // clamped to min and max
}

BOOST_AUTO_TEST_CASE(values_beyond_the_range_keep_an_exact_max) {
    histogram h;
    h.record(100);
    h.record(1'000'000'000'000ull); // 1000 s
    BOOST_TEST(h.max() == 1'000'000'000'000ull);
    BOOST_TEST(h.percentile(100) == 1'000'000'000'000ull);
    BOOST_TEST(h.percentile(50) == 100u);
}

BOOST_AUTO_TEST_CASE(merge_equals_recording_everything_in_one) {
    histogram a, b, all;
    for (std::uint64_t v = 1; v < 5000; v += 3) {
        (v % 2 ? a : b).record(v * 977);
        all.record(v * 977);
    }
    a.merge(b);
    BOOST_TEST(a.count() == all.count());
    BOOST_TEST(a.min() == all.min());
    BOOST_TEST(a.max() == all.max());
    for (double p : {1.0, 25.0, 50.0, 90.0, 99.0, 99.9})
        BOOST_TEST(a.percentile(p) == all.percentile(p));
    a.reset();
    BOOST_TEST(a.count() == 0u);
    BOOST_TEST(a.percentile(50) == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
