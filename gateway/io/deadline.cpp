#include "gateway/io/deadline.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace gw {

namespace net = boost::asio;

void deadline::start() { watch(); }

void deadline::watch() {
    watching_ = true;
    timer_at_ = at_;
    timer_.expires_at(timer_at_);
    timer_.async_wait([this](const boost::system::error_code& ec) {
        watching_ = false;
        if (stopping_)
            return;
        if (!ec && clock_type::now() >= at_) {
            // (else re-armed earlier, or the deadline moved later meanwhile)
            expired_ = kind_;
            disarm();
            owner_.on_deadline();
        }
        watch();
    });
}

net::awaitable<void> deadline::stop() {
    stopping_ = true;
    timer_.cancel();
    while (watching_) // the cancelled wait's handler is queued: let it run
        co_await net::post(timer_.get_executor(), net::use_awaitable);
}

} // namespace gw
