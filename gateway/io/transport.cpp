#include "gateway/io/transport.hpp"
#include "gateway/io/use_tuple.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include <fcntl.h> // splice
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

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

// OpenSSL's errors as error_codes: the library and reason of the first error
// in the queue (ERR_GET_LIB 8 bits, ERR_GET_REASON 23 bits), with its text.
class tls_category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "tls"; }
    std::string message(int v) const override {
        const unsigned long e = ERR_PACK(static_cast<unsigned>(v) >> 23, 0, v & 0x7fffff);
        const char* r = ERR_reason_error_string(e);
        return r != nullptr ? r : "TLS error " + std::to_string(v);
    }
};

const tls_category_impl tls_category_instance;

boost::system::error_code tls_error() noexcept {
    const unsigned long e = ERR_peek_error();
    ERR_clear_error();
    if (e == 0)
        return net::error::connection_reset;
    return {static_cast<int>(ERR_GET_LIB(e) << 23 | ERR_GET_REASON(e)), tls_category_instance};
}

// After an operation that returned `r` <= 0: what to wait for, or the error.
tls_want classify(SSL* ssl, int r, boost::system::error_code& ec) noexcept {
    switch (SSL_get_error(ssl, r)) {
    case SSL_ERROR_WANT_READ:
        return tls_want::read;
    case SSL_ERROR_WANT_WRITE:
        return tls_want::write;
    case SSL_ERROR_ZERO_RETURN: // close_notify
        ec = net::error::eof;
        return tls_want::nothing;
    case SSL_ERROR_SYSCALL:
        ec = errno != 0 ? last_error() : boost::system::error_code(net::error::eof);
        ERR_clear_error();
        return tls_want::nothing;
    default:
        ec = tls_error();
        return tls_want::nothing;
    }
}

} // namespace

const boost::system::error_category& tls_category() noexcept {
    return tls_category_instance;
}

transport::~transport() {
    if (ssl_)
        SSL_free(ssl_);
}

transport::transport(transport&& o) noexcept
    : socket_(std::move(o.socket_)), peer_(o.peer_), other_(std::move(o.other_)), ssl_(std::exchange(o.ssl_, nullptr)),
      tls_drained_(o.tls_drained_) {}

transport& transport::operator=(transport&& o) noexcept {
    if (this != &o) {
        close();
        socket_ = std::move(o.socket_);
        peer_ = o.peer_;
        other_ = std::move(o.other_);
        ssl_ = std::exchange(o.ssl_, nullptr);
        tls_drained_ = o.tls_drained_;
    }
    return *this;
}

void transport::start_tls(ssl_st* ssl) noexcept {
    if (ssl_)
        SSL_free(ssl_);
    ssl_ = ssl;
    tls_drained_ = false;
    error_code ignored;
    socket_.non_blocking(true, ignored); // OpenSSL reads and writes the descriptor itself
    if (SSL_get_fd(ssl_) != socket_.native_handle()) // (a parked connection has it already)
        SSL_set_fd(ssl_, socket_.native_handle());
}

ssl_st* transport::release_tls() noexcept {
    return std::exchange(ssl_, nullptr);
}

std::size_t transport::tls_read_some(void* out, std::size_t n, error_code& ec, tls_want& want) noexcept {
    ERR_clear_error();
    errno = 0;
    std::size_t got = 0;
    const int r = SSL_read_ex(ssl_, out, n, &got);
    if (r == 1) {
        tls_drained_ = got < n && SSL_has_pending(ssl_) == 0;
        return got;
    }
    want = classify(ssl_, r, ec);
    tls_drained_ = false; // (its wait is on readability already)
    return 0;
}

std::size_t transport::tls_write_some(const void* in, std::size_t n, error_code& ec,
                                      tls_want& want) noexcept {
    ERR_clear_error();
    errno = 0;
    std::size_t put = 0;
    const int r = SSL_write_ex(ssl_, in, n, &put);
    if (r == 1)
        return put;
    want = classify(ssl_, r, ec);
    return 0;
}

net::awaitable<transport::error_code> transport::handshake() {
    for (;;) {
        ERR_clear_error();
        errno = 0;
        const int r = SSL_do_handshake(ssl_);
        if (r == 1)
            co_return error_code{};
        error_code ec;
        const tls_want want = classify(ssl_, r, ec);
        if (ec)
            co_return ec;
        auto [wec] = co_await socket_.async_wait(
            want == tls_want::write ? socket_type::wait_write : socket_type::wait_read, use_tuple);
        if (wec)
            co_return wec;
    }
}

net::awaitable<std::tuple<transport::error_code, int>> transport::peek_byte() {
    for (;;) {
        unsigned char byte = 0;
        const ssize_t r = ::recv(socket_.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
        if (r == 1)
            co_return std::tuple{error_code{}, static_cast<int>(byte)};
        if (r == 0)
            co_return std::tuple{error_code(net::error::eof), -1};
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            co_return std::tuple{last_error(), -1};
        auto [ec] = co_await socket_.async_wait(socket_type::wait_read, use_tuple);
        if (ec)
            co_return std::tuple{ec, -1};
    }
}

bool transport::idle_and_open() noexcept {
    if (other_)
        return other_->is_open();
    if (ssl_ && SSL_has_pending(ssl_) == 1) // (bytes read ahead: a late record from the server)
        return false;
    char byte;
    const ssize_t n = ::recv(socket_.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

void transport::cancel() noexcept {
    if (other_)
        return other_->cancel();
    error_code ignored;
    socket_.cancel(ignored);
}

void transport::close(bool graceful) noexcept {
    if (other_)
        return other_->close();
    error_code ignored;
    if (ssl_) {
        if (SSL_is_init_finished(ssl_)) {
            if (graceful) { // a close_notify if it goes at once (never waits: the peer may be gone)
                ERR_clear_error();
                SSL_shutdown(ssl_);
                ERR_clear_error();
            } else {
                // Closed without a close_notify after a complete exchange, as HTTP
                // does: marked as shut down, or OpenSSL would take the session for a
                // broken one and a server's ticket could not be resumed.
                SSL_set_shutdown(ssl_, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
            }
        }
        SSL_free(std::exchange(ssl_, nullptr));
    }
    // (No shutdown() first: close() sends the same FIN, one system call fewer
    // per connection.)
    socket_.close(ignored);
}

net::awaitable<std::tuple<transport::error_code, std::size_t>>
transport::read_some(net::mutable_buffer b) {
    co_return co_await async_read_some(b, use_tuple);
}

std::size_t transport::read_ready(void* out, std::size_t n, error_code& ec) noexcept {
    if (other_)
        return other_->read_ready(out, n, ec);
    if (ssl_) {
        tls_want ignored;
        return tls_read_some(out, n, ec, ignored);
    }
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
    if (ssl_)
        co_return co_await write_tls(out);
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

net::awaitable<std::tuple<transport::error_code, std::size_t>>
transport::write_tls(std::array<net::const_buffer, 2> out) {
    // A head and the start of a body together are one record (one send) when
    // they fit in one: copied into a block of this thread's while the socket
    // takes the record at once, as it nearly always does. Should it not, the
    // bytes move to a block of the frame's own for the retry, which OpenSSL
    // allows from another address (SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER).
    constexpr std::size_t record = 16 * 1024;
    const std::size_t both = out[0].size() + out[1].size();
    if (out[0].size() != 0 && out[1].size() != 0 && both <= record) {
        thread_local char joined[record];
        std::memcpy(joined, out[0].data(), out[0].size());
        std::memcpy(joined + out[0].size(), out[1].data(), out[1].size());
        error_code ec;
        tls_want want = tls_want::nothing;
        std::size_t done = tls_write_some(joined, both, ec, want);
        if (ec)
            co_return std::tuple{ec, done};
        if (done == both)
            co_return std::tuple{ec, both};
        std::unique_ptr<char[]> rest(new char[both - done]);
        std::memcpy(rest.get(), joined + done, both - done);
        auto [wec, n] = co_await write_other({net::const_buffer(rest.get(), both - done), net::const_buffer()});
        co_return std::tuple{wec, done + n};
    }
    co_return co_await write_other(out);
}

void transport::uncork() noexcept {
    if (other_ || ssl_)
        return;
    // TCP_NODELAY set again pushes the segments MSG_MORE held back.
    const int one = 1;
    ::setsockopt(socket_.native_handle(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

net::awaitable<transport::error_code> transport::wait_readable() {
    if (ssl_ && SSL_pending(ssl_) > 0)
        co_return error_code{}; // a record already read and decrypted
    if (other_) {
        auto [ec] = co_await net::async_initiate<decltype(use_tuple), void(error_code)>(
            [s = other_.get()](auto h) { s->async_wait_readable(std::move(h)); }, use_tuple);
        co_return ec;
    }
    auto [ec] = co_await socket_.async_wait(socket_type::wait_read, use_tuple);
    co_return ec;
}

net::awaitable<transport::error_code> transport::wait_writable() {
    if (other_ || ssl_)
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
