// Splitting the configured limit over the workers' shards.
#include <boost/test/unit_test.hpp>

#include <numeric>
#include <stdexcept>

#include "alloc/buffer_pool.hpp"

using namespace gw::alloc;

BOOST_AUTO_TEST_SUITE(buffer_pool_suite)

BOOST_AUTO_TEST_CASE(limit_is_split_evenly_and_adds_up) {
    const auto split = buffer_pool::split_limit(20, 3, 2);
    BOOST_TEST(split == (std::vector<std::size_t>{7, 7, 6}), boost::test_tools::per_element());
    BOOST_TEST(std::accumulate(split.begin(), split.end(), std::size_t{0}) == 20u);
}

BOOST_AUTO_TEST_CASE(every_shard_gets_at_least_reserve_plus_one) {
    BOOST_CHECK_NO_THROW(buffer_pool::split_limit(6, 2, 2));
    BOOST_CHECK_THROW(buffer_pool::split_limit(5, 2, 2), std::invalid_argument);
    try {
        buffer_pool::split_limit(5, 2, 2);
    } catch (const std::invalid_argument& e) {
        BOOST_TEST(std::string(e.what()).find("at least 6") != std::string::npos);
    }
    BOOST_CHECK_THROW(buffer_pool::split_limit(10, 0, 2), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(unbounded_pool_has_unbounded_shards) {
    pool_limits l;
    l.limit = 0;
    buffer_pool pool(l, 4);
    BOOST_TEST(pool.shard_count() == 4u);
    for (std::size_t i = 0; i < 4; ++i)
        BOOST_TEST(!pool.shard(i).bounded());
}

BOOST_AUTO_TEST_CASE(shards_are_independent_and_stats_add_up) {
    pool_limits l;
    l.buffer_size = 128;
    l.limit = 8;
    l.reserve = 2;
    buffer_pool pool(l, 2);
    auto a = pool.shard(0).try_acquire(buffer_class::critical);
    auto b = pool.shard(1).try_acquire(buffer_class::normal);
    pool_stats total;
    for (std::size_t i = 0; i < pool.shard_count(); ++i)
        total += pool.shard(i).stats();
    BOOST_TEST(total.limit == 8u);
    BOOST_TEST(total.used == 2u);
    BOOST_TEST(total.free == 6u);
    BOOST_TEST(pool.shard(0).used() == 1u);
    BOOST_TEST(pool.shard(1).used() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
