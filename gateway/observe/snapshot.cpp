#include "gateway/observe/snapshot.hpp"

#include "gateway/upstream/backend.hpp"

namespace gw {

backend_snapshot snapshot_of(backend_state& b) {
    backend_snapshot out;
    out.queued = b.queued();
    out.queue_timeouts = b.queue_timeouts();
    out.servers.reserve(b.server_count());
    for (std::size_t i = 0; i < b.server_count(); ++i) {
        const server_state& s = b.server(i);
        out.servers.push_back(server_snapshot{
            s.name, s.endpoint.address().to_string() + ":" + std::to_string(s.endpoint.port()),
            s.weight, s.maxconn, s.active.load(), s.up.load(), s.requests.load(), s.connects.load(),
            s.health_checks.load(), s.connect_failures.load()});
    }
    return out;
}

} // namespace gw
