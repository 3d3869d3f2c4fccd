#include "gateway/upstream/connection_cache.hpp"

namespace gw {

namespace {
// A connection back in the cache for less than this is reused without the check
// (one system call per request under load): servers close idle keep-alive
// connections after seconds, not milliseconds, and the rare close in between is
// what the session's stale-connection retry is for.
constexpr auto recently_used = std::chrono::milliseconds(100);
} // namespace

connection_cache::connection_cache(std::vector<std::size_t> servers, std::vector<std::size_t> keep)
    : keep_(std::move(keep)) {
    idle_.resize(servers.size());
    for (std::size_t b = 0; b < servers.size(); ++b) {
        idle_[b].resize(servers[b]);
        for (auto& v : idle_[b])
            v.reserve(keep_[b]); // no allocation when connections come back
    }
}

std::optional<transport> connection_cache::take(std::size_t backend, std::size_t server) {
    auto& v = idle_[backend][server];
    const auto now = std::chrono::steady_clock::now();
    while (!v.empty()) {
        transport c = std::move(v.back().connection);
        const bool recent = now - v.back().since < recently_used;
        v.pop_back();
        if (recent || c.idle_and_open())
            return c;
        c.close();
    }
    return std::nullopt;
}

void connection_cache::put(std::size_t backend, std::size_t server, transport c) {
    auto& v = idle_[backend][server];
    if (v.size() < keep_[backend]) {
        v.push_back({std::move(c), std::chrono::steady_clock::now()});
        return;
    }
    c.close();
}

void connection_cache::drop(std::size_t backend, std::size_t server) {
    auto& v = idle_[backend][server];
    for (auto& c : v)
        c.connection.close();
    v.clear();
}

void connection_cache::clear() {
    for (std::size_t b = 0; b < idle_.size(); ++b)
        for (std::size_t s = 0; s < idle_[b].size(); ++s)
            drop(b, s);
}

} // namespace gw
