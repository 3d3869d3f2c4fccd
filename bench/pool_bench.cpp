// Pool microbenchmarks: the uncontended allocation path (target: acquire +
// release under 20 ns) and the contended wait + resume path under each wake
// strategy, with the wake-up efficiency as counters.
//
//   build/release/bench/pool_bench [--benchmark_filter=...]
#include <benchmark/benchmark.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "alloc/acquire.hpp"
#include "alloc/pool_shard.hpp"

namespace net = boost::asio;
using namespace gw::alloc;

namespace {

pool_limits limits(std::size_t limit, wake_strategy s = wake_strategy::reserve_aware) {
    pool_limits l;
    l.buffer_size = 16 * 1024;
    l.limit = limit;
    l.reserve = 2;
    l.strategy = s;
    return l;
}

// try_acquire + release through the lease, the path every request takes when
// the pool is not exhausted.
void uncontended_try_acquire_release(benchmark::State& state) {
    const auto c = static_cast<buffer_class>(state.range(0));
    pool_shard shard(limits(1024));
    for (auto _ : state) {
        buffer_lease l = shard.try_acquire(c);
        benchmark::DoNotOptimize(l.data());
    }
    state.SetLabel(std::string(to_string(c)));
}
BENCHMARK(uncontended_try_acquire_release)->Arg(0)->Arg(1);

// The same on an unbounded pool (limit 0).
void uncontended_unbounded(benchmark::State& state) {
    pool_shard shard(limits(0));
    for (auto _ : state) {
        buffer_lease l = shard.try_acquire(buffer_class::normal);
        benchmark::DoNotOptimize(l.data());
    }
}
BENCHMARK(uncontended_unbounded);

// co_await acquire() when a buffer is free: the cost a session pays in its
// coroutine (one nested awaitable frame, no suspension).
net::awaitable<void> acquire_loop(pool_shard* shard, benchmark::State* state) {
    for (auto _ : *state) {
        auto r = co_await acquire(*shard, buffer_class::normal);
        benchmark::DoNotOptimize(r.lease.data());
    }
}
void coroutine_acquire_fast_path(benchmark::State& state) {
    pool_shard shard(limits(1024));
    net::io_context ioc(1);
    net::co_spawn(ioc, acquire_loop(&shard, &state), net::detached);
    ioc.run();
}
BENCHMARK(coroutine_acquire_fast_path);

// Contended: `sessions` coroutines share `limit` buffers; each takes one, holds
// it across a yield (as a session holds it across I/O) and gives it back.
net::awaitable<void> contend(pool_shard* shard, int rounds, buffer_class c) {
    auto ex = co_await net::this_coro::executor;
    for (int i = 0; i < rounds; ++i) {
        auto r = co_await acquire(*shard, c);
        co_await net::post(ex, net::use_awaitable);
    }
}
void contended_wait_resume(benchmark::State& state) {
    const auto strategy = static_cast<wake_strategy>(state.range(0));
    constexpr int sessions = 64;
    constexpr int rounds = 200;
    pool_stats total;
    for (auto _ : state) {
        pool_shard shard(limits(8, strategy));
        net::io_context ioc(1);
        for (int i = 0; i < sessions; ++i)
            net::co_spawn(ioc, contend(&shard, rounds, i % 4 ? buffer_class::normal : buffer_class::critical),
                          net::detached);
        ioc.run();
        total += shard.stats();
    }
    const double allocations = static_cast<double>(state.iterations()) * sessions * rounds;
    state.SetItemsProcessed(static_cast<std::int64_t>(allocations));
    state.counters["waits"] = static_cast<double>(total.waits_total()) / allocations;
    state.counters["resumes_per_wait"] =
        total.waits_total() ? static_cast<double>(total.resumes) / static_cast<double>(total.waits_total()) : 0.0;
    state.counters["failed_resume_pct"] =
        total.resumes ? 100.0 * static_cast<double>(total.failed_resumes) / static_cast<double>(total.resumes) : 0.0;
    state.SetLabel(std::string(to_string(strategy)));
}
BENCHMARK(contended_wait_resume)->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMicrosecond);

} // namespace

BENCHMARK_MAIN();
