#pragma once
// The running gateway: workers, the pool, backends and listeners, built from a
// validated configuration. Construction does all the fallible start-up work
// (resolving servers, binding listeners) and throws with a message a person can
// act on; after that, nothing on the data path throws.

#include <cstddef>
#include <memory>
#include <optional>
#include <vector>

#include <boost/asio/ip/tcp.hpp>

#include "alloc/buffer_pool.hpp"
#include "alloc/pool_stats.hpp"
#include "config/config.hpp"
#include "gateway/app/certificate_reload.hpp"
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
    const boost::asio::ip::tcp::endpoint& listener_endpoint(std::size_t i) const {
        return endpoints_.at(i);
    }
    std::size_t worker_count() const noexcept { return workers_.size(); }
    // Where the admin listener is bound (nullopt when disabled).
    std::optional<boost::asio::ip::tcp::endpoint> admin_endpoint() const { return admin_endpoint_; }

    void start();
    // Re-reads every TLS listener's certificates (SIGHUP); a listener whose
    // files fail keeps its old ones. Any thread. Returns how many failed.
    std::size_t reload_certificates() { return reloader_->reload_all(); }
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
    std::unique_ptr<shared_state> shared_;
    std::unique_ptr<alloc::buffer_pool> pool_;
    std::unique_ptr<certificate_reloader> reloader_;
    std::vector<std::unique_ptr<worker>> workers_;
    // (After the workers: its resolver is on worker 0's loop and goes first.)
    std::unique_ptr<server_discovery> discovery_;
    std::vector<boost::asio::ip::tcp::endpoint> endpoints_;
    std::optional<boost::asio::ip::tcp::endpoint> admin_endpoint_;
};

// One worker per core when the config says 0.
std::size_t resolve_worker_count(const config::gateway_config& cfg);

} // namespace gw
