#include "gateway/io/listener.hpp"

#include <cerrno>
#include <chrono>
#include <utility>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/steady_timer.hpp>
#include <boost/system/system_error.hpp>

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

listening_socket& listening_socket::operator=(listening_socket&& o) noexcept {
    if (this != &o) {
        if (fd_ >= 0)
            ::close(fd_);
        fd_ = std::exchange(o.fd_, -1);
        local_ = o.local_;
    }
    return *this;
}

listening_socket::~listening_socket() {
    if (fd_ >= 0)
        ::close(fd_);
}

void listening_socket::assign_to(net::ip::tcp::acceptor& acceptor) {
    acceptor.assign(local_.protocol(), fd_);
    fd_ = -1; // (the acceptor owns it now)
}

namespace {

[[noreturn]] void fail(const char* what) {
    throw boost::system::system_error(errno, boost::system::system_category(), what);
}

listening_socket bind_one(const net::ip::tcp::endpoint& ep) {
    const int fd = ::socket(ep.protocol().family(), SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        fail("socket");
    listening_socket owner(fd, ep); // (closes it if a step below fails)
    const int on = 1, off = 0;
    if (::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0 ||
        ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) != 0)
        fail("setsockopt");
    // "All interfaces" on IPv6 takes IPv4 clients too.
    if (ep.address().is_v6() && ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off) != 0)
        fail("setsockopt");
    if (::bind(fd, ep.data(), static_cast<socklen_t>(ep.size())) != 0)
        fail("bind");
    if (::listen(fd, SOMAXCONN) != 0)
        fail("listen");
    net::ip::tcp::endpoint local;
    socklen_t len = static_cast<socklen_t>(local.capacity());
    if (::getsockname(fd, local.data(), &len) != 0)
        fail("getsockname");
    local.resize(len);
    return listening_socket(owner.release(), local);
}

} // namespace

std::vector<listening_socket> bind_listening(const net::ip::tcp::endpoint& ep, std::size_t count) {
    std::vector<listening_socket> out;
    auto at = ep;
    for (std::size_t i = 0; i < count; ++i) {
        out.push_back(bind_one(at));
        at = out.back().local(); // (port 0: the one the first picked)
    }
    return out;
}

} // namespace gw
