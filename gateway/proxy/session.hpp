#pragma once
// A client session: one coroutine per client connection, on its worker's
// executor, following DESIGN.md section 3 (no buffer while idle; a normal buffer
// for the request, kept while queued behind a full server; a critical buffer for
// the response and for every reply the gateway writes itself).

#include <chrono>
#include <cstddef>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace gw {

class worker;

// How a worker reaches its live sessions (intrusive list, worker thread only).
class session_link {
public:
    virtual ~session_link() = default;
    // Draining: close now if idle between requests, else after the exchange.
    virtual void on_drain() noexcept = 0;
    // Shutdown timeout: close both sides now.
    virtual void on_abort() noexcept = 0;
    // Idle for timeouts.client_park: end the session, hand the socket to the
    // worker's parking lot (only called while the session waits idle).
    virtual void on_park() noexcept = 0;

private:
    friend class worker;
    friend class parking_lot;
    session_link* prev_ = nullptr;
    session_link* next_ = nullptr;
    // The parking lot's FIFO of sessions waiting idle, oldest first.
    session_link* idle_prev_ = nullptr;
    session_link* idle_next_ = nullptr;
    bool idle_linked_ = false;
    std::chrono::steady_clock::time_point idle_since_;
};

// Serves `client`, accepted on listener `listener`, until it closes or parks.
// `resumed`: a parked connection that became readable (counted already, and
// its next request is there). Errors are handled inside (replies or a close);
// never throws out.
boost::asio::awaitable<void> run_session(worker* w, std::size_t listener,
                                         boost::asio::ip::tcp::socket client,
                                         bool resumed = false);

} // namespace gw
