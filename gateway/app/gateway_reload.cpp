// gateway::reload: a new configuration generation built beside the running one,
// from the objects that survive (backends, servers, TLS contexts), then
// published; each worker adopts it on its own thread. Everything that can fail
// (TLS files, DNS for "off" names) runs before anything is changed.
#include "gateway/app/gateway.hpp"

#include <atomic>
#include <chrono>
#include <ctime>
#include <exception>
#include <functional>
#include <future>
#include <string>

#include <boost/asio/post.hpp>

#include "config/load.hpp"
#include "gateway/app/reload_rules.hpp"
#include "gateway/observe/error_log.hpp"

namespace gw {

namespace net = boost::asio;

namespace {

// The running backend named `name` (null: a new one).
std::shared_ptr<backend_state> find_backend(const generation& g, const std::string& name, std::size_t& index) {
    for (std::size_t b = 0; b < g.backends.size(); ++b)
        if (g.config->backends[b].name == name) {
            index = b;
            return g.backends[b];
        }
    return nullptr;
}

// The running listener with `l`'s name and address (listeners.size(): none).
std::size_t find_listener(const config::gateway_config& c, const config::listener_config& l) {
    for (std::size_t i = 0; i < c.listeners.size(); ++i)
        if (c.listeners[i].name == l.name && c.listeners[i].listen == l.listen)
            return i;
    return c.listeners.size();
}

// "2 new, 1 removed": listeners by slot, `gen` against `now`.
std::string listener_changes(const generation& now, const generation& gen) {
    std::size_t added = 0, removed = 0;
    for (std::size_t slot = 0; slot < gen.listener_at.size(); ++slot) {
        const bool was = now.listener_of(slot) != generation::no_listener;
        const bool is = gen.listener_at[slot] != generation::no_listener;
        added += is && !was;
        removed += was && !is;
    }
    std::string out = std::to_string(added);
    out += " new, ";
    out += std::to_string(removed);
    out += " removed";
    return out;
}

bool any_server_tls(const config::backend_config& b) {
    for (const auto& s : b.servers)
        if (s.tls)
            return true;
    return false;
}

} // namespace

// From here nothing fails, and it runs on worker 0, where the discovery that is
// replaced publishes its server sets: stopped first, it cannot overwrite what
// this builds.
void gateway::apply_generation(const generation_ptr& now, const std::shared_ptr<generation>& gen,
                               const std::shared_ptr<server_discovery>& discovery,
                               const std::shared_ptr<listener_slots::bound>& added,
                               std::function<void()> adopted) {
    const auto& before = *now->config;
    const auto& after = *gen->config;
    if (discovery_)
        discovery_->stop();
    // Backends that keep their name are the same objects (queue, counters,
    // per-worker parts); servers that keep their name, address and settings
    // too, unless what every server of the backend embeds changed (its
    // health check, TLS, keep-alive pool).
    std::vector<std::pair<std::size_t, server_ptr>> made_all;
    for (std::size_t b = 0; b < after.backends.size(); ++b) {
        const auto& bc = after.backends[b];
        std::size_t i = 0;
        auto be = find_backend(*now, bc.name, i);
        std::vector<server_ptr> made;
        if (be) {
            const auto& old = before.backends[i];
            const bool keep_servers = old.health_check == bc.health_check && old.tls == bc.tls &&
                                      old.keepalive_pool == bc.keepalive_pool;
            const auto current = be->servers();
            auto servers = discovery->servers(b, current.get(), made, keep_servers);
            be->update(bc);
            be->replace_servers(std::move(servers));
        } else {
            be = std::make_shared<backend_state>(bc, discovery->servers(b, nullptr, made), nworkers_);
        }
        for (auto& s : made)
            made_all.emplace_back(b, std::move(s));
        gen->backends.push_back(std::move(be));
    }
    // Backends that left: their servers retire (health checks stop; idle
    // connections close as each worker adopts; exchanges in flight finish).
    std::vector<std::shared_ptr<backend_state>> left;
    for (std::size_t b = 0; b < now->backends.size(); ++b) {
        std::size_t i = 0;
        if (find_backend(*gen, before.backends[b].name, i) == nullptr) {
            now->backends[b]->replace_servers({});
            left.push_back(now->backends[b]);
        }
    }
    shared_->slot_count.store(gen->listener_at.size()); // (before any worker accepts on a new one)
    shared_->publish(gen);
    set_error_log_level(after.logging.level);
    auto remaining = std::make_shared<std::atomic<std::size_t>>(workers_.size());
    for (auto& w : workers_)
        net::post(w->io(), [wp = w.get(), gen, left, added, remaining, adopted] {
            wp->adopt(gen, left, std::move((*added)[wp->index()]));
            if (remaining->fetch_sub(1) == 1 && adopted)
                adopted();
        });
    for (const auto& [b, s] : made_all)
        spawn_health_check(gen, b, s);
    discovery_ = discovery;
    shared_->discovery = discovery.get();
    if (started_)
        start_discovery(gen);
    error_log(config::log_level::info, "configuration reloaded: generation " + std::to_string(gen->number) +
                                           ", " + std::to_string(after.backends.size()) + " backends (" +
                                           std::to_string(made_all.size()) + " servers new, " +
                                           std::to_string(left.size()) + " backends left), " +
                                           std::to_string(after.listeners.size()) + " listeners (" +
                                           listener_changes(*now, *gen) + ")");
}

gateway::reload_outcome gateway::reload(std::shared_ptr<const config::gateway_config> next) {
    std::lock_guard lock(reload_mutex_);
    const generation_ptr now = shared_->current();
    const auto& was = *now->config;
    const auto& c = *next;
    auto refuse = [&](const std::string& why) {
        shared_->reload_failures.fetch_add(1);
        error_log(config::log_level::error, "configuration reload refused, generation " +
                                                std::to_string(now->number) + " keeps running: " + why);
        return reload_outcome{false, now->number, why};
    };
    if (shared_->draining.load())
        return refuse("the gateway is draining");
    if (const auto why = fixed_setting_change(was, c); !why.empty())
        return refuse(why);

    auto gen = std::make_shared<generation>(next, now->number + 1);
    std::shared_ptr<server_discovery> discovery;
    auto added = std::make_shared<listener_slots::bound>(); // new listeners' sockets, per worker
    try {
        // Users files are read again: a reload is how users change.
        gen->users = policy::load_user_lists(c);
        // Listeners' TLS: the running context where the listener stays with
        // the same settings (its ticket keys, so sessions resume across the reload).
        for (const auto& l : c.listeners) {
            const std::size_t i = find_listener(was, l);
            if (i < was.listeners.size() && l.tls == was.listeners[i].tls)
                gen->tls.push_back(now->tls[i]);
            else
                gen->tls.push_back(l.tls ? std::make_shared<tls::server_context>(*l.tls) : nullptr);
        }
        // TLS to servers: likewise, per backend by name.
        for (const auto& b : c.backends) {
            std::size_t i = 0;
            const bool known = find_backend(*now, b.name, i) != nullptr;
            if (known && was.backends[i].tls == b.tls && now->upstream_tls[i])
                gen->upstream_tls.push_back(now->upstream_tls[i]);
            else
                gen->upstream_tls.push_back(any_server_tls(b) ? std::make_shared<tls::client_context>(b.tls) : nullptr);
        }
        // Server names: carried over where the entry did not change, else asked now.
        discovery = std::make_shared<server_discovery>(next, nworkers_, discovery_.get());
        // Listeners: those running keep their sockets, new ones are bound now
        // (last: nothing else can fail after their sockets listen).
        slots_->assign(now.get(), *gen, *added);
    } catch (const std::exception& e) {
        return refuse(e.what());
    }

    if (!started_) {
        apply_generation(now, gen, discovery, added, nullptr); // (no worker runs yet)
    } else {
        // Done when every worker adopted it: a listener removed no longer
        // accepts anywhere once the reload answered.
        auto done = std::make_shared<std::promise<void>>();
        auto finished = done->get_future();
        net::post(workers_.front()->io(), [this, now, gen, discovery, added, done] {
            apply_generation(now, gen, discovery, added, [done] { done->set_value(); });
        });
        // The workers answer within milliseconds; a drain that began meanwhile
        // may have ended their loops, and the gateway's shutdown must not wait.
        const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        auto drain_seen = give_up;
        while (finished.wait_for(std::chrono::milliseconds(100)) != std::future_status::ready) {
            const auto now_t = std::chrono::steady_clock::now();
            if (shared_->draining.load() && drain_seen == give_up)
                drain_seen = now_t;
            if (now_t >= give_up || now_t - drain_seen >= std::chrono::seconds(1))
                return refuse("the workers did not take the new configuration (the gateway is draining)");
        }
    }
    reloader_->track_new();
    shared_->reloads.fetch_add(1);
    shared_->last_reload.store(static_cast<std::int64_t>(std::time(nullptr)));
    return reload_outcome{true, gen->number, {}};
}

gateway::reload_outcome gateway::reload_file(const std::string& path) {
    auto loaded = config::load_file(path);
    if (!loaded.config) {
        shared_->reload_failures.fetch_add(1);
        for (const auto& e : loaded.errors)
            error_log(config::log_level::error, config::to_string(e));
        const auto generation = shared_->current()->number;
        const auto n = loaded.errors.size();
        error_log(config::log_level::error, "configuration reload refused (" + std::to_string(n) +
                                                (n == 1 ? " error" : " errors") + "), generation " +
                                                std::to_string(generation) + " keeps running");
        std::string first = loaded.errors.empty() ? path + ": cannot be loaded" : config::to_string(loaded.errors.front());
        if (loaded.errors.size() > 1)
            first += " (and " + std::to_string(loaded.errors.size() - 1) + " more)";
        reload_certificates(); // (the running listeners' files: see below)
        return reload_outcome{false, generation, first};
    }
    auto out = reload(std::shared_ptr<const config::gateway_config>(std::move(loaded.config)));
    // The running listeners' certificate files are read again either way
    // (a context kept by the reload, or the running one after a refusal).
    reload_certificates();
    return out;
}

} // namespace gw
