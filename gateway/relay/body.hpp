#pragma once
// A message body from one leg's source to its destination, after its head:
// the head of a body of known length (or of none) goes out as one block with
// the body bytes already read, the rest moves raw (relay/raw); chunked and
// close-delimited bodies go through Beast's parser and serializer, trailers
// filtered (RFC 9112 7.1.2, RFC 9110 6.5.1). Instantiated for requests and
// responses.

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>

#include "gateway/relay/leg.hpp"

namespace gw {

template <bool IsRequest>
boost::asio::awaitable<body_result>
relay_body(boost::beast::http::parser<IsRequest, boost::beast::http::buffer_body>& p, const leg& l);

// Writes a response head alone, as the server sent it (an interim 1xx, a 101
// before the tunnel), through Beast's serializer. The caller arms the deadline.
boost::asio::awaitable<boost::system::error_code>
write_head_alone(transport& to, boost::beast::http::response<boost::beast::http::buffer_body>& m);

} // namespace gw
