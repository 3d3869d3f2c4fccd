#pragma once
// A client session: one coroutine per client connection, on its worker's
// executor, following DESIGN.md section 3 (no buffer while idle; a normal buffer
// for the request, kept while queued behind a full server; a critical buffer for
// the response and for every reply the gateway writes itself).

#include <chrono>
#include <cstddef>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "gateway/io/parking.hpp"

namespace gw {

class worker;

// How a worker reaches its live sessions (intrusive list, worker thread only);
// the parking lot reaches them as parkable while they wait idle.
class session_link : public parkable {
public:
    virtual ~session_link() = default;
    // Draining: close now if idle between requests, else after the exchange.
    virtual void on_drain() noexcept = 0;
    // Shutdown timeout: close both sides now.
    virtual void on_abort() noexcept = 0;

private:
    friend class worker;
    session_link* prev_ = nullptr;
    session_link* next_ = nullptr;
};

// Serves `client`, accepted on listener `listener`, until it closes or parks.
// `resumed`: a parked connection that became readable (counted already, and
// its next request is there). Errors are handled inside (replies or a close);
// never throws out.
boost::asio::awaitable<void> run_session(worker* w, std::size_t listener,
                                         boost::asio::ip::tcp::socket client,
                                         bool resumed = false);

} // namespace gw
