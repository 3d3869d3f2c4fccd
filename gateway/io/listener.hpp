#pragma once
// The one accept loop, for the proxy listeners and the admin listener alike.

#include <functional>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace gw {

// What becomes of an accepted connection; the loop awaits it before the next
// accept, so that it can hold the loop back (a connection limit) or refuse.
// The peer's address comes with it, from accept() itself.
using admit_connection = std::function<boost::asio::awaitable<void>(boost::asio::ip::tcp::socket,
                                                                    boost::asio::ip::tcp::endpoint)>;

// Accepts on `acceptor` until it is closed. An accept error (out of file
// descriptors, a connection reset in the backlog) pauses the loop 50 ms
// instead of spinning on it.
boost::asio::awaitable<void> accept_loop(boost::asio::ip::tcp::acceptor& acceptor,
                                         admit_connection admit);

} // namespace gw
