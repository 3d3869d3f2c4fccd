#include "gateway/relay/tunnel.hpp"
#include "gateway/io/use_tuple.hpp"

#include <tuple>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace gw {

namespace net = boost::asio;

namespace {

net::awaitable<void> pump(transport* from, transport* to, held_buffer* buf, held_buffer* other,
                          std::size_t n, deadline* dl, std::chrono::steady_clock::duration idle) {
    for (;;) {
        dl->arm(idle, deadline_kind::tunnel); // lazy: a later deadline is a store
        auto [ec, got] = co_await read_when_ready(*from, *buf, n);
        if (ec)
            break;
        auto [wec, put] = co_await net::async_write(*to, net::buffer(buf->data(), got), use_tuple);
        if (wec)
            break;
    }
    // The tunnel is over: the other direction may be waiting for a buffer,
    // which the parallel group's cancellation does not reach (the owner's does).
    other->cancel_take();
}

// Writes what `left` holds to `to`; false when the write failed.
net::awaitable<bool> flush(pool_buffer* left, transport* to) {
    if (left == nullptr || left->size() == 0)
        co_return true;
    auto [ec, n] = co_await net::async_write(*to, left->data(), use_tuple);
    if (ec)
        co_return false;
    left->consume(n);
    co_return true;
}

} // namespace

net::awaitable<void> relay_tunnel(const tunnel_ends& t) {
    t.dl->arm(t.send, deadline_kind::send);
    if (!co_await flush(t.server_left, t.client) || !co_await flush(t.client_left, t.server))
        co_return;
    using namespace net::experimental::awaitable_operators;
    co_await (pump(t.client, t.server, t.upstream, t.downstream, t.size, t.dl, t.idle) ||
              pump(t.server, t.client, t.downstream, t.upstream, t.size, t.dl, t.idle));
    t.dl->disarm();
}

} // namespace gw
