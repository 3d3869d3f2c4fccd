#pragma once
// The running gateway: workers, the pool, backends and listeners, built from a
// validated configuration. Construction does all the fallible start-up work
// (resolving servers, binding listeners) and throws with a message a person can
// act on; after that, nothing on the data path throws.

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <string>
#include <optional>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "alloc/buffer_pool.hpp"
#include "alloc/pool_stats.hpp"
#include "config/config.hpp"
#include "gateway/app/certificate_reload.hpp"
#include "gateway/app/file_stamp.hpp"
#include "gateway/app/listener_slots.hpp"
#include "gateway/app/server_discovery.hpp"
#include "gateway/app/worker.hpp"
#include "gateway/observe/snapshot.hpp"

namespace gw {

class gateway {
public:
    // Throws std::runtime_error (resolve/bind failures, a buffer limit too small
    // for the worker count).
    // `access_log_fd`: where access log lines go (stdout; tests pass a pipe).
    explicit gateway(std::shared_ptr<const config::gateway_config> cfg, int access_log_fd = 1);
    ~gateway();
    gateway(const gateway&) = delete;
    gateway& operator=(const gateway&) = delete;

    // Where listener i is bound (the real port when the config asked for 0).
    // (Of the configuration running now: a reload may add, remove or reorder listeners.)
    boost::asio::ip::tcp::endpoint listener_endpoint(std::size_t i) const {
        return shared_->current()->endpoints.at(i);
    }
    std::size_t worker_count() const noexcept { return workers_.size(); }
    // Where the admin listener is bound (nullopt when disabled).
    std::optional<boost::asio::ip::tcp::endpoint> admin_endpoint() const { return admin_endpoint_; }

    void start();
    // Re-reads every TLS listener's certificates (SIGHUP); a listener whose
    // files fail keeps its old ones. Any thread. Returns how many failed.
    std::size_t reload_certificates() { return reloader_->reload_all(); }

    // Takes `next` (loaded and validated) as the running configuration: a new
    // generation for new exchanges (routes, backends, servers, weights,
    // balancing, timeouts, health checks, TLS settings, DNS), while exchanges
    // in flight finish on theirs and kept-alive connections stay open.
    // Backends and servers that keep their name (servers: and address and
    // settings) are the same objects, so their counters, queues, pooled
    // connections and health carry on; servers that left drain. Listeners that
    // keep their name and address keep their sockets; new ones are bound on
    // every worker; those that left stop accepting and their connections close
    // after the exchange in progress. Refused whole, with the running
    // configuration kept, when a setting fixed for the process changed
    // (reload_rules.hpp) or a file it names (TLS), an "off" server name or a
    // new listener's address fails. Any thread but a worker's (it may wait for
    // DNS); one at a time.
    struct reload_outcome {
        bool ok = false;
        std::uint64_t generation = 0; // the one running after the call
        std::string message;          // why it was refused ("" when ok)
    };
    reload_outcome reload(std::shared_ptr<const config::gateway_config> next);
    // Loads `path` and reloads it (SIGHUP, POST /api/reload); a file with
    // errors is refused, each error logged as file:line:col: message. The TLS
    // listeners' certificates are read again either way (a refused file does
    // not hold up a certificate rotation). Same threads as reload().
    reload_outcome reload_file(const std::string& path);
    // The file POST /api/reload reads (before start(); none: the endpoint answers 503).
    // The file's stamp is taken now: a change after it loaded is seen by the watch.
    void set_config_path(std::string path);
    // Thread-safe. drain: stop accepting, finish exchanges in flight, close idle
    // connections. abort: close everything now.
    void drain();
    void abort();
    // Blocks until every worker has run out of work (after drain or abort).
    void wait();

    // The gateway's state now, as the admin pages see it (collected on each
    // worker's thread; blocks the caller until they answered; the workers must
    // be running). Not for the data path.
    gateway_snapshot snapshot();
    // Parts of it: the pool's counters summed over the workers,
    alloc::pool_stats pool_stats();
    // Open client connections over all workers (same collection).
    std::size_t session_count();
    // Of those, the ones parked idle without a session (same collection).
    std::size_t parked_count();
    // The traffic counters summed over the workers (same collection).
    worker_counters counters();

    shared_state& shared() noexcept { return *shared_; }

private:
    // On worker 0 (or before it runs): a server's health check, per its
    // backend's settings in `gen`; following `gen`'s server names in DNS.
    void spawn_health_check(const generation_ptr& gen, std::size_t backend, const server_ptr& s);
    void start_discovery(const generation_ptr& gen);
    boost::asio::awaitable<void> watch_config_file(); // global.watch_config
    // A reload's second half (gateway_reload.cpp): `gen` built on the
    // surviving objects of `now`, published, adopted by every worker (then
    // `adopted` runs, on the last worker to adopt it).
    void apply_generation(const generation_ptr& now, const std::shared_ptr<generation>& gen,
                          const std::shared_ptr<server_discovery>& discovery,
                          const std::shared_ptr<listener_slots::bound>& added, std::function<void()> adopted);

    std::unique_ptr<shared_state> shared_;
    std::unique_ptr<alloc::buffer_pool> pool_;
    std::unique_ptr<certificate_reloader> reloader_;
    std::vector<std::unique_ptr<worker>> workers_;
    // (After the workers: its resolver is on worker 0's loop and goes first.)
    std::shared_ptr<server_discovery> discovery_;
    std::mutex reload_mutex_;
    std::size_t nworkers_ = 0;
    bool started_ = false;
    std::string config_path_;
    file_stamp config_stamp_; // the file as loaded (the watch starts from it)
    // Where POST /api/reload runs: not on a worker (a reload waits for worker 0).
    boost::asio::io_context control_{1};
    std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> control_work_;
    std::thread control_thread_;
    std::optional<listener_slots> slots_; // (reload_mutex_ once running)
    std::optional<boost::asio::ip::tcp::endpoint> admin_endpoint_;
};

// One worker per core when the config says 0.
std::size_t resolve_worker_count(const config::gateway_config& cfg);

} // namespace gw
