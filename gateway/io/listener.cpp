#include "gateway/io/listener.hpp"

#include <chrono>

#include <boost/asio/steady_timer.hpp>

#include "gateway/io/use_tuple.hpp"

namespace gw {

namespace net = boost::asio;

net::awaitable<void> accept_loop(net::ip::tcp::acceptor& acceptor, admit_connection admit) {
    net::steady_timer pause(acceptor.get_executor());
    net::ip::tcp::endpoint peer;
    for (;;) {
        auto [ec, socket] = co_await acceptor.async_accept(peer, use_tuple);
        if (ec == net::error::operation_aborted || !acceptor.is_open())
            co_return;
        if (ec) {
            pause.expires_after(std::chrono::milliseconds(50));
            co_await pause.async_wait(use_tuple);
            continue;
        }
        co_await admit(std::move(socket), peer);
    }
}

} // namespace gw
