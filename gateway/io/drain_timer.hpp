#pragma once
// A timer for periodic work on a worker (flushing the access log, health
// checks, looking at certificate files) that a drain cancels: registered with
// the drain registry for as long as it lives. Worker thread only.

#include <chrono>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include "gateway/io/drain.hpp"

namespace gw {

class drain_timer final : public drain_listener {
public:
    drain_timer(const boost::asio::any_io_executor& ex, drain_registry& r) : timer_(ex), registry_(r) {
        registry_.add(*this);
    }
    ~drain_timer() override { registry_.remove(*this); }
    drain_timer(const drain_timer&) = delete;
    drain_timer& operator=(const drain_timer&) = delete;

    // Waits `d`; false when the worker drains (now or meanwhile).
    boost::asio::awaitable<bool> sleep(std::chrono::steady_clock::duration d);
    void on_drain() noexcept override { timer_.cancel(); }

private:
    boost::asio::steady_timer timer_;
    drain_registry& registry_;
};

} // namespace gw
