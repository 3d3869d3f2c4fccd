#pragma once
// Routing: (listener, Host, path) -> backend index, in config order, first match
// wins, then the listener's default backend. Plain C++, built once at start.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"

namespace gw {

class router {
public:
    // Resolves every name to an index; the config is validated, so every name exists.
    explicit router(const config::gateway_config& cfg);

    // Where a request goes: the route that matched (null: the listener's
    // default backend) and its backend (no_backend: the route answers itself).
    static constexpr std::size_t no_backend = static_cast<std::size_t>(-1);
    struct match {
        std::size_t backend = no_backend;
        const config::route_config* route = nullptr; // (in the config the router was built from)
    };
    // The match for a request, or nullopt (the gateway answers 404). `host` is
    // the Host field as sent (port and case are ignored); `target` the request target.
    std::optional<match> route(std::size_t listener, std::string_view host,
                               std::string_view target) const noexcept;

    // "a.example.com" matches "*.example.com" (one or more labels), never the bare
    // "example.com"; otherwise equality, case-insensitive. Exposed for tests.
    static bool host_matches(std::string_view pattern, std::string_view host) noexcept;

private:
    struct rule {
        std::optional<std::size_t> listener; // nullopt = any
        std::string host;                    // empty = any
        std::string path_prefix;
        std::size_t backend;
        const config::route_config* config; // null when it has no rules and sends to its backend
    };
    std::vector<rule> rules_;
    std::vector<std::optional<std::size_t>> default_backend_; // per listener
};

} // namespace gw
