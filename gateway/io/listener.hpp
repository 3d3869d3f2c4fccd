#pragma once
// The one accept loop, for the proxy listeners and the admin listener alike,
// and the listening sockets of the proxy listeners.

#include <cstddef>
#include <functional>
#include <vector>

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

// A bound, listening socket not yet wrapped in an acceptor: the reload thread
// binds a new listener's sockets (a failure refuses the reload before anything
// changed) and each worker wraps its own on its own thread. Closes the
// descriptor unless released.
class listening_socket {
public:
    listening_socket() = default;
    listening_socket(int fd, boost::asio::ip::tcp::endpoint local) noexcept : fd_(fd), local_(local) {}
    listening_socket(listening_socket&& o) noexcept : fd_(o.fd_), local_(o.local_) { o.fd_ = -1; }
    listening_socket& operator=(listening_socket&& o) noexcept;
    ~listening_socket();

    const boost::asio::ip::tcp::endpoint& local() const noexcept { return local_; }
    // Wraps the descriptor in an acceptor on `acceptor`'s executor (its thread).
    void assign_to(boost::asio::ip::tcp::acceptor& acceptor);
    int release() noexcept {
        const int fd = fd_;
        fd_ = -1;
        return fd;
    }

private:
    int fd_ = -1;
    boost::asio::ip::tcp::endpoint local_;
};

// One listening socket per worker on `ep`, with SO_REUSEPORT so that they
// share the address and the kernel spreads connections over them (port 0: the
// first one picks a port, the others take the same). Throws
// boost::system::system_error (the address is taken, not local, ...).
std::vector<listening_socket> bind_listening(const boost::asio::ip::tcp::endpoint& ep, std::size_t count);

} // namespace gw
