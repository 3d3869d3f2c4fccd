#pragma once
// The HTTP/1 layer's vocabulary: request and response heads as Beast parses
// them. gateway/http1/ does no I/O: bytes and parsed heads in, decisions and
// bytes out (see README.md here).

#include <boost/beast/http/message.hpp>

namespace gw {

using request_head = boost::beast::http::request_header<>;
using response_head = boost::beast::http::response_header<>;

} // namespace gw
