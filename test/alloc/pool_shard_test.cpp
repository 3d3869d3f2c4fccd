// The shard's accounting, margins, queues and wake rule, driven by hand.
#include <boost/test/unit_test.hpp>

#include <stdexcept>
#include <vector>

#include "alloc/pool_shard.hpp"
#include "test/alloc/pool_harness.hpp"

using namespace gw::alloc;
using gw::alloc::test::run_all;
using gw::alloc::test::run_one;
using gw::alloc::test::run_queue;
using gw::alloc::test::scripted_waiter;
using gw::alloc::test::take;

namespace {
pool_limits limits(std::size_t limit, std::size_t reserve,
                   wake_strategy s = wake_strategy::reserve_aware) {
    pool_limits l;
    l.buffer_size = 1024;
    l.limit = limit;
    l.reserve = reserve;
    l.strategy = s;
    return l;
}
bool all_held(const std::vector<buffer_lease>& v) {
    for (auto& l : v)
        if (!l)
            return false;
    return true;
}
} // namespace

BOOST_AUTO_TEST_SUITE(pool_shard_suite)

BOOST_AUTO_TEST_CASE(normal_allocation_leaves_the_reserve_free) {
    pool_shard shard(limits(5, 2));
    auto normals = take(shard, buffer_class::normal, 3);
    BOOST_TEST(all_held(normals));
    BOOST_TEST(shard.free_count() == 2u);
    // A fourth normal allocation would leave 1 < reserve free.
    BOOST_TEST(!shard.try_acquire(buffer_class::normal));
    BOOST_TEST(shard.free_count() == 2u);
    BOOST_TEST(shard.stats().reserve_acquires == 0u);
}

BOOST_AUTO_TEST_CASE(critical_allocation_may_take_the_last_buffer) {
    pool_shard shard(limits(5, 2));
    auto normals = take(shard, buffer_class::normal, 3);
    auto c1 = shard.try_acquire(buffer_class::critical);
    auto c2 = shard.try_acquire(buffer_class::critical);
    BOOST_TEST(static_cast<bool>(c1));
    BOOST_TEST(static_cast<bool>(c2));
    BOOST_TEST(shard.free_count() == 0u);
    BOOST_TEST(!shard.try_acquire(buffer_class::critical));
    const auto s = shard.stats();
    BOOST_TEST(s.reserve_acquires == 2u);
    BOOST_TEST(s.used == 5u);
    BOOST_TEST(s.high_water == 5u);
    BOOST_TEST(s.acquires == 5u);
}

BOOST_AUTO_TEST_CASE(lease_returns_its_buffer_once) {
    pool_shard shard(limits(3, 2));
    {
        auto l = shard.try_acquire(buffer_class::critical);
        BOOST_TEST(l.size() == 1024u);
        BOOST_TEST(shard.used() == 1u);
        buffer_lease moved = std::move(l);
        BOOST_TEST(!l);
        BOOST_TEST(shard.used() == 1u);
        moved.reset();
        moved.reset(); // second reset is a no-op, not a double release
        BOOST_TEST(shard.used() == 0u);
        auto again = shard.try_acquire(buffer_class::critical);
        l = std::move(again); // assignment into an empty lease
        BOOST_TEST(shard.used() == 1u);
    }
    BOOST_TEST(shard.used() == 0u);
    // Released buffers are cached and reused, not allocated again.
    BOOST_TEST(shard.stats().allocated == 1u);
}

BOOST_AUTO_TEST_CASE(unbounded_shard_never_refuses) {
    pool_shard shard(limits(0, 2));
    auto many = take(shard, buffer_class::normal, 100);
    BOOST_TEST(all_held(many));
    BOOST_TEST(shard.stats().used == 100u);
    many.clear();
    BOOST_TEST(shard.stats().free == 100u); // cached for reuse
}

BOOST_AUTO_TEST_CASE(rejects_limits_that_cannot_work) {
    BOOST_CHECK_THROW(pool_shard(limits(2, 2)), std::invalid_argument);
    BOOST_CHECK_NO_THROW(pool_shard(limits(3, 2)));
    BOOST_CHECK_NO_THROW(pool_shard(limits(1, 0)));
    pool_limits tiny = limits(4, 2);
    tiny.buffer_size = 4;
    BOOST_CHECK_THROW(pool_shard{tiny}, std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(fifo_within_a_class_and_critical_first) {
    pool_shard shard(limits(4, 2));
    run_queue rq;
    auto held = take(shard, buffer_class::critical, 4);
    scripted_waiter n1(rq, buffer_class::normal, 1), c1(rq, buffer_class::critical, 2),
        n2(rq, buffer_class::normal, 3), c2(rq, buffer_class::critical, 4);
    for (auto* w : {&n1, &c1, &n2, &c2})
        w->wait_on(shard);
    BOOST_TEST(shard.stats().waiters[0] == 2u);
    BOOST_TEST(shard.stats().waiters[1] == 2u);

    std::vector<int> order;
    for (auto& l : held) {
        l.reset();
        while (auto* w = run_one(shard, rq)) {
            BOOST_TEST(static_cast<bool>(w->lease));
            order.push_back(w->id());
            w->lease.reset(); // done with it at once: keeps the pool free for the next
        }
    }
    BOOST_TEST(order == (std::vector<int>{2, 4, 1, 3}), boost::test_tools::per_element());
    BOOST_TEST(shard.stats().failed_resumes == 0u);
}

BOOST_AUTO_TEST_CASE(newcomers_do_not_overtake_queued_waiters) {
    pool_shard shard(limits(10, 2));
    run_queue rq;
    auto held = take(shard, buffer_class::critical, 10);
    scripted_waiter c1(rq, buffer_class::critical, 1);
    c1.wait_on(shard);
    held[0].reset(); // free 1: the rule (budget 1 - 1 - 0 = 0) does not wake c1 yet
    BOOST_TEST(rq.woken.empty());
    BOOST_TEST(!shard.try_acquire(buffer_class::critical)); // queued critical goes first
    BOOST_TEST(!shard.try_acquire(buffer_class::normal));
    held[1].reset(); // free 2: c1 is woken and holds a promise
    BOOST_TEST(rq.woken.size() == 1u);
    // free 2, one promised: a critical newcomer may take the other, a normal may not.
    BOOST_TEST(!shard.try_acquire(buffer_class::normal));
    auto newcomer = shard.try_acquire(buffer_class::critical);
    BOOST_TEST(static_cast<bool>(newcomer));
    BOOST_TEST(!shard.try_acquire(buffer_class::critical)); // the last one is promised
    run_one(shard, rq);
    BOOST_TEST(static_cast<bool>(c1.lease));
}

// How many waiters each single release wakes (waiters are not run in between, so
// the resumed-not-yet-running count grows), for the reserve-aware rule:
// at most free - reserve/2 - pending, and only waiters whose allocation will succeed.
struct offer_case {
    const char* name;
    std::size_t limit, reserve;
    std::vector<buffer_class> waiters; // in arrival order
    std::vector<std::size_t> woken_per_release;
};

BOOST_AUTO_TEST_CASE(offer_rule_table) {
    using enum buffer_class;
    const std::vector<offer_case> cases = {
        {"critical waiters, reserve 2", 10, 2, {critical, critical, critical, critical, critical},
         {0, 1, 1, 1, 1, 1, 0}},
        {"normal waiters keep the reserve whole", 10, 2, {normal, normal, normal},
         {0, 0, 1, 1, 1, 0}},
        {"critical first, then normal", 8, 2, {normal, critical, normal, critical},
         {0, 1, 1, 0, 1, 1, 0}},
        {"reserve 4 keeps two back", 10, 4, {critical, critical, critical}, {0, 0, 1, 1, 1, 0}},
        {"reserve 3 rounds down", 10, 3, {critical, critical}, {0, 1, 1, 0}},
        {"reserve 0 wakes on the first release", 6, 0, {normal, normal, normal}, {1, 1, 1, 0}},
    };
    for (const auto& tc : cases) {
        BOOST_TEST_CONTEXT(tc.name) {
            pool_shard shard(limits(tc.limit, tc.reserve));
            run_queue rq;
            auto held = take(shard, critical, tc.limit);
            std::vector<std::unique_ptr<scripted_waiter>> ws;
            for (auto c : tc.waiters) {
                ws.push_back(std::make_unique<scripted_waiter>(rq, c));
                ws.back()->wait_on(shard);
            }
            std::vector<std::size_t> woken;
            for (std::size_t i = 0; i < tc.woken_per_release.size(); ++i) {
                const std::size_t before = rq.woken.size();
                held[i].reset();
                woken.push_back(rq.woken.size() - before);
            }
            BOOST_TEST(woken == tc.woken_per_release, boost::test_tools::per_element());
            // Every woken waiter succeeds: no wasted wake-up.
            const auto n = run_all(shard, rq);
            std::size_t served = 0;
            for (auto& w : ws)
                served += w->lease ? 1 : 0;
            BOOST_TEST(served == n);
            BOOST_TEST(shard.stats().resumes == n);
            BOOST_TEST(shard.stats().failed_resumes == 0u);
        }
    }
}

BOOST_AUTO_TEST_CASE(per_release_wakes_one_per_buffer_and_wastes_wakeups) {
    pool_shard shard(limits(4, 2, wake_strategy::per_release));
    run_queue rq;
    auto held = take(shard, buffer_class::critical, 4);
    scripted_waiter n1(rq, buffer_class::normal, 1), n2(rq, buffer_class::normal, 2),
        n3(rq, buffer_class::normal, 3);
    for (auto* w : {&n1, &n2, &n3})
        w->wait_on(shard);
    for (int i = 0; i < 3; ++i) {
        const auto before = rq.woken.size();
        held[i].reset();
        BOOST_TEST(rq.woken.size() == before + 1);
    }
    run_all(shard, rq); // free 3: n1 fits (3 >= 1 + 2), n2 and n3 do not
    BOOST_TEST(static_cast<bool>(n1.lease));
    BOOST_TEST(!n2.lease);
    BOOST_TEST(!n3.lease);
    const auto s = shard.stats();
    BOOST_TEST(s.resumes == 3u);
    BOOST_TEST(s.failed_resumes == 2u);
    BOOST_TEST(s.waiters[1] == 2u);
    BOOST_TEST(n2.queued());
}

BOOST_AUTO_TEST_CASE(wake_all_wakes_everyone_and_losers_keep_their_turn) {
    pool_shard shard(limits(4, 2, wake_strategy::wake_all));
    run_queue rq;
    auto held = take(shard, buffer_class::critical, 4);
    std::vector<std::unique_ptr<scripted_waiter>> ws;
    for (int i = 0; i < 5; ++i) {
        ws.push_back(std::make_unique<scripted_waiter>(rq, buffer_class::normal, i));
        ws.back()->wait_on(shard);
    }
    held[0].reset();
    BOOST_TEST(rq.woken.size() == 5u);
    run_all(shard, rq); // free 1: nobody fits a normal margin of 2
    BOOST_TEST(shard.stats().failed_resumes == 5u);
    held[1].reset(); // wakes all five again
    held[2].reset(); // nobody left in the queue: all five are woken already
    BOOST_TEST(rq.woken.size() == 5u);
    run_all(shard, rq); // free 3: exactly one fits, and it must be the oldest
    BOOST_TEST(static_cast<bool>(ws[0]->lease));
    for (int i = 1; i < 5; ++i)
        BOOST_TEST(!ws[i]->lease);
    BOOST_TEST(shard.stats().resumes == 10u);
    BOOST_TEST(shard.stats().failed_resumes == 9u);
}

BOOST_AUTO_TEST_CASE(cancel_queued_and_cancel_woken) {
    pool_shard shard(limits(6, 2));
    run_queue rq;
    auto held = take(shard, buffer_class::critical, 6);
    scripted_waiter a(rq, buffer_class::critical, 1), b(rq, buffer_class::critical, 2),
        c(rq, buffer_class::critical, 3);
    for (auto* w : {&a, &b, &c})
        w->wait_on(shard);
    BOOST_TEST(shard.cancel(b) == true); // queued: leaves at once
    BOOST_TEST(!b.queued());
    BOOST_TEST(shard.stats().waiters[0] == 2u);
    held[0].reset();
    held[1].reset(); // free 2: wakes a
    BOOST_TEST(rq.woken.size() == 1u);
    BOOST_TEST(a.resumed());
    // a gives up after its wake-up: its promise is offered to c at once.
    BOOST_TEST(shard.cancel(a) == false);
    BOOST_TEST(rq.woken.size() == 2u);
    BOOST_TEST(c.resumed());
    run_all(shard, rq);
    BOOST_TEST(!a.lease);
    BOOST_TEST(static_cast<bool>(c.lease));
    const auto s = shard.stats();
    BOOST_TEST(s.cancels == 2u);
    BOOST_TEST(s.used == 5u); // 4 held + c: the cancelled ones consumed nothing
    BOOST_TEST(s.resumed_pending == 0u);
    BOOST_TEST(shard.cancel(a) == false); // idle: nothing to do
}

BOOST_AUTO_TEST_CASE(destroying_a_shard_tells_every_waiter) {
    run_queue rq;
    scripted_waiter queued(rq, buffer_class::normal), woken(rq, buffer_class::critical);
    {
        pool_shard shard(limits(3, 2));
        auto held = take(shard, buffer_class::critical, 3);
        woken.wait_on(shard);
        queued.wait_on(shard);
        held[0].reset();
        held[1].reset(); // woken gets a promise, queued stays queued
        BOOST_TEST(woken.resumed());
        BOOST_TEST(queued.queued());
        held.clear();
        rq.woken.clear();
    }
    BOOST_TEST(queued.shard_gone);
    BOOST_TEST(!queued.gone_while_scheduled);
    BOOST_TEST(woken.shard_gone);
    BOOST_TEST(woken.gone_while_scheduled);
}

BOOST_AUTO_TEST_CASE(wake_strategy_names_round_trip) {
    for (auto s : {wake_strategy::reserve_aware, wake_strategy::per_release, wake_strategy::wake_all})
        BOOST_TEST((parse_wake_strategy(to_string(s)) == s));
    BOOST_TEST(!parse_wake_strategy("reserve_aware").has_value());
    BOOST_TEST(limit_from_memory(27u << 20, 16384) == 1728u);
}

BOOST_AUTO_TEST_SUITE_END()
