#include "gateway/upstream/idle_connections.hpp"

namespace gw {

namespace {
// A connection back in the list for less than this is reused without the check
// (one system call per request under load): servers close idle keep-alive
// connections after seconds, not milliseconds, and the rare close in between is
// what the session's stale-connection retry is for.
constexpr auto recently_used = std::chrono::milliseconds(100);
constexpr std::size_t first_ring = 4;
} // namespace

void idle_connections::limit(std::size_t keep) {
    keep_ = keep;
    while (count_ > keep_)
        drop_oldest();
}

std::optional<transport> idle_connections::take() {
    const auto now = clock::now();
    while (count_ > 0) {
        auto& newest = slot(count_ - 1);
        transport c = std::move(newest->connection);
        const bool recent = now - newest->since < recently_used;
        newest.reset();
        --count_;
        if (recent || c.idle_and_open())
            return c;
        c.close();
    }
    return std::nullopt;
}

void idle_connections::put(transport c, clock::time_point now) {
    if (count_ >= keep_) {
        c.close();
        return;
    }
    if (count_ == ring_.size())
        grow();
    slot(count_).emplace(idle_connection{std::move(c), now});
    ++count_;
}

void idle_connections::grow() {
    std::vector<std::optional<idle_connection>> bigger(ring_.empty() ? first_ring : ring_.size() * 2);
    for (std::size_t i = 0; i < count_; ++i)
        bigger[i] = std::move(slot(i));
    ring_ = std::move(bigger);
    head_ = 0;
}

void idle_connections::drop_oldest() noexcept {
    auto& oldest = slot(0);
    oldest->connection.close();
    oldest.reset();
    head_ = (head_ + 1) & (ring_.size() - 1);
    --count_;
}

std::size_t idle_connections::expire(clock::time_point now, clock::duration max_idle) noexcept {
    std::size_t closed = 0;
    while (count_ > 0 && now - slot(0)->since >= max_idle) {
        drop_oldest();
        ++closed;
    }
    return closed;
}

void idle_connections::clear() noexcept {
    while (count_ > 0)
        drop_oldest();
    head_ = 0;
}

} // namespace gw
