#pragma once
// Which proxy listener (name and address) has which slot (generation.hpp), and
// the binding of the sockets of the listeners a generation adds: at start all
// of them, on a reload those that were not running. Used by the gateway's
// constructor and then by reloads only (under the gateway's reload mutex).

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/ip/tcp.hpp>

#include "config/config.hpp"
#include "gateway/io/listener.hpp"
#include "gateway/proxy/generation.hpp"

namespace gw {

// A listening address as an endpoint (a host name resolved now, blocking).
// Throws std::runtime_error naming the address.
boost::asio::ip::tcp::endpoint listen_endpoint(const config::host_port& hp);

class listener_slots {
public:
    // At most this many slots over the process's life (shared_state's arrays).
    listener_slots(std::size_t workers, std::size_t max_slots) : workers_(workers), max_slots_(max_slots) {}

    // New sockets for a generation: per worker, (slot, socket).
    using bound = std::vector<std::vector<std::pair<std::size_t, listening_socket>>>;

    // Fills `gen`'s slots, listener_at and endpoints from its config: a
    // listener that `now` runs (null at start) keeps its slot and its sockets;
    // any other is bound now, one socket per worker, into `out`. Throws
    // std::runtime_error naming the listener (its address cannot be resolved
    // or bound, or slots ran out), and then nothing is registered and the
    // sockets bound so far close.
    void assign(const generation* now, generation& gen, bound& out);
    std::size_t count() const noexcept { return keys_.size(); }

private:
    struct key {
        std::string name;
        config::host_port listen;
        friend bool operator==(const key&, const key&) = default;
    };
    std::size_t find(const key& k) const noexcept; // count() when none has it
    // One socket per worker on `l`'s address (throws std::runtime_error naming it).
    std::vector<listening_socket> bind(const config::listener_config& l) const;

    std::size_t workers_;
    std::size_t max_slots_;
    std::vector<key> keys_; // by slot
};

} // namespace gw
