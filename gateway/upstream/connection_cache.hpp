#pragma once
// One worker's idle, kept-alive server connections, per backend and server,
// plain or TLS (a TLS one keeps its OpenSSL state, so that reusing it costs no
// handshake). Not shared between workers (a connection never changes thread),
// so no locking.

#include <chrono>
#include <cstddef>
#include <optional>
#include <vector>

#include "gateway/io/transport.hpp"

namespace gw {

class connection_cache {
public:
    // `servers[b]` is the number of servers of backend b; at most `keep[b]` idle
    // connections are kept per server of backend b.
    connection_cache(std::vector<std::size_t> servers, std::vector<std::size_t> keep);

    // The most recently used idle connection that still looks open, or nullopt.
    // Connections the server closed meanwhile are dropped on the way.
    std::optional<transport> take(std::size_t backend, std::size_t server);

    // Keeps `c` for reuse, or closes it when the server's cache is full.
    void put(std::size_t backend, std::size_t server, transport c);

    // Closes the idle connections to one server (it was drained or disabled).
    void drop(std::size_t backend, std::size_t server);

    void clear(); // closes every idle connection (shutdown)

private:
    struct idle_connection {
        transport connection;
        std::chrono::steady_clock::time_point since;
    };
    std::vector<std::vector<std::vector<idle_connection>>> idle_;
    std::vector<std::size_t> keep_;
};

} // namespace gw
