#include "gateway/relay/body.hpp"

#include <algorithm>
#include <cstring>
#include <iterator>
#include <string>
#include <tuple>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>

#include "gateway/http1/framing.hpp"
#include "gateway/http1/head.hpp"
#include "gateway/relay/raw.hpp"
#include "gateway/io/use_tuple.hpp"

namespace gw {

namespace net = boost::asio;
namespace http = boost::beast::http;
using error_code = boost::system::error_code;

template <bool IsRequest>
net::awaitable<body_result> relay_body_framed(http::parser<IsRequest, http::buffer_body>& parser,
                                              const leg& l);
template <class Fields>
net::awaitable<body_result> write_trailers(Fields first, Fields last, std::size_t head_fields,
                                           const leg& l);

template <bool IsRequest>
net::awaitable<body_result>
relay_body(http::parser<IsRequest, http::buffer_body>& parser, const leg& l) {
    auto* const p = &parser;
    pool_buffer* const in = l.in;
    auto& m = p->get();
    char* const bounce = l.bounce();
    // A body of known length (or none): the head goes out as one block from the
    // bounce area, with the body bytes already read, in one write; the rest of
    // the body moves raw. Chunked and close-delimited bodies take Beast's way, as
    // does a bodyless request sent again after its buffer went back (stale retry).
    // A message with no body at all (a response to HEAD, 204, 304) goes this
    // way even when it says chunked: Beast's serializer would add a last-chunk
    // that the peer, expecting no body, would read as the next message.
    if (bounce != nullptr && (p->is_done() || (!m.chunked() && p->content_length()))) {
        if (const std::size_t head = serialize_head(m, bounce, l.body_area)) {
            std::uint64_t remaining = p->is_done() ? 0 : *p->content_length();
            const auto first = static_cast<std::size_t>(std::min<std::uint64_t>(in->size(), remaining));
            const bool more = remaining > first;
            l.dl->arm(l.send_timeout, deadline_kind::send);
            auto [ec, n] = co_await l.to->write(
                {net::buffer(bounce, head), net::buffer(in->data().data(), first)}, more);
            if (l.bytes_out != nullptr)
                *l.bytes_out += n;
            if (ec)
                co_return body_result{body_result::failed::write, ec};
            in->consume(first);
            remaining -= first;
            if (remaining == 0)
                co_return body_result{};
            co_return co_await relay_raw(remaining, more, l);
        }
    }
    co_return co_await relay_body_framed(*p, l);
}

// (A coroutine of its own: Beast's serializer makes its frame too big for Asio's
// frame recycling, and the common case above should not allocate it.)
template <bool IsRequest>
net::awaitable<body_result>
relay_body_framed(http::parser<IsRequest, http::buffer_body>& parser, const leg& l) {
    auto* const p = &parser;
    transport* const from = l.from;
    transport* const to = l.to;
    pool_buffer* const in = l.in;
    auto& m = p->get();
    // Fields parsed after this many are the chunked body's trailer section.
    const auto head_fields = static_cast<std::size_t>(std::distance(m.begin(), m.end()));
    http::serializer<IsRequest, http::buffer_body> sr{m};
    bool trailers = false;
    for (;;) {
        if (!p->is_done()) {
            l.dl->arm(l.read_timeout, l.read_kind);
            error_code ec;
            if (in->size() == 0) {
                // Nothing of the body here: wait for it with the buffer given
                // back (the parser then reads what came without another read).
                std::size_t k = 0;
                std::tie(ec, k) = co_await read_when_ready(*from, *l.buf, l.head_area);
                if (ec == net::error::eof)
                    p->put_eof(ec); // (ends a close-delimited body; else a partial message)
                if (ec)
                    co_return body_result{body_result::failed::read, ec};
                const auto room = in->prepare(k); // (empty: at the buffer's start)
                if (room.data() != l.buf->data())
                    std::memmove(room.data(), l.buf->data(), k);
                in->commit(k);
            }
            char* const bounce = l.bounce();
            m.body().data = bounce;
            m.body().size = l.body_area;
            if (!p->is_done()) {
                // read_some: forward what has arrived instead of waiting for a full bounce.
                std::size_t n = 0;
                std::tie(ec, n) = co_await http::async_read_some(*from, *in, *p, use_tuple);
                if (l.bytes_in != nullptr)
                    *l.bytes_in += n;
                if (ec == http::error::need_buffer)
                    ec = {};
                if (ec)
                    co_return body_result{body_result::failed::read, ec};
            }
            m.body().size = l.body_area - m.body().size;
            // No bytes yet: a null buffer, or the chunked serializer would emit a
            // zero-size chunk, which is the end of the body.
            m.body().data = m.body().size ? bounce : nullptr;
            trailers = p->is_done() && m.chunked() &&
                       static_cast<std::size_t>(std::distance(m.begin(), m.end())) > head_fields;
            // With trailers the last chunk is ours to write, after the data.
            m.body().more = !p->is_done() || trailers;
        } else {
            m.body().data = nullptr;
            m.body().size = 0;
            m.body().more = false;
        }
        l.dl->arm(l.send_timeout, deadline_kind::send);
        auto [ec, n] = co_await http::async_write(*to, sr, use_tuple);
        if (l.bytes_out != nullptr)
            *l.bytes_out += n;
        if (ec == http::error::need_buffer)
            ec = {};
        if (ec)
            co_return body_result{body_result::failed::write, ec};
        if (p->is_done() && (sr.is_done() || trailers))
            break;
        // Head and first bytes are out; the rest of a Content-Length body needs no
        // parsing: move it raw, through the whole buffer, without the bounce copy.
        if (!p->is_done() && sr.is_header_done() && !m.chunked() && p->content_length_remaining())
            co_return co_await relay_raw(*p->content_length_remaining(), false, l);
    }
    if (trailers)
        co_return co_await write_trailers(m.begin(), m.end(), head_fields, l);
    co_return body_result{};
}

// last-chunk, the trailer fields (those after the first `head_fields`, and
// only those allowed in a trailer), then the empty line (RFC 9112 7.1.2).
template <class Fields>
net::awaitable<body_result> write_trailers(Fields first, Fields last, std::size_t head_fields,
                                           const leg& l) {
    std::string block = "0\r\n";
    std::size_t i = 0;
    for (auto f = first; f != last; ++f) {
        if (i++ < head_fields || !allowed_in_trailer(f->name_string()))
            continue;
        block.append(f->name_string()).append(": ").append(f->value()).append("\r\n");
    }
    block += "\r\n";
    l.dl->arm(l.send_timeout, deadline_kind::send);
    auto [ec, n] = co_await net::async_write(*l.to, net::buffer(block), use_tuple);
    if (l.bytes_out != nullptr)
        *l.bytes_out += n;
    if (ec)
        co_return body_result{body_result::failed::write, ec};
    co_return body_result{};
}

template net::awaitable<body_result> relay_body<true>(http::parser<true, http::buffer_body>&, const leg&);
template net::awaitable<body_result> relay_body<false>(http::parser<false, http::buffer_body>&, const leg&);

net::awaitable<error_code> write_head_alone(transport& to, http::response<http::buffer_body>& m) {
    http::response_serializer<http::buffer_body> sr{m};
    auto [ec, n] = co_await http::async_write_header(to, sr, use_tuple);
    co_return ec;
}

} // namespace gw
