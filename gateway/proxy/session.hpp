#pragma once
// A client session: one coroutine per client connection, on its worker's
// executor, following DESIGN.md section 3 (no buffer while idle; a normal buffer
// for the request, kept while queued behind a full server; a critical buffer for
// the response and for every reply the gateway writes itself).

#include <cstddef>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/intrusive/list_hook.hpp>

#include "gateway/io/parking.hpp"
#include "gateway/io/transport.hpp"

namespace gw {

struct proxy_context;

// How a worker reaches its live sessions (a Boost.Intrusive list, worker thread
// only); the parking lot reaches them as parkable while they wait idle.
class session_link : public parkable, public boost::intrusive::list_base_hook<> {
public:
    virtual ~session_link() = default;
    // Draining: close now if idle between requests, else after the exchange.
    virtual void on_drain() noexcept = 0;
    // Shutdown timeout: close both sides now.
    virtual void on_abort() noexcept = 0;
    // The listener slot it was accepted on (generation.hpp): a reload that
    // removes the listener drains its sessions.
    virtual std::size_t listener_slot() const noexcept = 0;
};

// Serves `client`, accepted on listener slot `listener`, until it closes or parks.
// `resumed`: a parked connection that became readable (counted already, and
// its next request is there). Errors are handled inside (replies or a close);
// never throws out.
// `who`: what a resumed connection parked with (its client's ticket and port).
boost::asio::awaitable<void> run_session(proxy_context& ctx, std::size_t listener,
                                         boost::asio::ip::tcp::socket client,
                                         bool resumed = false);
// The same over a transport of any kind (the exchange tests use the in-memory one).
boost::asio::awaitable<void> run_session(proxy_context& ctx, std::size_t listener, transport client,
                                         bool resumed = false, parked_client who = {});

} // namespace gw
