#pragma once
// One lazy watchdog per connection: a timer handler beside the connection's
// coroutine, not a coroutine joined to it with `||` (which would give each of
// its operations a cancellation slot to fill and clear), and not a timer per
// operation (PRACTICE: 12.2 -> 14.0 us per loopback round trip).
//
// arm() is a store: the timer stays where it is unless the new deadline comes
// before it (then it re-arms at once); when it fires early it re-arms for the
// deadline then in force. A request's shorter timeouts after the longer idle
// one so cost a timer event per timeout period, not one per operation. When a
// deadline passes, the owner's on_deadline() cancels what it has running and
// expired() says which timeout it was. One thread: the connection's worker.

#include <chrono>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

namespace gw {

// Which timeout is running; decides the reply when it fires.
enum class deadline_kind { none, client_idle, client_head, queue, connect, server, send, tunnel };

class deadline {
public:
    using clock_type = std::chrono::steady_clock;

    // The connection: told on its thread when a deadline passed.
    class owner {
    public:
        virtual void on_deadline() noexcept = 0;

    protected:
        ~owner() = default;
    };

    deadline(const boost::asio::any_io_executor& ex, owner& o) : timer_(ex), owner_(o) {}
    deadline(const deadline&) = delete;
    deadline& operator=(const deadline&) = delete;

    // Starts watching; stop() ends it for good (awaits the handler's last run).
    void start();
    boost::asio::awaitable<void> stop();

    // The next deadline: `d` from now, for timeout `k`.
    void arm(clock_type::duration d, deadline_kind k) {
        const auto when = clock_type::now() + d;
        kind_ = k;
        at_ = when;
        if (when < timer_at_) {
            timer_at_ = clock_type::time_point::min(); // re-armed by the handler
            timer_.cancel();
        }
    }
    void disarm() noexcept {
        kind_ = deadline_kind::none;
        at_ = clock_type::time_point::max();
    }
    // The deadline in force (max when disarmed).
    clock_type::time_point at() const noexcept { return at_; }
    // Whether the last deadline that passed was of kind `k`.
    bool timed_out(deadline_kind k) const noexcept { return expired_ == k; }
    // Forgets the last expiry (a new phase starts).
    void clear_expired() noexcept { expired_ = deadline_kind::none; }

private:
    void watch();

    boost::asio::steady_timer timer_;
    owner& owner_;
    clock_type::time_point at_ = clock_type::time_point::max();
    clock_type::time_point timer_at_ = clock_type::time_point::max(); // timer_'s expiry
    deadline_kind kind_ = deadline_kind::none;
    deadline_kind expired_ = deadline_kind::none;
    bool stopping_ = false;
    bool watching_ = false; // a wait on timer_ is pending
};

} // namespace gw
