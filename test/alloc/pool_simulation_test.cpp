// A seeded random workload of acquire / release / run / cancel steps against one
// shard, checking the pool's invariants after every step, under each wake strategy.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <memory>
#include <random>
#include <vector>

#include "alloc/pool_shard.hpp"
#include "test/alloc/pool_harness.hpp"

using namespace gw::alloc;
using gw::alloc::test::run_one;
using gw::alloc::test::run_queue;
using gw::alloc::test::scripted_waiter;

namespace {

struct actor {
    buffer_lease held;
    buffer_class held_class = buffer_class::normal;
    std::unique_ptr<scripted_waiter> waiter;
};

struct sim_result {
    pool_stats stats;
    std::size_t steps = 0;
    std::size_t served_after_wait = 0;
};

class simulation {
public:
    simulation(wake_strategy s, std::size_t limit, std::size_t reserve, std::size_t actors)
        : shard_(make_limits(s, limit, reserve)), actors_(actors) {}

    ~simulation() {
        for (auto& a : actors_)
            a.waiter.reset(); // cancel before the leases go back
    }

    sim_result run(std::uint64_t seed, std::size_t steps) {
        std::mt19937_64 rng(seed);
        std::uniform_int_distribution<int> pct(0, 99);
        sim_result r;
        for (std::size_t i = 0; i < steps; ++i) {
            const int op = pct(rng);
            if (op < 40)
                acquire(rng, pct(rng) < 30 ? buffer_class::critical : buffer_class::normal);
            else if (op < 68)
                release(rng);
            else if (op < 95)
                r.served_after_wait += run_woken();
            else
                cancel(rng);
            check_invariants();
            if (failed_)
                break;
        }
        r.served_after_wait += drain();
        r.stats = shard_.stats();
        r.steps = steps;
        return r;
    }

private:
    static pool_limits make_limits(wake_strategy s, std::size_t limit, std::size_t reserve) {
        pool_limits l;
        l.buffer_size = 64;
        l.limit = limit;
        l.reserve = reserve;
        l.strategy = s;
        return l;
    }

    template <class Pred>
    actor* pick(std::mt19937_64& rng, Pred pred) {
        std::vector<actor*> candidates;
        for (auto& a : actors_)
            if (pred(a))
                candidates.push_back(&a);
        if (candidates.empty())
            return nullptr;
        return candidates[std::uniform_int_distribution<std::size_t>(0, candidates.size() - 1)(rng)];
    }

    void acquire(std::mt19937_64& rng, buffer_class c) {
        actor* a = pick(rng, [](const actor& x) { return !x.held && !x.waiter; });
        if (a == nullptr)
            return;
        if (buffer_lease l = shard_.try_acquire(c)) {
            // The margin contract, checked at the moment of every direct allocation.
            if (c == buffer_class::normal && shard_.free_count() < shard_.limits().reserve)
                fail("a normal allocation left fewer than reserve buffers free");
            a->held = std::move(l);
            a->held_class = c;
            return;
        }
        a->waiter = std::make_unique<scripted_waiter>(rq_, c, static_cast<int>(a - actors_.data()));
        a->waiter->wait_on(shard_);
    }

    void release(std::mt19937_64& rng) {
        if (actor* a = pick(rng, [](const actor& x) { return static_cast<bool>(x.held); }))
            a->held.reset();
    }

    void cancel(std::mt19937_64& rng) {
        actor* a = pick(rng, [](const actor& x) { return x.waiter != nullptr; });
        if (a == nullptr)
            return;
        std::erase(rq_.woken, a->waiter.get());
        a->waiter.reset(); // its destructor cancels it in the shard
    }

    std::size_t run_woken() {
        scripted_waiter* w = run_one(shard_, rq_);
        if (w == nullptr || !w->lease)
            return 0;
        actor& a = actors_[static_cast<std::size_t>(w->id())];
        a.held = std::move(w->lease);
        a.held_class = w->wanted();
        a.waiter.reset();
        return 1;
    }

    // Everyone releases and every woken waiter runs, until nobody waits any more.
    std::size_t drain() {
        std::size_t served = 0;
        for (int round = 0; round < 10'000; ++round) {
            for (auto& a : actors_)
                a.held.reset();
            while (!rq_.woken.empty())
                served += run_woken();
            check_invariants();
            if (shard_.stats().waiters_total() == 0) {
                for (auto& a : actors_)
                    a.held.reset(); // the last ones served give theirs back too
                return served;
            }
        }
        fail("waiters left after draining: a waiter was stranded");
        return served;
    }

    void check_invariants() {
        const auto s = shard_.stats();
        std::size_t holders = 0, normal_holders = 0, queued[2] = {0, 0}, resumed = 0;
        for (auto& a : actors_) {
            if (a.held) {
                ++holders;
                normal_holders += a.held_class == buffer_class::normal ? 1 : 0;
            }
            if (a.waiter && a.waiter->queued())
                ++queued[static_cast<std::size_t>(a.waiter->wanted())];
            if (a.waiter && a.waiter->resumed())
                ++resumed;
        }
        if (s.used != holders)
            fail("used does not match the leases held");
        if (s.used > s.limit)
            fail("used exceeds the limit");
        // Requests can never take the reserve (the seed's deadlock guard).
        if (normal_holders > s.limit - s.reserve)
            fail("normal buffers ate into the reserve");
        if (s.waiters[0] != queued[0] || s.waiters[1] != queued[1])
            fail("waiter counts do not match the queues");
        if (s.resumed_pending != resumed)
            fail("resumed_pending does not match the woken waiters");
        if (shard_.limits().strategy == wake_strategy::reserve_aware) {
            if (s.failed_resumes != 0)
                fail("the reserve-aware rule woke a waiter that could not succeed");
            if (s.free < s.resumed_pending)
                fail("more promises than free buffers");
            // Liveness: waiters with nobody running and nothing held would wait forever.
            if (s.waiters_total() > 0 && s.resumed_pending == 0 && s.used == 0)
                fail("waiters stranded on an idle pool");
        }
    }

    void fail(const char* what) {
        if (!failed_)
            BOOST_ERROR(what);
        failed_ = true;
    }

    pool_shard shard_;
    run_queue rq_;
    std::vector<actor> actors_;
    bool failed_ = false;
};

constexpr std::size_t steps = 100'000;
constexpr std::uint64_t seed = 0x5eed'2015;

} // namespace

BOOST_AUTO_TEST_SUITE(pool_simulation)

BOOST_AUTO_TEST_CASE(reserve_aware_never_wastes_a_wakeup) {
    for (std::uint64_t s = seed; s < seed + 3; ++s) {
        simulation sim(wake_strategy::reserve_aware, 16, 2, 64);
        const auto r = sim.run(s, steps);
        BOOST_TEST_MESSAGE("reserve-aware seed " << s << ": waits " << r.stats.waits_total()
                                                 << " resumes " << r.stats.resumes << " failed "
                                                 << r.stats.failed_resumes);
        BOOST_TEST(r.stats.waits_total() > 1000u); // the workload really contends
        BOOST_TEST(r.stats.failed_resumes == 0u);
        BOOST_TEST(r.stats.used == 0u);
        BOOST_TEST(r.stats.waiters_total() == 0u);
        // Every resume served its waiter, unless that waiter was cancelled meanwhile.
        BOOST_TEST(r.stats.resumes >= r.served_after_wait);
        BOOST_TEST(r.stats.resumes - r.served_after_wait <= r.stats.cancels);
    }
}

BOOST_AUTO_TEST_CASE(naive_strategies_report_their_wasted_wakeups) {
    simulation aware(wake_strategy::reserve_aware, 16, 2, 64);
    simulation per_release(wake_strategy::per_release, 16, 2, 64);
    simulation wake_all(wake_strategy::wake_all, 16, 2, 64);
    const auto a = aware.run(seed, steps);
    const auto p = per_release.run(seed, steps);
    const auto w = wake_all.run(seed, steps);
    BOOST_TEST_MESSAGE("failed resumes: reserve-aware " << a.stats.failed_resumes << ", per-release "
                                                        << p.stats.failed_resumes << ", wake-all "
                                                        << w.stats.failed_resumes);
    BOOST_TEST(a.stats.failed_resumes == 0u);
    BOOST_TEST(p.stats.failed_resumes > 0u);
    BOOST_TEST(w.stats.failed_resumes > p.stats.failed_resumes);
    // Everyone still gets served in the end, whatever the strategy.
    BOOST_TEST(p.stats.waiters_total() == 0u);
    BOOST_TEST(w.stats.waiters_total() == 0u);
}

BOOST_AUTO_TEST_CASE(reserve_zero_and_large_reserve_hold_the_invariants) {
    simulation zero(wake_strategy::reserve_aware, 8, 0, 32);
    simulation large(wake_strategy::reserve_aware, 40, 16, 128);
    const auto z = zero.run(seed + 7, steps / 2);
    const auto l = large.run(seed + 8, steps / 2);
    BOOST_TEST(z.stats.failed_resumes == 0u);
    BOOST_TEST(l.stats.failed_resumes == 0u);
    BOOST_TEST(l.stats.reserve_acquires > 0u);
}

BOOST_AUTO_TEST_SUITE_END()
