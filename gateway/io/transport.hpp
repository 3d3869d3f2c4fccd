#pragma once
// A connection as bytes: the seam between the relay and the kind of connection
// (issue 13). The relay reads, reads what is ready, writes with "more to come",
// uncorks, and splices when the connection can; it never touches a descriptor.
// Plain TCP is built in; any other kind of connection is a byte_stream the
// transport delegates to (the in-memory test stream today; TLS, with no splice
// and records to flush on uncork, next), so that the relay stays as it is.
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
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>

#include "gateway/io/byte_stream.hpp"

namespace gw {

class transport {
public:
    using socket_type = boost::asio::ip::tcp::socket;
    using executor_type = socket_type::executor_type;
    using error_code = boost::system::error_code;

    explicit transport(socket_type s) noexcept : socket_(std::move(s)) {}
    explicit transport(const executor_type& ex) : socket_(ex) {}
    // A connection of another kind (`other`), on executor `ex`.
    transport(const executor_type& ex, std::unique_ptr<byte_stream> other)
        : socket_(ex), other_(std::move(other)) {}

    // The plain-TCP connection's socket, for what is not moving bytes: connect,
    // options, endpoints, and handing the connection to the server connection
    // pool or the parking lot.
    socket_type& socket() noexcept { return socket_; }
    executor_type get_executor() noexcept { return socket_.get_executor(); }
    bool is_open() const noexcept { return other_ ? other_->is_open() : socket_.is_open(); }
    // Makes this the connection `other` (a test stream; later TLS), or plain
    // TCP again with null.
    void reset(std::unique_ptr<byte_stream> other) noexcept { other_ = std::move(other); }
    // Whether an idle plain-TCP connection is still usable: a read would block
    // (no end of stream, no error, and no unexpected bytes that would
    // desynchronise the next exchange). For the pool of idle server connections.
    static bool idle_and_open(socket_type& s) noexcept;
    // Pending operations complete with operation_aborted.
    void cancel() noexcept;
    // Closes the connection (both directions first when `shutdown`).
    void close(bool shutdown = false) noexcept;

    // AsyncStream, for Beast and Asio's composed operations.
    // (Another kind of connection reads into, and writes from, the first
    // non-empty buffer of the sequence: a partial read or write, as allowed.)
    template <class Buffers, class Token>
    auto async_read_some(const Buffers& b, Token&& token) {
        if (other_)
            return boost::asio::async_initiate<Token, void(error_code, std::size_t)>(
                [s = other_.get()](auto h, boost::asio::mutable_buffer m) { s->async_read_some(m, std::move(h)); },
                token, first_of<boost::asio::mutable_buffer>(b));
        return socket_.async_read_some(b, std::forward<Token>(token));
    }
    template <class Buffers, class Token>
    auto async_write_some(const Buffers& b, Token&& token) {
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
    bool can_splice() const noexcept { return !other_; }
    // Plain TCP: socket() is the connection.
    bool is_plain() const noexcept { return !other_; }
    // Moves up to n bytes into the pipe without waiting: bytes (> 0), 0 when
    // nothing is there yet (or the pipe is full), or an error in `ec` (eof).
    std::size_t splice_to_pipe(int pipe_write, std::size_t n, error_code& ec) noexcept;
    // Moves up to n bytes from the pipe without waiting (`more`: more of the
    // message follows): bytes, 0 when the connection takes none now, or `ec`.
    // splice(2) has no MSG_NOSIGNAL: a peer that is gone raises SIGPIPE, which
    // the process must ignore (gateway/main.cpp does) to get EPIPE instead.
    std::size_t splice_from_pipe(int pipe_read, std::size_t n, bool more, error_code& ec) noexcept;

private:
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
    std::unique_ptr<byte_stream> other_; // null: plain TCP on socket_
};

} // namespace gw
