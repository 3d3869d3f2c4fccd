#include "gateway/io/transport.hpp"
#include "gateway/io/use_tuple.hpp"

#include <algorithm>
#include <cerrno>

#include <fcntl.h> // splice
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace gw {

namespace net = boost::asio;

namespace {

boost::system::error_code last_error() noexcept {
    return {errno, boost::system::system_category()};
}

// One non-blocking splice(2) of up to n bytes from `in` to `out`: bytes (> 0),
// 0 when it would block, or `ec` set (`at_zero` when splice returns 0: the
// source ended, or the sink took nothing).
std::size_t splice_once(int in, int out, std::size_t n, unsigned flags,
                        const boost::system::error_code& at_zero,
                        boost::system::error_code& ec) noexcept {
    for (;;) {
        const ssize_t r = ::splice(in, nullptr, out, nullptr, n,
                                   SPLICE_F_MOVE | SPLICE_F_NONBLOCK | flags);
        if (r > 0)
            return static_cast<std::size_t>(r);
        if (r == 0)
            ec = at_zero;
        else if (errno == EINTR)
            continue;
        else if (errno != EAGAIN)
            ec = last_error();
        return 0;
    }
}

} // namespace

bool transport::idle_and_open(socket_type& s) noexcept {
    char byte;
    const ssize_t n = ::recv(s.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

void transport::cancel() noexcept {
    if (other_)
        return other_->cancel();
    error_code ignored;
    socket_.cancel(ignored);
}

void transport::close(bool shutdown) noexcept {
    if (other_)
        return other_->close();
    error_code ignored;
    if (shutdown)
        socket_.shutdown(socket_type::shutdown_both, ignored);
    socket_.close(ignored);
}

net::awaitable<std::tuple<transport::error_code, std::size_t>>
transport::read_some(net::mutable_buffer b) {
    co_return co_await async_read_some(b, use_tuple);
}

std::size_t transport::read_ready(void* out, std::size_t n, error_code& ec) noexcept {
    if (other_)
        return other_->read_ready(out, n, ec);
    for (;;) {
        const ssize_t r = ::recv(socket_.native_handle(), out, n, MSG_DONTWAIT);
        if (r > 0)
            return static_cast<std::size_t>(r);
        if (r == 0)
            ec = net::error::eof;
        else if (errno == EINTR)
            continue;
        else if (errno != EAGAIN && errno != EWOULDBLOCK)
            ec = last_error();
        return 0;
    }
}

net::awaitable<std::tuple<transport::error_code, std::size_t>>
transport::write(std::array<net::const_buffer, 2> out, bool more) {
    if (other_)
        co_return co_await write_other(out);
    std::size_t total = 0;
    const auto sent = [&](std::size_t n) {
        total += n;
        for (auto& b : out) {
            const std::size_t k = std::min(n, b.size());
            b += k;
            n -= k;
        }
    };
    // What the socket takes at once goes without an asynchronous operation
    // (Asio completes even an immediate send through its queue).
    iovec iov[2];
    for (std::size_t i = 0; i < 2; ++i)
        iov[i] = {const_cast<void*>(out[i].data()), out[i].size()};
    msghdr m{};
    m.msg_iov = iov;
    m.msg_iovlen = 2;
    ssize_t r;
    do
        r = ::sendmsg(socket_.native_handle(), &m,
                      MSG_DONTWAIT | MSG_NOSIGNAL | (more ? MSG_MORE : 0));
    while (r < 0 && errno == EINTR);
    if (r >= 0)
        sent(static_cast<std::size_t>(r));
    else if (errno != EAGAIN && errno != EWOULDBLOCK)
        co_return std::tuple{last_error(), total};
    if (out[0].size() + out[1].size() == 0 && !more) {
        co_await net::post(socket_.get_executor(), net::use_awaitable);
        co_return std::tuple{error_code{}, total};
    }
    while (out[0].size() + out[1].size() != 0) {
        auto [ec, n] = co_await socket_.async_send(out, more ? MSG_MORE : 0, use_tuple);
        sent(n);
        if (ec)
            co_return std::tuple{ec, total};
    }
    co_return std::tuple{error_code{}, total};
}

net::awaitable<std::tuple<transport::error_code, std::size_t>>
transport::write_other(std::array<net::const_buffer, 2> out) {
    std::size_t total = 0;
    for (auto& b : out)
        while (b.size() != 0) {
            auto [ec, n] = co_await async_write_some(b, use_tuple);
            total += n;
            b += n;
            if (ec)
                co_return std::tuple{ec, total};
        }
    co_return std::tuple{error_code{}, total};
}

void transport::uncork() noexcept {
    if (other_)
        return;
    // TCP_NODELAY set again pushes the segments MSG_MORE held back.
    const int one = 1;
    ::setsockopt(socket_.native_handle(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

net::awaitable<transport::error_code> transport::wait_readable() {
    if (other_) {
        auto [ec] = co_await net::async_initiate<decltype(use_tuple), void(error_code)>(
            [s = other_.get()](auto h) { s->async_wait_readable(std::move(h)); }, use_tuple);
        co_return ec;
    }
    auto [ec] = co_await socket_.async_wait(socket_type::wait_read, use_tuple);
    co_return ec;
}

net::awaitable<transport::error_code> transport::wait_writable() {
    if (other_)
        co_return error_code{}; // (its writes complete as they can)
    auto [ec] = co_await socket_.async_wait(socket_type::wait_write, use_tuple);
    co_return ec;
}

std::size_t transport::splice_to_pipe(int pipe_write, std::size_t n, error_code& ec) noexcept {
    return splice_once(socket_.native_handle(), pipe_write, n, 0, net::error::eof, ec);
}

std::size_t transport::splice_from_pipe(int pipe_read, std::size_t n, bool more,
                                        error_code& ec) noexcept {
    return splice_once(pipe_read, socket_.native_handle(), n, more ? SPLICE_F_MORE : 0,
                       net::error::broken_pipe, ec);
}

} // namespace gw
