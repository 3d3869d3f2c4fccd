#include "gateway/io/drain_timer.hpp"
#include "gateway/io/use_tuple.hpp"

#include <boost/asio/as_tuple.hpp>

namespace gw {

boost::asio::awaitable<bool> drain_timer::sleep(std::chrono::steady_clock::duration d) {
    if (registry_.draining())
        co_return false;
    timer_.expires_after(d);
    co_await timer_.async_wait(use_tuple);
    co_return !registry_.draining();
}

} // namespace gw
