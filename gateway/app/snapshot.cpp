#include "gateway/app/snapshot.hpp"
#include "gateway/app/server_discovery.hpp"

#include <deque>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "gateway/app/worker.hpp"

namespace gw {

namespace net = boost::asio;

namespace {

// The backend's cross-worker state now (any thread: its fields are atomics).
backend_snapshot snapshot_of(backend_state& b) {
    backend_snapshot out;
    out.name = b.name();
    out.queued = b.queued();
    out.queue_timeouts = b.queue_timeouts();
    out.retries_over_budget = b.retries_over_budget();
    const auto set = b.servers();
    out.servers.reserve(set->servers.size());
    for (const auto& sp : set->servers) {
        const server_state& s = *sp;
        out.servers.push_back(server_snapshot{
            s.name, s.endpoint.address().to_string() + ":" + std::to_string(s.endpoint.port()),
            s.weight.load(), s.config_weight.load(), to_string(s.admin.load()), s.maxconn, s.active.load(), s.up.load(), s.requests.load(), s.connects.load(),
            s.health_checks.load(), s.connect_failures.load(), s.outlier.ejected(), s.outlier.ejections_total()});
    }
    return out;
}

struct worker_part {
    alloc::pool_stats pool;
    worker_counters counters;
    std::size_t sessions = 0;
    std::size_t parked = 0;
};

net::awaitable<worker_part> read_worker(const generation* gen, worker* w) {
    worker_part part{w->shard().stats(), w->counters(), w->session_count(), w->parked_count()};
    // The worker's parts of the backends, read on its own thread like the rest.
    part.counters.backends.clear();
    for (auto& b : gen->backends) {
        part.counters.backends.push_back(b->worker_part(w->index()).counters);
        part.counters.backends.back().idle_connections = b->idle_count(w->index());
    }
    co_return part;
}

// What is per listener is kept by slot; the pages show the config's order (a
// removed listener's figures are no longer shown, as for a backend).
void listeners_in_config_order(gateway_snapshot& snap, const shared_state& shared, const generation& gen) {
    std::deque<listener_counters> by_listener;
    const auto& by_slot = snap.counters.listeners;
    for (const std::size_t slot : gen.slots) {
        by_listener.push_back(slot < by_slot.size() ? by_slot[slot] : listener_counters{});
        snap.open_connections.push_back(shared.connections[slot].load());
        snap.tls_reloads.push_back(shared.tls_reloads[slot].load(std::memory_order_relaxed));
        snap.tls_reload_failures.push_back(shared.tls_reload_failures[slot].load(std::memory_order_relaxed));
    }
    snap.counters.listeners = std::move(by_listener);
}

} // namespace

net::awaitable<gateway_snapshot> collect_snapshot(shared_state& shared, std::vector<worker*> workers) {
    gateway_snapshot snap;
    const generation_ptr gen = shared.current(); // (one generation for the whole snapshot)
    snap.config = gen->config;
    for (worker* w : workers) {
        auto part = co_await net::co_spawn(w->io(), read_worker(gen.get(), w), net::use_awaitable);
        snap.pools.push_back(part.pool);
        snap.pool += part.pool;
        snap.counters += part.counters;
        snap.sessions += part.sessions;
        snap.parked += part.parked;
    }
    snap.draining = shared.draining.load();
    listeners_in_config_order(snap, shared, *gen);
    for (auto& b : gen->backends)
        snap.backends.push_back(snapshot_of(*b));
    for (std::size_t l = 0; l < gen->tls.size(); ++l) {
        if (!gen->tls[l])
            continue;
        for (const auto& c : gen->tls[l]->certificates()->all())
            snap.certificates.push_back({l, c.file, c.names.front(), c.key_type, static_cast<std::int64_t>(c.not_after)});
    }
    snap.ktls_available = shared.ktls;
    if (shared.discovery != nullptr)
        snap.dns = shared.discovery->snapshot();
    snap.generation = gen->number;
    snap.reloads = shared.reloads.load();
    snap.reload_failures = shared.reload_failures.load();
    snap.last_reload = shared.last_reload.load();
    snap.client_entries = shared.clients.in_use();
    snap.client_capacity = shared.clients.capacity();
    snap.clients_untracked = shared.clients.untracked();
    snap.clients_evicted = shared.clients.evicted();
    co_return snap;
}

} // namespace gw
