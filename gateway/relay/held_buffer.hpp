#pragma once
// A relay's buffer, held only while it holds bytes (the seed's rule): a relay
// about to wait on a connection with nothing in its buffer gives the buffer
// back, waits holding nothing, and takes one again once bytes are there. So a
// slow upload, a trickling stream or an idle WebSocket pins no pool memory.
// The owner (the session) decides which pool and class the buffer comes from;
// the relay only reads into it.

#include <cstddef>
#include <tuple>

#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>

#include "gateway/io/transport.hpp"

namespace gw {

class held_buffer {
public:
    // The buffer's memory; null while none is held.
    virtual char* data() const noexcept = 0;
    // Gives the buffer back (its bytes are relayed, it holds nothing): the
    // owner also points its dynamic buffer (a leg's `in`) away from it.
    virtual void give_back() noexcept = 0;
    // Takes a buffer again (at once when one is free) and points the owner's
    // dynamic buffer at it, empty; false when none could be had (the wait was
    // cancelled: a timeout, an abort, or cancel_take()).
    virtual boost::asio::awaitable<bool> take() = 0;
    // Ends a take() that waits for a buffer: the relay that would use it is over.
    virtual void cancel_take() noexcept = 0;

protected:
    ~held_buffer() = default;
};

// Reads what `from` has, at most `want` bytes, into `buf` (from its start),
// waiting for it with no buffer held: a non-blocking read first when a buffer
// is held (the bytes are often there already), else the buffer goes back for
// the wait and is taken again when `from` is readable. Returns the bytes read
// (> 0), or an error: the read's, the wait's, or no_buffer_space when no
// buffer could be taken again. buf.data() is where the bytes are. `tried`:
// the caller's own non-blocking read just found nothing (no second one then).
boost::asio::awaitable<std::tuple<boost::system::error_code, std::size_t>>
read_when_ready(transport& from, held_buffer& buf, std::size_t want, bool tried = false);

} // namespace gw
