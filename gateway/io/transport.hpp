#pragma once
// A connection as bytes: the seam between the relay and the kind of connection
// (issue 13). The relay reads, reads what is ready, writes with "more to come",
// uncorks, and splices when the connection can; it never touches a descriptor.
// Plain TCP and TLS (OpenSSL on the same descriptor: no splice, the relay then
// copies) are built in; any other kind of connection is a byte_stream the
// transport delegates to (the in-memory test stream), so that the relay stays
// as it is.
//
// It is also an Asio AsyncStream (async_read_some / async_write_some), so that
// Beast's parser and serializer and net::async_write run over it unchanged.
// One thread: the worker that owns the connection.

#include <array>
#include <cstddef>
#include <memory>
#include <tuple>
#include <utility>

#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>

#include "gateway/io/byte_stream.hpp"

struct ssl_st; // OpenSSL's SSL, kept out of the header

namespace gw {

// What a TLS operation that could not finish waits for.
enum class tls_want { nothing, read, write };

// The category of OpenSSL's errors on a TLS transport; message() is OpenSSL's
// reason ("certificate verify failed", "wrong version number", ...).
const boost::system::error_category& tls_category() noexcept;

class transport {
public:
    using socket_type = boost::asio::ip::tcp::socket;
    using executor_type = socket_type::executor_type;
    using error_code = boost::system::error_code;

    explicit transport(socket_type s) noexcept : socket_(std::move(s)) {}
    // An accepted connection with the peer address accept() returned, so that
    // asking for it costs no getpeername().
    transport(socket_type s, const socket_type::endpoint_type& peer) noexcept
        : socket_(std::move(s)), peer_(peer) {}
    explicit transport(const executor_type& ex) : socket_(ex) {}
    // A connection of another kind (`other`), on executor `ex`.
    transport(const executor_type& ex, std::unique_ptr<byte_stream> other)
        : socket_(ex), other_(std::move(other)) {}

    // The plain-TCP connection's socket, for what is not moving bytes: connect,
    // options, endpoints, and handing the connection to the server connection
    // pool or the parking lot.
    socket_type& socket() noexcept { return socket_; }
    executor_type get_executor() noexcept { return socket_.get_executor(); }
    // The peer's address: the one accept() gave, else asked of the socket.
    socket_type::endpoint_type remote_endpoint(error_code& ec) const {
        if (peer_.port() != 0)
            return peer_;
        return socket_.remote_endpoint(ec);
    }
    bool is_open() const noexcept { return other_ ? other_->is_open() : socket_.is_open(); }
    ~transport();
    transport(transport&& o) noexcept;
    // Takes `o`'s connection; this one's is closed first.
    transport& operator=(transport&& o) noexcept;

    // Makes this the connection `other` (a test stream), or plain TCP again
    // with null.
    void reset(std::unique_ptr<byte_stream> other) noexcept { other_ = std::move(other); }

    // --- TLS: OpenSSL driven on the socket's own descriptor (no memory BIOs
    // and no buffers of our own: the socket BIO is what kernel TLS would need),
    // with Asio's reactor only telling when the descriptor is ready.
    // Takes `ssl` (an SSL* set up for its side) over the connected socket.
    void start_tls(ssl_st* ssl) noexcept;
    bool is_tls() const noexcept { return ssl_ != nullptr; }
    ssl_st* tls() const noexcept { return ssl_; }
    // The handshake, to the end or to an error (cancel() ends it with operation_aborted).
    boost::asio::awaitable<error_code> handshake();
    // Gives back the SSL* (now the caller's), leaving a plain socket: for parking.
    ssl_st* release_tls() noexcept;
    // The first byte the client sent, left in the socket (waits for it): tells
    // a TLS client hello (0x16) from plain HTTP on a TLS port. -1 and `ec` on error.
    boost::asio::awaitable<std::tuple<error_code, int>> peek_byte();
    // Whether an idle connection is still usable: a read would block (no end
    // of stream, no error, and no unexpected bytes that would desynchronise the
    // next exchange; on TLS, no record at all: a close_notify or a late
    // message from the server makes it unusable too). For the pool of idle
    // server connections.
    bool idle_and_open() noexcept;
    // Pending operations complete with operation_aborted.
    void cancel() noexcept;
    // Closes the connection; `graceful`: at the end of an exchange, so a TLS
    // connection sends its close_notify first.
    void close(bool graceful = false) noexcept;

    // AsyncStream, for Beast and Asio's composed operations.
    // (Another kind of connection reads into, and writes from, the first
    // non-empty buffer of the sequence: a partial read or write, as allowed.)
    template <class Buffers, class Token>
    auto async_read_some(const Buffers& b, Token&& token) {
        if (ssl_)
            return boost::asio::async_compose<Token, void(error_code, std::size_t)>(
                tls_op{this, first_of<boost::asio::mutable_buffer>(b).data(),
                       first_of<boost::asio::mutable_buffer>(b).size(), false},
                token, socket_);
        if (other_)
            return boost::asio::async_initiate<Token, void(error_code, std::size_t)>(
                [s = other_.get()](auto h, boost::asio::mutable_buffer m) { s->async_read_some(m, std::move(h)); },
                token, first_of<boost::asio::mutable_buffer>(b));
        return socket_.async_read_some(b, std::forward<Token>(token));
    }
    template <class Buffers, class Token>
    auto async_write_some(const Buffers& b, Token&& token) {
        if (ssl_)
            return boost::asio::async_compose<Token, void(error_code, std::size_t)>(
                tls_op{this, const_cast<void*>(first_of<boost::asio::const_buffer>(b).data()),
                       first_of<boost::asio::const_buffer>(b).size(), true},
                token, socket_);
        if (other_)
            return boost::asio::async_initiate<Token, void(error_code, std::size_t)>(
                [s = other_.get()](auto h, boost::asio::const_buffer c) { s->async_write_some(c, std::move(h)); },
                token, first_of<boost::asio::const_buffer>(b));
        return socket_.async_write_some(b, std::forward<Token>(token));
    }

    // Waits for bytes and reads some; eof at the end of the stream.
    boost::asio::awaitable<std::tuple<error_code, std::size_t>> read_some(boost::asio::mutable_buffer b);
    // Reads what is there without waiting: bytes (> 0), 0 when nothing is there
    // yet, or an error in `ec` (eof at the end of the stream).
    std::size_t read_ready(void* out, std::size_t n, error_code& ec) noexcept;
    // Writes all of `out`. With `more`, more of this message follows at once:
    // the bytes may wait for it (MSG_MORE), to leave as one segment and wake the
    // peer once; whoever corks calls uncork() before waiting on anything else.
    // A whole message (`more` false) written at once is followed by one post,
    // so that other sessions run before the read of its answer (which then
    // finds the answer there instead of costing an empty read and a wait).
    boost::asio::awaitable<std::tuple<error_code, std::size_t>>
    write(std::array<boost::asio::const_buffer, 2> out, bool more);
    // Sends what a write with `more` left waiting.
    void uncork() noexcept;
    boost::asio::awaitable<error_code> wait_readable();
    boost::asio::awaitable<error_code> wait_writable();

    // splice(2): bytes between the connection and a pipe, never through user
    // space. A kind of connection without a descriptor of plain bytes (TLS)
    // says false, and the relay copies instead.
    bool can_splice() const noexcept { return !other_ && !ssl_; }
    // Plain TCP: socket() is the connection.
    bool is_plain() const noexcept { return !other_ && !ssl_; }
    // Moves up to n bytes into the pipe without waiting: bytes (> 0), 0 when
    // nothing is there yet (or the pipe is full), or an error in `ec` (eof).
    std::size_t splice_to_pipe(int pipe_write, std::size_t n, error_code& ec) noexcept;
    // Moves up to n bytes from the pipe without waiting (`more`: more of the
    // message follows): bytes, 0 when the connection takes none now, or `ec`.
    // splice(2) has no MSG_NOSIGNAL: a peer that is gone raises SIGPIPE, which
    // the process must ignore (gateway/main.cpp does) to get EPIPE instead.
    std::size_t splice_from_pipe(int pipe_read, std::size_t n, bool more, error_code& ec) noexcept;

private:
    // One TLS read or write of some bytes: tried at once, then after each
    // readiness the descriptor reports, as OpenSSL asks.
    // A read that follows one that drained the socket waits for readability
    // first (a peek, which Asio queues without touching epoll registration)
    // instead of trying SSL_read, failing, and waiting: one system call less
    // per request on a kept-alive connection, whose next request comes later.
    struct tls_op {
        transport* t;
        void* data; // (read only, for a write)
        std::size_t size;
        bool writing;
        bool started = false;
        template <class Self>
        void operator()(Self& self, error_code ec = {}, std::size_t = 0) {
            if (ec)
                return self.complete(ec, 0);
            if (!started) {
                started = true;
                if (!writing && size != 0 && t->tls_drained()) {
                    t->socket_.async_receive(boost::asio::buffer(&t->peek_byte_, 1),
                                             socket_type::message_peek, std::move(self));
                    return;
                }
            }
            tls_want want = tls_want::nothing;
            const std::size_t n = writing ? t->tls_write_some(data, size, ec, want)
                                          : t->tls_read_some(data, size, ec, want);
            if (n != 0 || ec || size == 0)
                return self.complete(ec, n);
            t->socket_.async_wait(want == tls_want::write ? socket_type::wait_write : socket_type::wait_read,
                                  std::move(self));
        }
    };
    // Without waiting: bytes, or 0 with `want` (what to wait for) or `ec`.
    std::size_t tls_read_some(void* out, std::size_t n, error_code& ec, tls_want& want) noexcept;
    // The last read took less than it asked and OpenSSL holds nothing more:
    // the socket was most likely emptied (OpenSSL reads ahead).
    bool tls_drained() const noexcept { return tls_drained_; }
    std::size_t tls_write_some(const void* in, std::size_t n, error_code& ec, tls_want& want) noexcept;
    boost::asio::awaitable<std::tuple<error_code, std::size_t>>
    write_tls(std::array<boost::asio::const_buffer, 2> out);

    // write() on another kind of connection: write_some until all is out.
    boost::asio::awaitable<std::tuple<error_code, std::size_t>>
    write_other(std::array<boost::asio::const_buffer, 2> out);
    template <class Buffer, class Buffers>
    static Buffer first_of(const Buffers& bs) {
        for (auto it = boost::asio::buffer_sequence_begin(bs); it != boost::asio::buffer_sequence_end(bs); ++it)
            if (Buffer(*it).size() != 0)
                return Buffer(*it);
        return Buffer();
    }

    socket_type socket_;
    socket_type::endpoint_type peer_{}; // port 0: not known (a parked connection resumed)
    std::unique_ptr<byte_stream> other_; // null: plain TCP on socket_
    ssl_st* ssl_ = nullptr;              // owned; not null: TLS on socket_
    bool tls_drained_ = false;
    char peek_byte_ = 0; // where a readiness peek puts the byte it does not take
};

} // namespace gw
