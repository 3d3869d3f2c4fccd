#pragma once
// The admin listener (DESIGN.md section 5), served by worker 0 on coroutines:
//   GET /healthz   200 while the process runs
//   GET /readyz    200, or 503 while draining (take the instance out of rotation)
//   GET /metrics   Prometheus text format
//   GET /stats     the HTML stats page
// Its requests and replies use critical buffers, like every reply the gateway writes.

#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "gateway/observe/metrics.hpp"

namespace gw {

class worker;

// Copies every worker's counters and pool stats, hopping onto each worker's
// thread in turn; the caller resumes on its own executor.
boost::asio::awaitable<gateway_snapshot> collect_snapshot(std::vector<worker*> workers);

// Accepts admin connections on `acceptor` until it is closed.
boost::asio::awaitable<void> run_admin(worker* w, std::vector<worker*> workers,
                                       boost::asio::ip::tcp::acceptor* acceptor);

} // namespace gw
