#pragma once
// One worker's idle, kept-alive connections to one server, plain or TLS (a TLS
// one keeps its OpenSSL state, so that reusing it costs no handshake). Each
// server keeps one of these per worker (upstream/backend.hpp): a connection
// never changes thread, so no locking, and the list lives as long as the
// server does, whatever configuration generation the exchanges run on.
//
// Sized by demand, not by a constant: the most recently used connection is
// taken first, so under a steady load the same few stay hot and those beyond
// what the load needs sit unused at the old end, where expire() closes them
// once they have been idle for the backend's keepalive_timeout. The list thus
// holds about as many connections as exchanges ran at once lately, up to the
// `keepalive_pool` cap (HAProxy keeps idle server connections the same way,
// purging unused ones on a delay). A ring: room grows by doubling when a peak
// needs it, and is kept, so that putting one back does not allocate.

#include <chrono>
#include <cstddef>
#include <optional>
#include <vector>

#include "gateway/io/transport.hpp"

namespace gw {

class idle_connections {
public:
    using clock = std::chrono::steady_clock;

    // At most `keep` connections are kept (0: none).
    void limit(std::size_t keep);

    // The most recently used idle connection that still looks open, or nullopt.
    // Connections the server closed meanwhile are dropped on the way.
    std::optional<transport> take();

    // Keeps `c` for reuse, or closes it when the list is at its cap.
    void put(transport c, clock::time_point now = clock::now());

    // Closes the connections idle for `max_idle` or more at `now`, oldest
    // first; returns how many.
    std::size_t expire(clock::time_point now, clock::duration max_idle) noexcept;

    // Closes them all (the server was drained or disabled; the worker drains).
    void clear() noexcept;

    std::size_t size() const noexcept { return count_; }

private:
    struct idle_connection {
        transport connection;
        clock::time_point since;
    };
    // The i-th oldest (the ring's size is a power of two).
    std::optional<idle_connection>& slot(std::size_t i) noexcept {
        return ring_[(head_ + i) & (ring_.size() - 1)];
    }
    void grow();
    void drop_oldest() noexcept;

    std::vector<std::optional<idle_connection>> ring_;
    std::size_t head_ = 0;  // the oldest
    std::size_t count_ = 0;
    std::size_t keep_ = 0;
};

} // namespace gw
