#pragma once
// Reads a message head from a transport into its pool buffer and parses it,
// as Beast's async_read_header does but without its composed operations: a
// head already in the buffer is parsed with no I/O at all.

#include <cstddef>
#include <tuple>

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/system/error_code.hpp>

#include "gateway/io/transport.hpp"
#include "gateway/relay/pool_buffer.hpp"

namespace gw {

using request_parser = boost::beast::http::request_parser<boost::beast::http::buffer_body>;
using response_parser = boost::beast::http::response_parser<boost::beast::http::buffer_body>;

// Returns the bytes of the head (the parser took exactly those; they are
// consumed from `b` once the head is whole) and an error: buffer_overflow when
// the head does not fit `b`, end_of_stream when the peer closed before a byte,
// a parse error, or the transport's. Instantiated for both parsers above.
template <class Parser>
boost::asio::awaitable<std::tuple<boost::system::error_code, std::size_t>>
read_head(transport& s, pool_buffer& b, Parser& p);

} // namespace gw
