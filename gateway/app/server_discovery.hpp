#pragma once
// Server entries whose address is a DNS name, followed while the gateway runs
// (config [dns], backends.servers.discover / srv): each name is asked again when
// its answer's TTL runs out (within dns.min_ttl..dns.max_ttl); a changed answer
// publishes a new server set for its backend, in which servers that keep their
// name and address are the same objects and those that left drain. A failed
// question keeps the last good answer for dns.hold past its TTL.
//
// Start-up resolves every name once (blocking the constructor, bounded by the
// resolver's timeouts): an "off" name that fails stops the start; a followed
// one starts without servers and is asked again. Then one coroutine per name
// runs on worker 0 with c-ares on that worker's loop, and a drain ends them.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "config/config.hpp"
#include "gateway/io/dns_resolver.hpp"
#include "gateway/io/drain.hpp"
#include "gateway/observe/snapshot.hpp"
#include "gateway/upstream/backend.hpp"
#include "gateway/upstream/server_addresses.hpp"

namespace gw {

class worker;

class server_discovery final : public drain_listener, public std::enable_shared_from_this<server_discovery> {
public:
    // Resolves every server entry of `cfg` once. Throws std::runtime_error when
    // an entry with discover = "off" does not resolve. On a reload, `previous`
    // (the discovery running now; read under its lock) gives the addresses of
    // the entries that did not change: those are not asked again now, so a
    // reload never empties a backend, nor waits for DNS, for them.
    server_discovery(std::shared_ptr<const config::gateway_config> cfg, std::size_t workers,
                     const server_discovery* previous = nullptr);
    ~server_discovery() override;
    server_discovery(const server_discovery&) = delete;
    server_discovery& operator=(const server_discovery&) = delete;

    // Backend b's servers for the addresses known now, reusing those of
    // `current` (may be null) that keep their name, address and settings
    // (unless `reuse` is false); the ones made new are appended to `made`.
    std::vector<server_ptr> servers(std::size_t b, const server_set* current, std::vector<server_ptr>& made,
                                    bool reuse = true) const;
    // The same for a backend made now.
    std::vector<server_ptr> first_servers(std::size_t b) const;

    // What the gateway does when a backend's servers changed: every worker
    // adopts the new set (`publish`), and each new server gets its health
    // check (`added`). Both are called on worker 0's thread.
    struct hooks {
        std::function<void(std::size_t backend)> publish;
        std::function<void(std::size_t backend, const server_ptr& server)> added;
    };
    // Follows the names on `w` (worker 0; before it runs), over `backends`
    // (the shared ones, in config order).
    void start(worker& w, std::vector<backend_state*> backends, hooks h);

    // Every followed name now (any thread).
    std::vector<dns_name_snapshot> snapshot() const;

    // Stops following (worker 0's thread): a reload replaced it. Its
    // coroutines end at once or when their question does; they keep the
    // object alive until then.
    void stop() noexcept;
    void on_drain() noexcept override { stop(); }

private:
    struct followed; // one name (server_discovery.cpp)

    void resolve_now(); // the names not carried over, once (blocking; throws for "off")
    boost::asio::awaitable<void> follow(std::size_t index);
    // Copies what this discovery knows of `entry` of `backend` into `to`, if
    // it follows the same name the same way.
    void carry_over(const std::string& backend, const config::server_config& entry, followed& to,
                    entry_addresses& addresses) const;
    void publish(std::size_t backend); // rebuilds the backend's set from its entries' addresses

    std::shared_ptr<const config::gateway_config> cfg_;
    std::size_t workers_;
    drain_set timers_; // its loops' sleeps; stop() ends them
    // Per backend, per server entry: its addresses now (worker 0's thread once
    // started; a reload reads them under status_mutex_).
    std::vector<std::vector<entry_addresses>> addresses_;
    std::vector<std::unique_ptr<followed>> names_;
    mutable std::mutex status_mutex_; // the followed names' counters, for snapshot()
    std::unique_ptr<dns_resolver> resolver_; // on worker 0's loop, once started
    worker* worker_ = nullptr;
    std::vector<backend_state*> backends_;
    hooks hooks_;
};

} // namespace gw
