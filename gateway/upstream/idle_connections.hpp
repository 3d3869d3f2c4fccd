#pragma once
// One worker's idle, kept-alive connections to one server, plain or TLS (a TLS
// one keeps its OpenSSL state, so that reusing it costs no handshake). Each
// server keeps one of these per worker (upstream/backend.hpp): a connection
// never changes thread, so no locking, and the list lives as long as the
// server does, whatever configuration generation the exchanges run on.

#include <chrono>
#include <cstddef>
#include <optional>
#include <vector>

#include "gateway/io/transport.hpp"

namespace gw {

class idle_connections {
public:
    // At most `keep` connections are kept; room for them is made now, so that
    // putting one back never allocates.
    void limit(std::size_t keep);

    // The most recently used idle connection that still looks open, or nullopt.
    // Connections the server closed meanwhile are dropped on the way.
    std::optional<transport> take();

    // Keeps `c` for reuse, or closes it when the list is full.
    void put(transport c);

    // Closes them all (the server was drained or disabled; the worker drains).
    void clear();

    std::size_t size() const noexcept { return idle_.size(); }

private:
    struct idle_connection {
        transport connection;
        std::chrono::steady_clock::time_point since;
    };
    std::vector<idle_connection> idle_;
    std::size_t keep_ = 0;
};

} // namespace gw
