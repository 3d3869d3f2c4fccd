#include "gateway/upstream/backend.hpp"

#include <limits>

namespace gw {

const char* to_string(server_admin a) noexcept {
    switch (a) {
    case server_admin::ready:
        return "ready";
    case server_admin::drain:
        return "drain";
    case server_admin::maint:
        return "maint";
    }
    return "?";
}

backend_state::backend_state(const config::backend_config& cfg,
                             std::vector<boost::asio::ip::tcp::endpoint> endpoints, std::size_t workers)
    : name_(cfg.name), balance_(cfg.balance), queue_limit_(cfg.queue_limit),
      per_worker_(std::make_unique<backend_worker_part[]>(workers)) {
    for (std::size_t w = 0; w < workers; ++w)
        per_worker_[w].rr.offset = w; // (workers do not start the round-robin in step)
    for (std::size_t i = 0; i < cfg.servers.size(); ++i) {
        auto s = std::make_unique<server_state>();
        s->per_worker = std::make_unique<server_worker_part[]>(workers);
        for (std::size_t w = 0; w < workers; ++w)
            s->idle(w).limit(cfg.keepalive_pool);
        s->name = cfg.servers[i].name;
        s->endpoint = endpoints.at(i);
        s->weight = cfg.servers[i].weight;
        s->config_weight = cfg.servers[i].weight;
        s->maxconn = cfg.servers[i].maxconn;
        s->tls = cfg.servers[i].tls;
        s->tls_server_name = cfg.servers[i].tls_server_name;
        servers_.push_back(std::move(s));
    }
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

int backend_state::pick_roundrobin(round_robin_state& rr, int exclude) noexcept {
    const std::size_t n = servers_.size();
    if (rr.current.size() != n) { // first use: once per worker and backend
        rr.current.assign(n, 0);
        for (; rr.offset != 0; --rr.offset) {
            long total = 0;
            std::size_t best = 0;
            for (std::size_t i = 0; i < n; ++i) {
                const long w = servers_[i]->weight.load(std::memory_order_relaxed);
                rr.current[i] += w;
                total += w;
                if (rr.current[i] > rr.current[best])
                    best = i;
            }
            rr.current[best] -= total;
        }
    }
    // A server that lost its last slot to another worker between the look and
    // the take is full on the next round, and left out of it.
    for (std::size_t attempt = 0; attempt <= n; ++attempt) {
        long total = 0;
        int best = -1;
        for (std::size_t i = 0; i < n; ++i) {
            const server_state& s = *servers_[i];
            if (static_cast<int>(i) == exclude || !s.serving())
                continue;
            if (s.maxconn != 0 && s.active.load(std::memory_order_relaxed) >= s.maxconn)
                continue;
            const long w = s.weight.load(std::memory_order_relaxed);
            rr.current[i] += w;
            total += w;
            if (best < 0 || rr.current[i] > rr.current[static_cast<std::size_t>(best)])
                best = static_cast<int>(i);
        }
        if (best < 0)
            return -1;
        rr.current[static_cast<std::size_t>(best)] -= total;
        if (take_slot(*servers_[static_cast<std::size_t>(best)]))
            return best;
    }
    return -1;
}

int backend_state::pick_leastconn(int exclude) noexcept {
    for (int attempt = 0; attempt < 4; ++attempt) {
        int best = -1;
        double best_load = std::numeric_limits<double>::max();
        for (std::size_t i = 0; i < servers_.size(); ++i) {
            server_state& s = *servers_[i];
            if (static_cast<int>(i) == exclude || !s.serving())
                continue;
            const std::size_t active = s.active.load(std::memory_order_relaxed);
            if (s.maxconn != 0 && active >= s.maxconn)
                continue;
            const double load = static_cast<double>(active + 1) / s.weight.load(std::memory_order_relaxed);
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

int backend_state::try_take(round_robin_state& rr, int exclude) noexcept {
    // Newcomers do not overtake queued sessions (FIFO fairness).
    if (queued_.load() != 0)
        return -1;
    return balance_ == config::balance_mode::leastconn ? pick_leastconn(exclude)
                                                       : pick_roundrobin(rr, exclude);
}

bool backend_state::has_usable_server() const noexcept {
    for (const auto& s : servers_)
        if (s->serving())
            return true;
    return false;
}

void backend_state::clear_idle(std::size_t w) noexcept {
    for (auto& s : servers_)
        s->idle(w).clear();
}

void backend_state::set_admin(std::size_t server, server_admin a) noexcept {
    servers_[server]->admin.store(a);
    dispatch();
}

void backend_state::set_weight(std::size_t server, unsigned weight) noexcept {
    servers_[server]->weight.store(weight);
    dispatch();
}

void backend_state::dispatch() noexcept {
    if (queued_.load() == 0)
        return;
    std::lock_guard lock(mutex_);
    dispatch_locked();
}

void backend_state::release(std::size_t server) noexcept {
    servers_[server]->active.fetch_sub(1);
    // seq_cst pairs with enqueue's increment: either we see the waiter here, or
    // its own dispatch sees the slot we just freed.
    dispatch();
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
    while (!waiting_.empty()) {
        const int s = balance_ == config::balance_mode::leastconn ? pick_leastconn(-1)
                                                                  : pick_roundrobin(dispatch_rr_, -1);
        if (s < 0)
            return;
        queue_waiter& w = waiting_.front();
        waiting_.pop_front();
        queued_.fetch_sub(1);
        w.grant(static_cast<std::size_t>(s));
    }
}

} // namespace gw
