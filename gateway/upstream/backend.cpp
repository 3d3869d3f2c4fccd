#include "gateway/upstream/backend.hpp"

#include <algorithm>
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

server_ptr make_server(const config::server_config& cfg, const boost::asio::ip::tcp::endpoint& endpoint,
                       std::size_t workers, std::size_t keepalive) {
    auto s = std::make_shared<server_state>();
    s->per_worker = std::make_unique<server_worker_part[]>(workers);
    for (std::size_t w = 0; w < workers; ++w)
        s->idle(w).limit(keepalive);
    s->name = cfg.name;
    s->endpoint = endpoint;
    s->weight = cfg.weight;
    s->config_weight = cfg.weight;
    s->maxconn = cfg.maxconn;
    s->tls = cfg.tls;
    s->tls_server_name = cfg.tls_server_name;
    return s;
}

namespace {

std::vector<server_ptr> make_servers(const config::backend_config& cfg,
                                     const std::vector<boost::asio::ip::tcp::endpoint>& endpoints,
                                     std::size_t workers) {
    std::vector<server_ptr> out;
    for (std::size_t i = 0; i < cfg.servers.size(); ++i)
        out.push_back(make_server(cfg.servers[i], endpoints.at(i), workers, cfg.keepalive_pool));
    return out;
}

} // namespace

backend_state::backend_state(const config::backend_config& cfg,
                             std::vector<boost::asio::ip::tcp::endpoint> endpoints, std::size_t workers)
    : backend_state(cfg, make_servers(cfg, endpoints, workers), workers) {}

backend_state::backend_state(const config::backend_config& cfg, std::vector<server_ptr> servers,
                             std::size_t workers)
    : name_(cfg.name), balance_(cfg.balance), queue_limit_(cfg.queue_limit),
      keepalive_timeout_(cfg.keepalive_timeout.count()), workers_(workers),
      per_worker_(std::make_unique<backend_worker_part[]>(workers)) {
    auto set = std::make_shared<server_set>();
    set->servers = std::move(servers);
    set_ = std::move(set);
    for (std::size_t w = 0; w < workers; ++w) {
        per_worker_[w].rr.offset = w; // (workers do not start the round-robin in step)
        per_worker_[w].set = set_;
    }
}

server_set_ptr backend_state::servers() const {
    std::lock_guard lock(mutex_);
    return set_;
}

void backend_state::replace_servers(std::vector<server_ptr> next) {
    auto set = std::make_shared<server_set>();
    set->servers = std::move(next);
    std::lock_guard lock(mutex_);
    for (const auto& old : set_->servers) {
        bool stays = false;
        for (const auto& s : set->servers)
            stays = stays || s == old;
        if (!stays)
            old->retired.store(true);
    }
    set_ = std::move(set);
    version_.fetch_add(1, std::memory_order_release);
    dispatch_rr_ = {};
    dispatch_locked();
}

void backend_state::adopt(std::size_t w) {
    auto& part = per_worker_[w];
    server_set_ptr now;
    {
        std::lock_guard lock(mutex_);
        now = set_;
        part.version = version_.load(std::memory_order_relaxed);
    }
    if (now == part.set)
        return;
    for (const auto& s : part.set->servers)
        if (s->retired.load())
            s->idle(w).clear();
    part.set = now;
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

int backend_state::pick_roundrobin(const server_set& set, round_robin_state& rr,
                                   const server_state* exclude) noexcept {
    const auto& servers = set.servers;
    const std::size_t n = servers.size();
    if (rr.set != &set || rr.current.size() != n) { // first use, or a new set: once per worker and change
        rr.set = &set;
        rr.current.assign(n, 0);
        for (; rr.offset != 0; --rr.offset) {
            long total = 0;
            std::size_t best = 0;
            for (std::size_t i = 0; i < n; ++i) {
                const long w = servers[i]->weight.load(std::memory_order_relaxed);
                rr.current[i] += w;
                total += w;
                if (rr.current[i] > rr.current[best])
                    best = i;
            }
            if (n != 0)
                rr.current[best] -= total;
        }
    }
    // A server that lost its last slot to another worker between the look and
    // the take is full on the next round, and left out of it.
    for (std::size_t attempt = 0; attempt <= n; ++attempt) {
        long total = 0;
        int best = -1;
        for (std::size_t i = 0; i < n; ++i) {
            const server_state& s = *servers[i];
            if (&s == exclude || !s.serving())
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
        if (take_slot(*servers[static_cast<std::size_t>(best)]))
            return best;
    }
    return -1;
}

int backend_state::pick_leastconn(const server_set& set, const server_state* exclude) noexcept {
    const auto& servers = set.servers;
    for (int attempt = 0; attempt < 4; ++attempt) {
        int best = -1;
        double best_load = std::numeric_limits<double>::max();
        for (std::size_t i = 0; i < servers.size(); ++i) {
            server_state& s = *servers[i];
            if (&s == exclude || !s.serving())
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
        if (take_slot(*servers[static_cast<std::size_t>(best)]))
            return best;
    }
    return -1;
}

int backend_state::pick(const server_set& set, round_robin_state& rr, const server_state* exclude) const noexcept {
    return balance_.load(std::memory_order_relaxed) == config::balance_mode::leastconn ? pick_leastconn(set, exclude)
                                                       : pick_roundrobin(set, rr, exclude);
}

server_ptr backend_state::try_take(std::size_t w, const server_state* exclude) noexcept {
    // Newcomers do not overtake queued sessions (FIFO fairness).
    if (queued_.load() != 0)
        return nullptr;
    auto& part = per_worker_[w];
    follow(w);
    const int i = pick(*part.set, part.rr, exclude);
    if (i < 0)
        return nullptr;
    return part.set->servers[static_cast<std::size_t>(i)];
}

void backend_state::follow(std::size_t w) noexcept {
    // (A relaxed load of a word that changes only when the servers do.)
    if (per_worker_[w].version != version_.load(std::memory_order_acquire))
        adopt(w);
}

bool backend_state::report_failure(std::size_t w, server_state& s, const config::passive_health_config& c) noexcept {
    const auto now = outlier_state::clock_type::now();
    bool may_eject = false;
    if (s.outlier.would_eject(c, now)) {
        // The share: at most max_ejected_percent of the servers out at once, at least one.
        follow(w);
        const auto& servers = per_worker_[w].set->servers;
        std::size_t out = 0;
        for (const auto& x : servers)
            out += x->outlier.ejected_at(now) ? 1 : 0;
        const std::size_t allowed = std::max<std::size_t>(1, servers.size() * c.max_ejected_percent / 100);
        may_eject = out < allowed;
    }
    return s.outlier.failure(c, now, may_eject);
}

bool backend_state::try_begin_retry(std::size_t w, unsigned percent) noexcept {
    follow(w);
    std::size_t active = 0;
    for (const auto& s : per_worker_[w].set->servers)
        active += s->active.load(std::memory_order_relaxed);
    const std::size_t allowed = std::max<std::size_t>(3, active * percent / 100);
    std::size_t n = retries_in_flight_.load(std::memory_order_relaxed);
    do {
        if (n >= allowed) {
            over_budget_.fetch_add(1, std::memory_order_relaxed);
            return false;
        }
    } while (!retries_in_flight_.compare_exchange_weak(n, n + 1, std::memory_order_relaxed));
    return true;
}

bool backend_state::has_usable_server(std::size_t w) noexcept {
    follow(w);
    for (const auto& s : per_worker_[w].set->servers)
        if (s->serving())
            return true;
    return false;
}

void backend_state::clear_idle(std::size_t w) noexcept {
    for (auto& s : per_worker_[w].set->servers)
        s->idle(w).clear();
}

void backend_state::expire_idle(std::size_t w, std::chrono::steady_clock::time_point now) noexcept {
    const config::duration max_idle{keepalive_timeout_.load(std::memory_order_relaxed)};
    auto& part = per_worker_[w];
    for (auto& s : part.set->servers)
        part.counters.idle_closed += s->idle(w).expire(now, max_idle);
}

std::size_t backend_state::idle_count(std::size_t w) const noexcept {
    std::size_t n = 0;
    for (const auto& s : per_worker_[w].set->servers)
        n += s->idle(w).size();
    return n;
}

void backend_state::set_admin(server_state& s, server_admin a) noexcept {
    s.admin.store(a);
    dispatch();
}

void backend_state::set_weight(server_state& s, unsigned weight) noexcept {
    s.weight.store(weight);
    dispatch();
}

void backend_state::dispatch() noexcept {
    if (queued_.load() == 0)
        return;
    std::lock_guard lock(mutex_);
    dispatch_locked();
}

void backend_state::release(server_state& s) noexcept {
    s.active.fetch_sub(1);
    // seq_cst pairs with enqueue's increment: either we see the waiter here, or
    // its own dispatch sees the slot we just freed.
    dispatch();
}

bool backend_state::enqueue(queue_waiter& w) noexcept {
    std::lock_guard lock(mutex_);
    const std::size_t limit = queue_limit_.load(std::memory_order_relaxed);
    if (limit != 0 && queued_.load() >= limit)
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
        const int s = pick(*set_, dispatch_rr_, nullptr);
        if (s < 0)
            return;
        queue_waiter& w = waiting_.front();
        waiting_.pop_front();
        queued_.fetch_sub(1);
        w.grant(set_->servers[static_cast<std::size_t>(s)]);
    }
}

} // namespace gw
