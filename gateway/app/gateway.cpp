#include "gateway/policy/proxy_protocol.hpp"
#include "gateway/observe/error_log.hpp"
#include "gateway/app/gateway.hpp"
#include "gateway/app/file_stamp.hpp"
#include "gateway/app/snapshot.hpp"
#include "config/units.hpp"
#include "gateway/io/drain_timer.hpp"
#include "gateway/upstream/health_check.hpp"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <exception>
#include <future>
#include <stdexcept>
#include <string>
#include <thread>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

namespace gw {

namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

alloc::wake_strategy to_alloc(config::wake_strategy s) {
    switch (s) {
    case config::wake_strategy::per_release:
        return alloc::wake_strategy::per_release;
    case config::wake_strategy::wake_all:
        return alloc::wake_strategy::wake_all;
    case config::wake_strategy::reserve_aware:
        break;
    }
    return alloc::wake_strategy::reserve_aware;
}

// A peer that is gone makes a write raise SIGPIPE where no MSG_NOSIGNAL can
// be given: splice(2), and OpenSSL's writes on a TLS connection's descriptor.
// The gateway wants EPIPE instead, in its own process and in a test's.
void ignore_sigpipe() {
    std::signal(SIGPIPE, SIG_IGN);
}

// Looks at the TLS listeners' files every second until the worker drains.
net::awaitable<void> watch_certificates(certificate_reloader* reloader, worker* w) {
    drain_timer tick(w->io().get_executor(), *w);
    while (co_await tick.sleep(std::chrono::seconds(1)))
        reloader->reload_changed();
}

} // namespace

// Looks at the configuration file every second until worker 0 drains; a
// change that held still is reloaded on the control thread (a reload waits
// for worker 0, which must stay free), when the running config says to watch.
net::awaitable<void> gateway::watch_config_file() {
    worker& first = *workers_.front();
    drain_timer tick(first.io().get_executor(), first);
    settled_change file(config_stamp_);
    while (co_await tick.sleep(std::chrono::seconds(1))) {
        const bool watching = first.current().config->global.watch_config;
        if (!file.changed(stamp_of(config_path_)) || !watching)
            continue;
        error_log(config::log_level::info, config_path_ + " changed: reloading it");
        net::post(control_, [this] { reload_file(config_path_); });
    }
}

void gateway::set_config_path(std::string path) {
    config_path_ = std::move(path);
    config_stamp_ = stamp_of(config_path_);
}

std::size_t resolve_worker_count(const config::gateway_config& cfg) {
    if (cfg.global.workers != 0)
        return cfg.global.workers;
    const unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? 1 : n;
}

gateway::gateway(std::shared_ptr<const config::gateway_config> cfg, int access_log_fd) {
    ignore_sigpipe();
    const auto& c = *cfg;
    const std::size_t nworkers = resolve_worker_count(c);
    auto first = std::make_shared<generation>(cfg, 1);
    first->tls = make_tls_contexts(c); // (throws tls::load_error: one line naming the file)
    first->upstream_tls = make_upstream_tls(c);
    first->users = policy::load_user_lists(c); // (throws users_file_error: one line naming the file)

    alloc::pool_limits limits;
    limits.buffer_size = c.buffers.size;
    limits.limit = c.buffers.limit;
    limits.reserve = c.buffers.reserve;
    limits.strategy = to_alloc(c.buffers.wake);
    try {
        pool_ = std::make_unique<alloc::buffer_pool>(limits, nworkers);
    } catch (const std::invalid_argument& e) {
        throw std::runtime_error(e.what());
    }

    nworkers_ = nworkers;
    discovery_ = std::make_shared<server_discovery>(cfg, nworkers); // resolves every server name once
    for (std::size_t b = 0; b < c.backends.size(); ++b)
        first->backends.push_back(
            std::make_shared<backend_state>(c.backends[b], discovery_->first_servers(b), nworkers));
    // Every listener bound, one socket per worker (throws: one line naming it).
    slots_.emplace(nworkers, shared_state::max_listener_slots);
    listener_slots::bound sockets;
    slots_->assign(nullptr, *first, sockets);
    shared_ = std::make_unique<shared_state>(std::move(first));
    shared_->discovery = discovery_.get();
    reloader_ = std::make_unique<certificate_reloader>(*shared_);

    for (std::size_t i = 0; i < nworkers; ++i)
        workers_.push_back(std::make_unique<worker>(*shared_, i, pool_->shard(i), access_log_fd));
    for (std::size_t i = 0; i < nworkers; ++i)
        for (auto& [slot, socket] : sockets[i])
            workers_[i]->listen(slot, std::move(socket));
    if (c.admin.enabled) {
        std::vector<worker*> peers;
        for (auto& w : workers_)
            peers.push_back(w.get());
        const auto ep = listen_endpoint(c.admin.listen);
        try {
            admin_endpoint_ = workers_.front()->listen_admin(ep, peers);
        } catch (const boost::system::system_error& e) {
            std::string why = "admin listener: cannot listen on ";
            why += config::to_string(c.admin.listen);
            why += ": ";
            why += e.code().message();
            throw std::runtime_error(why);
        }
    }
}

gateway::~gateway() {
    abort();
    wait();
    control_work_.reset();
    control_.stop();
    if (control_thread_.joinable())
        control_thread_.join();
}

void gateway::start() {
    // Health checks and DNS discovery run on worker 0: a handful of
    // coroutines, no data path.
    const generation_ptr gen = shared_->current();
    for (std::size_t b = 0; b < gen->backends.size(); ++b)
        for (const auto set = gen->backends[b]->servers(); const auto& s : set->servers)
            spawn_health_check(gen, b, s);
    start_discovery(gen);
    // (Even with no TLS listener now: a reload may bring one.)
    net::co_spawn(workers_.front()->io(), watch_certificates(reloader_.get(), workers_.front().get()),
                  net::detached);
    if (!config_path_.empty()) {
        // POST /api/reload: the admin coroutine (on worker 0) waits while the
        // control thread reloads, which needs worker 0 free.
        control_work_.emplace(control_.get_executor());
        control_thread_ = std::thread([this] { control_.run(); });
        workers_.front()->set_admin_reload([this]() -> net::awaitable<reload_reply> {
            const auto out = co_await net::co_spawn(
                control_, [this]() -> net::awaitable<reload_outcome> { co_return reload_file(config_path_); },
                net::use_awaitable);
            co_return reload_reply{out.ok, out.generation, out.message};
        });
        net::co_spawn(workers_.front()->io(), watch_config_file(), net::detached);
    }
    started_ = true;
    for (auto& w : workers_)
        w->start();
}

void gateway::spawn_health_check(const generation_ptr& gen, std::size_t b, const server_ptr& s) {
    const auto& bc = gen->config->backends[b];
    if (!bc.health_check)
        return;
    worker& first = *workers_.front();
    const std::string preface =
        bc.send_proxy == config::proxy_send::off ? std::string() : policy::proxy_local_header(bc.send_proxy == config::proxy_send::v2);
    net::co_spawn(first.io(), run_health_check(bc.name, *bc.health_check, s, gen->upstream_tls[b], &first, preface),
                  [](std::exception_ptr e) {
        if (e)
            error_log(config::log_level::error, "health check ended by an exception");
    });
}

void gateway::start_discovery(const generation_ptr& gen) {
    // Servers that DNS brings: every worker adopts the backend's new set on
    // its own thread (or at its next pick); each new server gets its health check.
    std::vector<backend_state*> backends;
    for (auto& b : gen->backends)
        backends.push_back(b.get());
    server_discovery::hooks hooks;
    hooks.publish = [this, gen](std::size_t b) {
        for (auto& w : workers_)
            net::post(w->io(), [be = gen->backends[b].get(), wp = w.get()] { be->adopt(wp->index()); });
    };
    hooks.added = [this, gen](std::size_t b, const server_ptr& s) { spawn_health_check(gen, b, s); };
    discovery_->start(*workers_.front(), std::move(backends), std::move(hooks));
}

void gateway::drain() {
    shared_->draining.store(true);
    for (auto& w : workers_)
        w->drain();
}

void gateway::abort() {
    shared_->draining.store(true);
    for (auto& w : workers_)
        w->abort();
}

void gateway::wait() {
    for (auto& w : workers_)
        w->join();
}

gateway_snapshot gateway::snapshot() {
    std::vector<worker*> all;
    for (auto& w : workers_)
        all.push_back(w.get());
    // (Run from worker 0's executor like the admin pages; this thread blocks.)
    return net::co_spawn(workers_.front()->io(), collect_snapshot(*shared_, std::move(all)),
                         net::use_future)
        .get();
}

alloc::pool_stats gateway::pool_stats() { return snapshot().pool; }
std::size_t gateway::session_count() { return snapshot().sessions; }
std::size_t gateway::parked_count() { return snapshot().parked; }
worker_counters gateway::counters() { return snapshot().counters; }

} // namespace gw
