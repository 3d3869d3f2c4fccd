#include "gateway/relay/raw.hpp"

#include <algorithm>
#include <tuple>

#include <boost/asio/buffer.hpp>

namespace gw {

namespace net = boost::asio;
using error_code = boost::system::error_code;

net::awaitable<body_result>
relay_raw(std::uint64_t remaining, bool corked, const leg& l) {
    transport* const from = l.from;
    transport* const to = l.to;
    pool_buffer* const in = l.in;
    const std::size_t capacity = l.head_area + l.body_area;
    while (remaining != 0) {
        std::size_t n = 0;
        const char* data = nullptr;
        const bool from_in = in->size() != 0;
        if (from_in) {
            // Bytes the parser has not seen yet belong to this body first.
            n = static_cast<std::size_t>(std::min<std::uint64_t>(in->size(), remaining));
            data = static_cast<const char*>(in->data().data());
        } else if (l.pipes != nullptr && from->can_splice() && to->can_splice() && remaining > capacity) {
            // Larger than the buffer: the rest need not pass through it at
            // all, and the buffer, empty, goes back to the pool meanwhile.
            if (const auto pipe = l.pipes->take()) {
                l.buf->give_back();
                const auto r = co_await relay_splice(remaining, corked, pipe, l);
                l.pipes->give(pipe, r.stage == body_result::failed::nothing);
                co_return r;
            }
            continue; // no pipe to be had: through the buffer after all
        } else {
            // Never read past this body: what follows stays in the socket.
            const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(capacity, remaining));
            error_code ec;
            const bool try_first = corked && l.buf->data() != nullptr;
            if (try_first) {
                // The last write waits for this one: if the bytes are here, they
                // join it; if not, it goes now, before we wait for them.
                n = from->read_ready(l.buf->data(), want, ec);
            }
            if (n == 0 && !ec) {
                if (corked) {
                    to->uncork();
                    corked = false;
                }
                // (The buffer goes back while the bytes are not there.)
                l.dl->arm(l.read_timeout, l.read_kind);
                std::tie(ec, n) = co_await read_when_ready(*from, *l.buf, want, try_first);
            }
            if (l.bytes_in != nullptr)
                *l.bytes_in += n;
            if (ec) // (an early EOF: a truncated body, the connection just closes)
                co_return body_result{body_result::failed::read, ec};
            data = l.buf->data();
        }
        corked = remaining > n; // (the last piece pushes the whole message out)
        l.dl->arm(l.send_timeout, deadline_kind::send);
        auto [ec, put] = co_await to->write({net::buffer(data, n), net::const_buffer{}}, corked);
        if (l.bytes_out != nullptr)
            *l.bytes_out += put;
        if (ec)
            co_return body_result{body_result::failed::write, ec};
        if (from_in)
            in->consume(n);
        remaining -= n;
    }
    co_return body_result{};
}

net::awaitable<body_result>
relay_splice(std::uint64_t remaining, bool corked, pipe_fds pipe, const leg& l) {
    transport* const from = l.from;
    transport* const to = l.to;
    using failed = body_result::failed;
    std::size_t in_pipe = 0;
    while (remaining != 0 || in_pipe != 0) {
        if (remaining != 0) {
            // Never more than this body: what follows stays in the socket.
            const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(remaining, 1u << 20));
            error_code ec;
            const std::size_t n = from->splice_to_pipe(pipe.write, want, ec);
            if (ec) // (eof: a truncated body)
                co_return body_result{failed::read, ec};
            if (n > 0) {
                remaining -= n;
                in_pipe += n;
                if (l.bytes_in != nullptr)
                    *l.bytes_in += n;
            } else if (in_pipe == 0) {
                // Nothing to read and nothing to write: wait for the source,
                // after pushing out what the last SPLICE_F_MORE held back.
                if (corked) {
                    to->uncork();
                    corked = false;
                }
                l.dl->arm(l.read_timeout, l.read_kind);
                // (Not inside the if: g++ 12 fails on a co_await in a condition's init.)
                const auto wec = co_await from->wait_readable();
                if (wec)
                    co_return body_result{failed::read, wec};
                continue;
            } // else the pipe is full, or the socket empty: drain the pipe first
        }
        if (in_pipe != 0) {
            error_code ec;
            const std::size_t n = to->splice_from_pipe(pipe.read, in_pipe, remaining != 0, ec);
            if (ec)
                co_return body_result{failed::write, ec};
            if (n > 0) {
                in_pipe -= n;
                corked = remaining != 0;
                *l.spliced_bytes += n;
                if (l.bytes_out != nullptr)
                    *l.bytes_out += n;
            } else {
                l.dl->arm(l.send_timeout, deadline_kind::send);
                const auto wec = co_await to->wait_writable();
                if (wec)
                    co_return body_result{failed::write, wec};
            }
        }
    }
    co_return body_result{};
}

} // namespace gw
