#include "gateway/upstream/backend.hpp"

#include <limits>

namespace gw {

namespace {
// Smooth weighted round-robin (as nginx does it), unrolled once into a schedule so
// that each worker only keeps a cursor: {5,1,1} -> a a b a c a a.
std::vector<std::size_t> smooth_schedule(const std::vector<unsigned>& weights) {
    std::vector<std::size_t> out;
    long total = 0;
    for (unsigned w : weights)
        total += w;
    std::vector<long> current(weights.size(), 0);
    for (long n = 0; n < total; ++n) {
        std::size_t best = 0;
        for (std::size_t i = 0; i < weights.size(); ++i) {
            current[i] += weights[i];
            if (current[i] > current[best])
                best = i;
        }
        current[best] -= total;
        out.push_back(best);
    }
    return out;
}
} // namespace

backend_state::backend_state(const config::backend_config& cfg,
                             std::vector<boost::asio::ip::tcp::endpoint> endpoints)
    : name_(cfg.name), balance_(cfg.balance), queue_limit_(cfg.queue_limit) {
    std::vector<unsigned> weights;
    for (std::size_t i = 0; i < cfg.servers.size(); ++i) {
        auto s = std::make_unique<server_state>();
        s->name = cfg.servers[i].name;
        s->endpoint = endpoints.at(i);
        s->weight = cfg.servers[i].weight;
        s->maxconn = cfg.servers[i].maxconn;
        servers_.push_back(std::move(s));
        weights.push_back(cfg.servers[i].weight);
    }
    schedule_ = smooth_schedule(weights);
}

bool backend_state::take_slot(server_state& s) noexcept {
    if (s.maxconn == 0) {
        s.active.fetch_add(1);
        return true;
    }
    std::size_t cur = s.active.load();
    while (cur < s.maxconn)
        if (s.active.compare_exchange_weak(cur, cur + 1))
            return true;
    return false;
}

int backend_state::pick_roundrobin(std::size_t& cursor, int exclude) noexcept {
    const std::size_t n = schedule_.size();
    for (std::size_t tried = 0; tried < n; ++tried) {
        const std::size_t i = schedule_[cursor++ % n];
        server_state& s = *servers_[i];
        if (static_cast<int>(i) == exclude || !s.up.load(std::memory_order_relaxed))
            continue;
        if (take_slot(s))
            return static_cast<int>(i);
    }
    return -1;
}

int backend_state::pick_leastconn(int exclude) noexcept {
    for (int attempt = 0; attempt < 4; ++attempt) {
        int best = -1;
        double best_load = std::numeric_limits<double>::max();
        for (std::size_t i = 0; i < servers_.size(); ++i) {
            server_state& s = *servers_[i];
            if (static_cast<int>(i) == exclude || s.weight == 0 || !s.up.load(std::memory_order_relaxed))
                continue;
            const std::size_t active = s.active.load(std::memory_order_relaxed);
            if (s.maxconn != 0 && active >= s.maxconn)
                continue;
            const double load = static_cast<double>(active + 1) / s.weight;
            if (load < best_load) {
                best_load = load;
                best = static_cast<int>(i);
            }
        }
        if (best < 0)
            return -1;
        if (take_slot(*servers_[static_cast<std::size_t>(best)]))
            return best;
    }
    return -1;
}

int backend_state::try_take(std::size_t& cursor, int exclude) noexcept {
    // Newcomers do not overtake queued sessions (FIFO fairness).
    if (queued_.load() != 0)
        return -1;
    return balance_ == config::balance_mode::leastconn ? pick_leastconn(exclude)
                                                       : pick_roundrobin(cursor, exclude);
}

bool backend_state::has_usable_server() const noexcept {
    for (const auto& s : servers_)
        if (s->weight != 0 && s->up.load(std::memory_order_relaxed))
            return true;
    return false;
}

void backend_state::release(std::size_t server) noexcept {
    servers_[server]->active.fetch_sub(1);
    // seq_cst pairs with enqueue's increment: either we see the waiter here, or
    // its own dispatch sees the slot we just freed.
    if (queued_.load() == 0)
        return;
    std::lock_guard lock(mutex_);
    dispatch_locked();
}

bool backend_state::enqueue(queue_waiter& w) noexcept {
    std::lock_guard lock(mutex_);
    if (queue_limit_ != 0 && queued_.load() >= queue_limit_)
        return false;
    waiting_.push_back(w);
    queued_.fetch_add(1);
    dispatch_locked();
    return true;
}

bool backend_state::cancel(queue_waiter& w) noexcept {
    std::lock_guard lock(mutex_);
    if (!w.is_linked())
        return false;
    waiting_.erase(waiting_.iterator_to(w));
    queued_.fetch_sub(1);
    return true;
}

void backend_state::dispatch_locked() noexcept {
    std::size_t& cursor = dispatch_cursor_;
    while (!waiting_.empty()) {
        const int s = balance_ == config::balance_mode::leastconn ? pick_leastconn(-1)
                                                                  : pick_roundrobin(cursor, -1);
        if (s < 0)
            return;
        queue_waiter& w = waiting_.front();
        waiting_.pop_front();
        queued_.fetch_sub(1);
        w.grant(static_cast<std::size_t>(s));
    }
}

} // namespace gw
