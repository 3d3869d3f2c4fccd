#pragma once
// An Upgrade (WebSocket) tunnel: after a 101, bytes both ways until either
// side closes or nothing moves for the idle timeout. Each direction holds its
// buffer only while bytes pass: an idle WebSocket pins no pool memory.

#include <chrono>
#include <cstddef>

#include <boost/asio/awaitable.hpp>

#include "gateway/io/deadline.hpp"
#include "gateway/io/transport.hpp"
#include "gateway/relay/held_buffer.hpp"
#include "gateway/relay/pool_buffer.hpp"

namespace gw {

struct tunnel_ends {
    transport* client = nullptr;
    transport* server = nullptr;
    // Bytes read behind the heads, which belong to the tunnel (null: none).
    pool_buffer* client_left = nullptr;
    pool_buffer* server_left = nullptr;
    // One buffer per direction, `size` bytes each, held only while it holds
    // bytes: an idle tunnel holds none.
    held_buffer* upstream = nullptr;   // client -> server
    held_buffer* downstream = nullptr; // server -> client
    std::size_t size = 0;
    deadline* dl = nullptr;
    std::chrono::steady_clock::duration idle{}; // timeouts.tunnel, per read
    std::chrono::steady_clock::duration send{}; // the leftovers' writes
};

// Returns when either side closed or failed, or the tunnel stayed idle.
boost::asio::awaitable<void> relay_tunnel(const tunnel_ends& t);

} // namespace gw
