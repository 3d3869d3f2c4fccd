#include "gateway/relay/head_reader.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>

namespace gw {

namespace net = boost::asio;
namespace http = boost::beast::http;
using error_code = boost::system::error_code;

template <class Parser>
net::awaitable<std::tuple<error_code, std::size_t>> read_head(transport& s, pool_buffer& b, Parser& p) {
    // The parser takes a head piecewise (the start line first); what it took
    // stays in the buffer until the head is whole, so that the head is one
    // contiguous block at the buffer's front for the checks that follow (a
    // consume() here would let prepare() move the rest over it).
    std::size_t parsed = 0;
    error_code ec;
    while (!p.is_header_done()) {
        if (b.size() > parsed) {
            const auto d = b.data();
            const std::size_t used =
                p.put(net::buffer(static_cast<const char*>(d.data()) + parsed, d.size() - parsed), ec);
            parsed += used;
            if (ec && ec != http::error::need_more)
                break;
            ec = {};
            if (p.is_header_done())
                break;
        }
        const std::size_t room = b.max_size() - b.size();
        if (room == 0) {
            ec = http::error::buffer_overflow; // the head does not fit: 431
            break;
        }
        auto [rec, got] = co_await s.read_some(b.prepare(room));
        if (rec == net::error::eof) {
            if (p.got_some())
                p.put_eof(ec); // a head cut short
            else
                ec = http::error::end_of_stream;
            break;
        }
        if (rec) {
            ec = rec;
            break;
        }
        b.commit(got);
    }
    b.consume(parsed);
    co_return std::tuple{ec, parsed};
}

template net::awaitable<std::tuple<error_code, std::size_t>> read_head(transport&, pool_buffer&,
                                                                       request_parser&);
template net::awaitable<std::tuple<error_code, std::size_t>> read_head(transport&, pool_buffer&,
                                                                       response_parser&);

} // namespace gw
