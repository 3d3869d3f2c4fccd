#pragma once
// From the addresses each server entry of a backend stands for now (an IP
// literal: itself; a name: what DNS answered) to the backend's servers. A server
// that keeps its name and address is the same object in the next set, so its
// counters, pooled connections, health and admin state carry on; the others are
// made new, and the ones missing from the next set drain (backend_state).

#include <cstddef>
#include <string>
#include <vector>

#include <boost/asio/ip/tcp.hpp>

#include "config/config.hpp"
#include "gateway/upstream/backend.hpp"

namespace gw {

// What one entry (config::server_config) stands for now.
struct entry_addresses {
    std::vector<boost::asio::ip::tcp::endpoint> endpoints;
    std::vector<std::string> hosts; // SRV: each endpoint's target host name; else empty

    friend bool operator==(const entry_addresses&, const entry_addresses&) = default;
};

// "10.1.2.3:8080", "[fd00::1]:8080".
std::string endpoint_text(const boost::asio::ip::tcp::endpoint& ep);

// The name of the server entry `cfg` makes at `ep`: the entry's own name when it
// stands for one address (an IP literal, discover "off" or "one"), else
// "name@address:port" (discover "all", SRV), which stays the same while that
// address stays in the answers.
std::string server_name(const config::server_config& cfg, const boost::asio::ip::tcp::endpoint& ep);

// Backend `cfg`'s servers for `addresses` (one per cfg.servers entry, in order),
// reusing those of `current` (may be null) that keep their name, address and
// settings (maxconn, TLS; a new weight is taken over) unless `reuse` is false.
// A server made anew in place of one of the same name takes over its counters.
// The servers made new are appended to `made`.
std::vector<server_ptr> servers_for(const config::backend_config& cfg,
                                    const std::vector<entry_addresses>& addresses, const server_set* current,
                                    std::size_t workers, std::vector<server_ptr>& made, bool reuse = true);

} // namespace gw
