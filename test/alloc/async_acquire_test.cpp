// The awaitable allocation on a real io_context, driven by hand with poll():
// suspension, resumption at the allocation, cancellation, timeouts and teardown.
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <exception>
#include <memory>
#include <optional>
#include <vector>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "alloc/acquire.hpp"
#include "alloc/async_acquire.hpp"
#include "alloc/errors.hpp"

namespace net = boost::asio;
using namespace gw::alloc;
using boost::system::error_code;

namespace {

pool_limits limits(std::size_t limit, std::size_t reserve) {
    pool_limits l;
    l.buffer_size = 256;
    l.limit = limit;
    l.reserve = reserve;
    return l;
}

std::vector<buffer_lease> hold(pool_shard& shard, buffer_class c, std::size_t n) {
    std::vector<buffer_lease> out;
    for (std::size_t i = 0; i < n; ++i)
        out.push_back(shard.try_acquire(c));
    return out;
}

void rethrow(std::exception_ptr e) {
    if (e)
        std::rethrow_exception(e);
}

// Coroutines are free functions taking their parameters by value (house rule).
net::awaitable<void> take_one(pool_shard* shard, buffer_class c,
                              std::optional<acquire_result>* out) {
    *out = co_await acquire(*shard, c);
}

net::awaitable<void> take_or_time_out(pool_shard* shard, std::chrono::milliseconds t,
                                      int* winner) {
    using namespace net::experimental::awaitable_operators;
    net::steady_timer timer(co_await net::this_coro::executor, t);
    auto r = co_await (acquire(*shard, buffer_class::normal) || timer.async_wait(net::use_awaitable));
    *winner = static_cast<int>(r.index());
}

// A callback completion that records what it got.
struct recorded {
    bool done = false;
    error_code ec;
    buffer_lease lease;
};
auto record(net::io_context& ioc, recorded& r) {
    return net::bind_executor(ioc, [&r](error_code ec, buffer_lease l) {
        r.done = true;
        r.ec = ec;
        r.lease = std::move(l);
    });
}

} // namespace

BOOST_AUTO_TEST_SUITE(async_acquire_suite)

BOOST_AUTO_TEST_CASE(free_buffer_is_returned_without_waiting) {
    pool_shard shard(limits(4, 2));
    net::io_context ioc(1);
    std::optional<acquire_result> got;
    net::co_spawn(ioc, take_one(&shard, buffer_class::normal, &got), rethrow);
    ioc.run();
    BOOST_REQUIRE(got.has_value());
    BOOST_TEST(!got->ec);
    BOOST_TEST(got->lease.size() == 256u);
    BOOST_TEST(shard.used() == 1u);
    BOOST_TEST(shard.stats().waits_total() == 0u);
    got.reset();
    BOOST_TEST(shard.used() == 0u);
}

BOOST_AUTO_TEST_CASE(waiter_resumes_at_its_allocation_when_the_rule_allows) {
    pool_shard shard(limits(4, 2));
    net::io_context ioc(1);
    auto held = hold(shard, buffer_class::critical, 4);
    std::optional<acquire_result> got;
    net::co_spawn(ioc, take_one(&shard, buffer_class::critical, &got), rethrow);
    ioc.poll();
    BOOST_TEST(!got.has_value());
    BOOST_TEST(shard.stats().waiters[0] == 1u);
    held[0].reset(); // free 1: 1 - reserve/2 - 0 = 0, no wake-up yet
    ioc.poll();
    BOOST_TEST(!got.has_value());
    BOOST_TEST(shard.stats().resumes == 0u);
    held[1].reset(); // free 2: one waiter may run
    BOOST_TEST(shard.stats().resumed_pending == 1u);
    ioc.poll();
    BOOST_REQUIRE(got.has_value());
    BOOST_TEST(!got->ec);
    BOOST_TEST(static_cast<bool>(got->lease));
    const auto s = shard.stats();
    BOOST_TEST(s.resumes == 1u);
    BOOST_TEST(s.failed_resumes == 0u);
    BOOST_TEST(s.resumed_pending == 0u);
    BOOST_TEST(s.used == 3u);
}

BOOST_AUTO_TEST_CASE(critical_waiters_are_served_before_normal_ones) {
    pool_shard shard(limits(3, 2));
    net::io_context ioc(1);
    auto held = hold(shard, buffer_class::critical, 3);
    recorded normal, critical;
    async_acquire(shard, buffer_class::normal, record(ioc, normal));
    async_acquire(shard, buffer_class::critical, record(ioc, critical));
    held[0].reset();
    held[1].reset();
    ioc.poll();
    BOOST_TEST(critical.done);
    BOOST_TEST(!normal.done);
    critical.lease.reset();
    held[2].reset(); // all free: the normal waiter keeps the reserve whole
    ioc.poll();
    BOOST_TEST(normal.done);
    BOOST_TEST(!normal.ec);
}

BOOST_AUTO_TEST_CASE(cancelled_wait_leaves_the_queue_and_takes_nothing) {
    pool_shard shard(limits(3, 2));
    net::io_context ioc(1);
    auto held = hold(shard, buffer_class::critical, 3);
    net::cancellation_signal cancel;
    recorded r;
    async_acquire(shard, buffer_class::critical,
                  net::bind_cancellation_slot(cancel.slot(), record(ioc, r)));
    ioc.poll();
    BOOST_TEST(shard.stats().waiters[0] == 1u);
    cancel.emit(net::cancellation_type::terminal);
    ioc.poll();
    BOOST_TEST(r.done);
    BOOST_TEST((r.ec == net::error::operation_aborted));
    BOOST_TEST(!r.lease);
    BOOST_TEST(shard.stats().waiters[0] == 0u);
    BOOST_TEST(shard.stats().cancels == 1u);
    held.clear();
    ioc.poll();
    BOOST_TEST(shard.stats().resumes == 0u);
    BOOST_TEST(shard.used() == 0u);
}

BOOST_AUTO_TEST_CASE(cancel_after_wake_up_hands_the_promise_to_the_next) {
    pool_shard shard(limits(4, 2));
    net::io_context ioc(1);
    auto held = hold(shard, buffer_class::critical, 4);
    net::cancellation_signal cancel;
    recorded first, second;
    async_acquire(shard, buffer_class::critical,
                  net::bind_cancellation_slot(cancel.slot(), record(ioc, first)));
    async_acquire(shard, buffer_class::critical, record(ioc, second));
    held[0].reset();
    held[1].reset(); // wakes `first` only (free 2 - 1 - 0 = 1)
    BOOST_TEST(shard.stats().resumed_pending == 1u);
    cancel.emit(net::cancellation_type::terminal); // before it ran
    BOOST_TEST(shard.stats().resumed_pending == 1u); // the promise moved to `second`
    ioc.poll();
    BOOST_TEST((first.ec == net::error::operation_aborted));
    BOOST_TEST(!first.lease);
    BOOST_TEST(!second.ec);
    BOOST_TEST(static_cast<bool>(second.lease));
    BOOST_TEST(shard.used() == 3u);
    BOOST_TEST(shard.stats().failed_resumes == 0u);
}

BOOST_AUTO_TEST_CASE(timeout_through_awaitable_operators_consumes_no_buffer) {
    pool_shard shard(limits(3, 2));
    net::io_context ioc(1);
    auto held = hold(shard, buffer_class::normal, 1); // free 2: a normal must wait
    int winner = -1;
    net::co_spawn(ioc, take_or_time_out(&shard, std::chrono::milliseconds(1), &winner), rethrow);
    ioc.run(); // nothing is released: only the timer can end it
    BOOST_TEST(winner == 1);
    const auto s = shard.stats();
    BOOST_TEST(s.waits[1] == 1u);
    BOOST_TEST(s.waiters[1] == 0u);
    BOOST_TEST(s.cancels == 1u);
    BOOST_TEST(s.used == 1u);
}

BOOST_AUTO_TEST_CASE(destroying_the_shard_completes_waiters_with_an_error) {
    net::io_context ioc(1);
    recorded woken, queued;
    {
        pool_shard shard(limits(5, 4));
        auto held = hold(shard, buffer_class::critical, 5);
        async_acquire(shard, buffer_class::normal, record(ioc, woken));
        async_acquire(shard, buffer_class::normal, record(ioc, queued));
        held.clear(); // all free: the first normal is woken, the second still fails the margin
        BOOST_TEST(shard.stats().resumed_pending == 1u);
        BOOST_TEST(shard.stats().waiters[1] == 1u);
    } // destroyed before either ran
    ioc.poll();
    BOOST_TEST(woken.done);
    BOOST_TEST(queued.done);
    BOOST_TEST((woken.ec == pool_errc::destroyed));
    BOOST_TEST((queued.ec == pool_errc::destroyed));
    BOOST_TEST(!woken.lease);
    BOOST_TEST(!queued.lease);
}

BOOST_AUTO_TEST_CASE(a_dropped_completion_gives_its_buffer_back) {
    pool_shard shard(limits(3, 2));
    {
        net::io_context ioc(1);
        recorded r;
        async_acquire(shard, buffer_class::critical, record(ioc, r));
        BOOST_TEST(shard.used() == 1u); // taken at once, completion posted
    } // the io_context dies without running it
    BOOST_TEST(shard.used() == 0u);
}

BOOST_AUTO_TEST_CASE(many_coroutines_contending_all_get_served) {
    pool_shard shard(limits(6, 2));
    net::io_context ioc(1);
    constexpr int n = 200;
    std::vector<std::optional<acquire_result>> got(n);
    auto held = hold(shard, buffer_class::critical, 6);
    for (int i = 0; i < n; ++i)
        net::co_spawn(ioc, take_one(&shard, i % 3 ? buffer_class::normal : buffer_class::critical, &got[i]),
                      rethrow);
    ioc.poll();
    held.clear();
    int served = 0;
    for (int round = 0; round < 1000 && served < n; ++round) {
        ioc.poll();
        for (auto& g : got) {
            if (g && g->lease) {
                g->lease.reset(); // done with it: next, please
                ++served;
            }
        }
    }
    BOOST_TEST(served == n);
    const auto s = shard.stats();
    BOOST_TEST(s.failed_resumes == 0u);
    BOOST_TEST(s.used == 0u);
    BOOST_TEST(s.waiters_total() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
