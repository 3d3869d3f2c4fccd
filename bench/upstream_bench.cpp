// The cross-worker paths of the upstream layer (issue 17), under contention:
// taking a server slot and giving it back, as every exchange does, from one
// thread and from two at once (two workers on one backend). What the threads
// share: the server's slot counter (`active`, checked against maxconn), the
// server's reference count (try_take returns a shared_ptr), and the queue's
// length, read on release. Round-robin and leastconn state is per worker.
// The number to read is the time per take + release with 2 threads against 1:
// what a cache line bouncing between the cores costs each exchange.
//
//   build/release/bench/upstream_bench [--benchmark_filter=...]
#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <vector>

#include <boost/asio/ip/tcp.hpp>

#include "gateway/upstream/backend.hpp"

namespace {

using namespace gw;

config::backend_config make(std::size_t servers, std::size_t maxconn, config::balance_mode mode) {
    config::backend_config b;
    b.name = "bench";
    b.balance = mode;
    for (std::size_t i = 0; i < servers; ++i) {
        config::server_config s;
        s.name = "s" + std::to_string(i + 1);
        s.maxconn = maxconn;
        b.servers.push_back(s);
    }
    return b;
}

std::unique_ptr<backend_state> shared; // set up by thread 0 before the threads start

// Args: servers, maxconn (0: unlimited), balance (0 roundrobin, 1 leastconn).
void take_release(benchmark::State& state) {
    if (state.thread_index() == 0) {
        const auto n = static_cast<std::size_t>(state.range(0));
        const auto mode = state.range(2) ? config::balance_mode::leastconn : config::balance_mode::roundrobin;
        shared = std::make_unique<backend_state>(
            make(n, static_cast<std::size_t>(state.range(1)), mode),
            std::vector<boost::asio::ip::tcp::endpoint>(n), static_cast<std::size_t>(state.threads()));
    }
    const auto w = static_cast<std::size_t>(state.thread_index());
    std::size_t missed = 0;
    for (auto _ : state) {
        server_ptr s = shared->try_take(w);
        if (!s) {
            ++missed;
            continue;
        }
        benchmark::DoNotOptimize(s.get());
        shared->release(*s);
    }
    state.counters["missed"] = static_cast<double>(missed);
    if (state.thread_index() == 0)
        state.SetLabel(std::string(state.range(2) ? "leastconn" : "roundrobin"));
}
BENCHMARK(take_release)
    ->ArgNames({"servers", "maxconn", "leastconn"})
    ->Args({1, 0, 0})
    ->Args({1, 1000, 0})
    ->Args({4, 1000, 0})
    ->Args({4, 1000, 1})
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime();

} // namespace

BENCHMARK_MAIN();
