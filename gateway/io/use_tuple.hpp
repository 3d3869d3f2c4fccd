#pragma once
// The completion token of every asynchronous operation on the hot path: the
// coroutine resumes with (error_code, result...) instead of an exception.

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace gw {

inline constexpr auto use_tuple = boost::asio::as_tuple(boost::asio::use_awaitable);

} // namespace gw
