#pragma once
// One direction of an exchange, as the body relays take it: one small struct
// instead of ten parameters. The relays move bytes from `from` to `to` and
// arm `dl` around each wait; they know no session, no worker, no config.

#include <chrono>
#include <cstddef>
#include <cstdint>

#include <boost/system/error_code.hpp>

#include "gateway/io/deadline.hpp"
#include "gateway/io/pipe_pool.hpp"
#include "gateway/io/transport.hpp"
#include "gateway/relay/held_buffer.hpp"
#include "gateway/relay/pool_buffer.hpp"

namespace gw {

struct leg {
    transport* from = nullptr;
    transport* to = nullptr;
    // What was read from `from` and not relayed yet (the head's buffer).
    pool_buffer* in = nullptr;
    // The pool buffer: [0, head_area) is what `in` reads into, the
    // body_area after it the bounce area heads and chunks are written from.
    // A relay gives it back while it waits with nothing in it, and before it
    // splices (a body spliced socket to socket needs none); buf->data() is
    // null then, and at the start for a bodyless request sent again after its
    // buffer went back.
    held_buffer* buf = nullptr;
    std::size_t head_area = 0;
    std::size_t body_area = 0;
    deadline* dl = nullptr;
    std::chrono::steady_clock::duration read_timeout{}; // each wait on `from`
    deadline_kind read_kind = deadline_kind::none;
    std::chrono::steady_clock::duration send_timeout{}; // each write that makes no progress
    std::uint64_t* bytes_in = nullptr;  // counters to add to (null: none)
    std::uint64_t* bytes_out = nullptr;
    pipe_pool* pipes = nullptr;          // null: never splice
    std::uint64_t* spliced_bytes = nullptr;

    // Where heads and chunks are written from (null while no buffer is held).
    char* bounce() const noexcept {
        char* const at = buf->data();
        return at != nullptr ? at + head_area : nullptr;
    }
};

// How a relay ended: whole, or which side failed (the caller decides the reply).
struct body_result {
    enum class failed { nothing, read, write } stage = failed::nothing;
    boost::system::error_code ec;
};

} // namespace gw
