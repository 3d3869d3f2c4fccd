#include "gateway/upstream/idle_connections.hpp"

namespace gw {

namespace {
// A connection back in the list for less than this is reused without the check
// (one system call per request under load): servers close idle keep-alive
// connections after seconds, not milliseconds, and the rare close in between is
// what the session's stale-connection retry is for.
constexpr auto recently_used = std::chrono::milliseconds(100);
} // namespace

void idle_connections::limit(std::size_t keep) {
    keep_ = keep;
    idle_.reserve(keep);
}

std::optional<transport> idle_connections::take() {
    const auto now = std::chrono::steady_clock::now();
    while (!idle_.empty()) {
        transport c = std::move(idle_.back().connection);
        const bool recent = now - idle_.back().since < recently_used;
        idle_.pop_back();
        if (recent || c.idle_and_open())
            return c;
        c.close();
    }
    return std::nullopt;
}

void idle_connections::put(transport c) {
    if (idle_.size() < keep_) {
        idle_.push_back({std::move(c), std::chrono::steady_clock::now()});
        return;
    }
    c.close();
}

void idle_connections::clear() {
    for (auto& c : idle_)
        c.connection.close();
    idle_.clear();
}

} // namespace gw
