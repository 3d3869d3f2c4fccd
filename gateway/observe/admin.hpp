#pragma once
// The admin listener (DESIGN.md section 5), served by worker 0 on coroutines:
//   GET /healthz   200 while the process runs
//   GET /readyz    200, or 503 while draining (take the instance out of rotation)
//   GET /metrics   Prometheus text format
//   GET /stats     the HTML stats page
//   /api/...       servers as JSON and changes to them (observe/admin_api.hpp)
// Its replies use critical buffers, like every reply the gateway writes.

#include <atomic>
#include <functional>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "alloc/pool_shard.hpp"
#include "config/config.hpp"
#include "gateway/io/drain.hpp"
#include "gateway/observe/admin_api.hpp"
#include "gateway/observe/counters.hpp"
#include "gateway/observe/metrics.hpp"

namespace gw {

// What the admin listener needs of the worker that serves it (app/ builds it).
struct admin_context {
    const config::gateway_config& cfg; // its own settings (admin, timeouts): fixed at start
    alloc::pool_shard& shard;         // the critical buffer each reply is written from
    worker_counters& counters;        // admin_refused, admin_timeouts
    drain_set& sessions;              // its connections, closed when the listener closes
    const std::atomic<bool>& draining; // the gateway drains: /readyz says 503
    // The gateway's state now, collected across the workers.
    std::function<boost::asio::awaitable<gateway_snapshot>()> snapshot;
    // The admin API's write endpoints: the bearer token (empty: off), and what a
    // change to a server does (app/ applies it across the workers).
    std::string token;
    std::function<change_outcome(const server_change&)> change_server;
    // POST /api/reload (set by the gateway once it knows its file; null: off).
    std::function<boost::asio::awaitable<reload_reply>()> reload;
};

// Accepts admin connections on `acceptor` until it is closed.
boost::asio::awaitable<void> run_admin(admin_context& ctx, boost::asio::ip::tcp::acceptor& acceptor);

} // namespace gw
