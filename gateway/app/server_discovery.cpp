#include "gateway/app/server_discovery.hpp"

#include <algorithm>
#include <ctime>
#include <stdexcept>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "config/units.hpp"
#include "gateway/app/worker.hpp"
#include "gateway/io/drain_timer.hpp"
#include "gateway/observe/error_log.hpp"

namespace gw {

namespace net = boost::asio;
using error_code = boost::system::error_code;
using tcp = net::ip::tcp;
using clock_type = std::chrono::steady_clock;

struct server_discovery::followed {
    std::size_t backend = 0, entry = 0;
    const config::server_config* cfg = nullptr;
    std::string label; // "backend app: server pods" for log lines
    bool have_answer = false;
    std::chrono::seconds ttl{0};
    clock_type::time_point hold_until{}; // a failing name keeps its servers until then
    unsigned failing = 0;                // failures in a row
    dns_name_snapshot status;            // what snapshot() shows (status_mutex_ once started)
};

namespace {

dns_options resolver_options(const config::dns_config& d) {
    dns_options o;
    for (const auto& ns : d.nameservers)
        o.nameservers.push_back(config::to_string(ns));
    o.timeout = d.timeout;
    o.tries = d.tries;
    return o;
}

bool follows_dns(const config::server_config& s) { return s.address.kind == config::host_kind::hostname; }

// The name asked, as the log shows it.
std::string asked(const config::server_config& s) {
    if (s.srv.empty())
        return config::to_string(s.address);
    std::string out = "SRV ";
    out += s.srv;
    return out;
}

net::awaitable<std::tuple<error_code, dns_answer>> ask_dns(dns_resolver& r, const config::server_config& s) {
    if (!s.srv.empty())
        co_return co_await r.resolve_srv(s.srv);
    co_return co_await r.resolve(s.address.host, s.address.port);
}

// What the entry stands for, from an answer: the first address ("one", "off"),
// or the first max_servers of them ("all", SRV).
entry_addresses take(const config::server_config& s, const dns_answer& a) {
    entry_addresses out;
    const std::size_t n =
        std::min(a.endpoints.size(), s.discover == config::discover_mode::all ? s.max_servers : std::size_t{1});
    out.endpoints.assign(a.endpoints.begin(), a.endpoints.begin() + static_cast<std::ptrdiff_t>(n));
    if (!a.hosts.empty())
        out.hosts.assign(a.hosts.begin(), a.hosts.begin() + static_cast<std::ptrdiff_t>(n));
    return out;
}

std::vector<std::string> texts(const entry_addresses& a) {
    std::vector<std::string> out;
    for (const auto& ep : a.endpoints)
        out.push_back(endpoint_text(ep));
    return out;
}

std::string joined(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v)
        out += (out.empty() ? "" : " ") + s;
    return out.empty() ? "none" : out;
}

std::int64_t unix_now() { return static_cast<std::int64_t>(std::time(nullptr)); }

// An answer came (`now`: the addresses it changed to; null: no change).
void record_answer(dns_name_snapshot& s, const entry_addresses* now) {
    ++s.resolutions;
    s.last_success = unix_now();
    if (now != nullptr)
        s.addresses = texts(*now);
}

void record_failure(dns_name_snapshot& s, const error_code& ec) {
    ++s.failures;
    s.last_error = ec.message();
}

} // namespace

server_discovery::server_discovery(std::shared_ptr<const config::gateway_config> cfg, std::size_t workers,
                                   const server_discovery* previous)
    : cfg_(std::move(cfg)), workers_(workers) {
    const auto& c = *cfg_;
    addresses_.resize(c.backends.size());
    for (std::size_t b = 0; b < c.backends.size(); ++b) {
        addresses_[b].resize(c.backends[b].servers.size());
        for (std::size_t e = 0; e < c.backends[b].servers.size(); ++e) {
            const auto& s = c.backends[b].servers[e];
            if (!follows_dns(s)) {
                addresses_[b][e].endpoints.emplace_back(net::ip::make_address(s.address.host), s.address.port);
                continue;
            }
            auto f = std::make_unique<followed>();
            f->backend = b;
            f->entry = e;
            f->cfg = &s;
            f->label = "backend ";
            f->label += c.backends[b].name;
            f->label += ": server ";
            f->label += s.name;
            f->status.backend = c.backends[b].name;
            f->status.server = s.name;
            f->status.name = s.srv.empty() ? s.address.host : s.srv;
            if (previous != nullptr)
                previous->carry_over(c.backends[b].name, s, *f, addresses_[b][e]);
            names_.push_back(std::move(f));
        }
    }
    resolve_now();
    // "off" names are resolved once: nothing follows them.
    names_.erase(std::remove_if(names_.begin(), names_.end(),
                                [](const auto& f) { return f->cfg->discover == config::discover_mode::off; }),
                 names_.end());
}

void server_discovery::resolve_now() {
    std::size_t pending = 0;
    for (const auto& f : names_)
        pending += f->have_answer ? 0 : 1;
    if (pending == 0)
        return;
    // Every name at once, on a loop of this thread's own; c-ares' timeouts bound it.
    const auto& c = *cfg_;
    net::io_context ioc(1);
    dns_resolver startup(ioc.get_executor(), resolver_options(c.dns));
    std::string fatal;
    for (auto& fp : names_) {
        if (fp->have_answer)
            continue; // (carried over from the discovery before a reload)
        net::co_spawn(ioc, [&, f = fp.get()]() -> net::awaitable<void> {
            auto [ec, a] = co_await ask_dns(startup, *f->cfg);
            if (!ec) {
                auto now = take(*f->cfg, a);
                f->have_answer = true;
                f->ttl = a.ttl;
                record_answer(f->status, &now);
                addresses_[f->backend][f->entry] = std::move(now);
            } else if (f->cfg->discover == config::discover_mode::off) {
                if (fatal.empty())
                    fatal = f->label + ": cannot resolve " + asked(*f->cfg) + ": " + ec.message();
            } else {
                record_failure(f->status, ec);
                f->failing = 1;
                error_log(config::log_level::warning,
                          f->label + ": cannot resolve " + asked(*f->cfg) + " yet (" + ec.message() +
                              "): no servers from it until it does; asking again every " +
                              config::format_duration(cfg_->dns.min_ttl));
            }
            if (--pending == 0)
                startup.cancel(); // (c-ares' sockets would keep the loop running)
        }, net::detached);
    }
    ioc.run();
    if (!fatal.empty())
        throw std::runtime_error(fatal);
}

server_discovery::~server_discovery() {
    if (worker_ != nullptr)
        worker_->remove(*this);
}

void server_discovery::carry_over(const std::string& backend, const config::server_config& entry, followed& to,
                                  entry_addresses& addresses) const {
    std::lock_guard lock(status_mutex_);
    for (const auto& f : names_) {
        const auto& was = *f->cfg;
        if (cfg_->backends[f->backend].name != backend || was.name != entry.name || was.address != entry.address ||
            was.srv != entry.srv || was.discover != entry.discover || was.max_servers != entry.max_servers ||
            !f->have_answer)
            continue;
        addresses = addresses_[f->backend][f->entry];
        to.have_answer = true;
        to.ttl = f->ttl;
        to.status = f->status; // (the same backend, server and name)
        return;
    }
}

std::vector<server_ptr> server_discovery::servers(std::size_t b, const server_set* current,
                                                  std::vector<server_ptr>& made, bool reuse) const {
    return servers_for(cfg_->backends.at(b), addresses_.at(b), current, workers_, made, reuse);
}

std::vector<server_ptr> server_discovery::first_servers(std::size_t b) const {
    std::vector<server_ptr> made;
    return servers(b, nullptr, made);
}

void server_discovery::stop() noexcept {
    timers_.drain_all(); // the loops' sleeps end, and they see draining()
    if (resolver_)
        resolver_->cancel(); // the questions running end now
}

void server_discovery::start(worker& w, std::vector<backend_state*> backends, hooks h) {
    if (names_.empty())
        return;
    worker_ = &w;
    backends_ = std::move(backends);
    hooks_ = std::move(h);
    resolver_ = std::make_unique<dns_resolver>(w.io().get_executor(), resolver_options(cfg_->dns));
    w.add(*this);
    // Each loop keeps the object alive until it ends (a reload may let go of it first).
    for (std::size_t i = 0; i < names_.size(); ++i)
        net::co_spawn(w.io(), follow(i), [keep = shared_from_this()](std::exception_ptr e) {
            if (e)
                error_log(config::log_level::error, "DNS discovery ended by an exception");
        });
}

net::awaitable<void> server_discovery::follow(std::size_t index) {
    followed& f = *names_[index];
    const auto& d = cfg_->dns;
    auto bounded = [&d](std::chrono::seconds ttl) {
        return std::clamp<clock_type::duration>(ttl, d.min_ttl, d.max_ttl);
    };
    clock_type::duration delay = f.have_answer ? bounded(f.ttl) : clock_type::duration(d.min_ttl);
    if (f.have_answer)
        f.hold_until = clock_type::now() + delay + d.hold;
    drain_timer tick(worker_->io().get_executor(), timers_);
    while (co_await tick.sleep(delay)) {
        auto [ec, a] = co_await ask_dns(*resolver_, *f.cfg);
        if (timers_.draining() || worker_->draining())
            break;
        const auto now = clock_type::now();
        auto& current = addresses_[f.backend][f.entry];
        if (!ec) {
            auto next = take(*f.cfg, a);
            delay = bounded(a.ttl);
            f.hold_until = now + delay + d.hold;
            if (f.failing != 0)
                error_log(config::log_level::info, f.label + ": " + asked(*f.cfg) + " resolves again");
            f.failing = 0;
            const bool changed = next != current;
            if (changed) {
                std::string line = f.label + ": " + asked(*f.cfg) + " now has " + joined(texts(next));
                if (next.endpoints.size() < a.endpoints.size())
                    line += " (" + std::to_string(a.endpoints.size()) + " answered, max_servers " +
                            std::to_string(f.cfg->max_servers) + ")";
                error_log(config::log_level::info, line);
            }
            {
                std::lock_guard lock(status_mutex_);
                record_answer(f.status, changed ? &next : nullptr);
                if (changed)
                    current = std::move(next);
            }
            if (changed)
                publish(f.backend);
            continue;
        }
        delay = d.min_ttl;
        {
            std::lock_guard lock(status_mutex_);
            record_failure(f.status, ec);
        }
        if (f.failing++ == 0 && !current.endpoints.empty())
            error_log(config::log_level::warning,
                      f.label + ": cannot resolve " + asked(*f.cfg) + " (" + ec.message() + "); keeping " +
                          joined(texts(current)) + " for up to " + config::format_duration(d.hold) +
                          " past its TTL");
        if (!current.endpoints.empty() && now >= f.hold_until) {
            error_log(config::log_level::warning, f.label + ": " + asked(*f.cfg) + " still fails (" +
                                                      ec.message() + "): its servers leave the backend");
            {
                std::lock_guard lock(status_mutex_);
                current = {};
                f.status.addresses.clear();
            }
            publish(f.backend);
        }
    }
}

void server_discovery::publish(std::size_t b) {
    auto& backend = *backends_.at(b);
    std::vector<server_ptr> made;
    auto next = servers_for(cfg_->backends[b], addresses_[b], backend.servers().get(), workers_, made);
    backend.replace_servers(std::move(next));
    if (hooks_.publish)
        hooks_.publish(b);
    if (hooks_.added)
        for (const auto& s : made)
            hooks_.added(b, s);
}

std::vector<dns_name_snapshot> server_discovery::snapshot() const {
    std::vector<dns_name_snapshot> out;
    std::lock_guard lock(status_mutex_);
    for (const auto& f : names_)
        out.push_back(f->status);
    return out;
}

} // namespace gw
