#pragma once
// The rest of a Content-Length body, after its head: raw bytes, never past the
// body (what follows stays in the socket), through the whole buffer or, when
// larger than a buffer and both sides can, socket to socket through a pipe.

#include <cstdint>

#include <boost/asio/awaitable.hpp>

#include "gateway/relay/leg.hpp"

namespace gw {

// `corked`: the last write to l.to went with "more to come". When it splices,
// it gives the buffer back first (l.buf) and takes none again; through the
// buffer, it gives it back while it waits for bytes (read_when_ready).
boost::asio::awaitable<body_result> relay_raw(std::uint64_t remaining, bool corked, const leg& l);

// The same through `pipe` with splice(2); the pipe is empty again when it succeeds.
boost::asio::awaitable<body_result> relay_splice(std::uint64_t remaining, bool corked,
                                                 pipe_fds pipe, const leg& l);

} // namespace gw
