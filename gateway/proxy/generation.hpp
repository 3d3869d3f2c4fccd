#pragma once
// Everything built from one configuration: the config itself, the routes, the
// backends (shared objects: a backend or server that survives a reload is the
// same object in the next generation, so its queue, counters and connections
// carry on) and the TLS contexts. Immutable once published.
//
// An exchange holds the generation it started with until it ends (a lease), so
// what it reads never changes under it; a kept-alive connection holds nothing
// between exchanges, so it never pins an old generation. Each worker keeps its
// own hold on the generations its exchanges use, with counts that only its
// thread touches: taking a lease costs no atomic and no allocation.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <list>
#include <memory>
#include <vector>

#include <boost/asio/ip/tcp.hpp>

#include "config/config.hpp"
#include "gateway/policy/basic_auth.hpp"
#include "gateway/proxy/router.hpp"
#include "gateway/tls/client_context.hpp"
#include "gateway/tls/server_context.hpp"
#include "gateway/upstream/backend.hpp"
#include "gateway/upstream/connector.hpp"

namespace gw {

struct generation {
    generation(std::shared_ptr<const config::gateway_config> cfg, std::uint64_t n)
        : number(n), config(std::move(cfg)), routes(*config) {}
    generation(const generation&) = delete;
    generation& operator=(const generation&) = delete;

    std::uint64_t number = 1; // 1 at start, one more per reload
    std::shared_ptr<const config::gateway_config> config;
    router routes;
    std::vector<std::shared_ptr<backend_state>> backends;           // config order
    std::vector<std::shared_ptr<tls::server_context>> tls;          // per listener; null: plain
    std::vector<std::shared_ptr<tls::client_context>> upstream_tls; // per backend; null: no TLS
    std::vector<std::shared_ptr<const policy::user_list>> users;    // per route; null: no basic_auth

    // Listener slots. What is per listener at run time (its sockets, its open
    // connection count, the workers' counters, a session's listener) is kept
    // by slot: a number given to a listener (name and address) when it is
    // first bound, never given to another, so that it means the same in every
    // generation while the config's listener order may change on a reload.
    static constexpr std::size_t no_listener = std::numeric_limits<std::size_t>::max();
    std::vector<std::size_t> slots;                        // per listener (config order): its slot
    std::vector<std::size_t> listener_at;                  // per slot: its listener here, or no_listener
    std::vector<boost::asio::ip::tcp::endpoint> endpoints; // per listener: where it is bound
    // The listener using `slot` in this generation (no_listener: removed).
    std::size_t listener_of(std::size_t slot) const noexcept {
        return slot < listener_at.size() ? listener_at[slot] : no_listener;
    }

    // What the connector reads of it (valid while the generation lives).
    upstream_view upstream() const noexcept { return {config.get(), backends, upstream_tls}; }
};

using generation_ptr = std::shared_ptr<const generation>;

// One worker's hold on generations (its thread only).
class generation_holder {
    struct entry {
        generation_ptr gen;
        std::size_t users = 0;
    };

public:
    explicit generation_holder(generation_ptr first) { entries_.push_back({std::move(first), 0}); }
    generation_holder(const generation_holder&) = delete;
    generation_holder& operator=(const generation_holder&) = delete;

    // The newest generation this worker adopted.
    const generation& current() const noexcept { return *entries_.back().gen; }

    // Takes `g` as the current one; the one before is let go when its last
    // lease ends (now, if it has none).
    void adopt(generation_ptr g) {
        entries_.push_back({std::move(g), 0});
        prune();
    }

    class lease {
    public:
        lease() = default;
        lease(lease&& o) noexcept : holder_(o.holder_), entry_(o.entry_) { o.holder_ = nullptr; }
        lease& operator=(lease&& o) noexcept {
            if (this != &o) {
                reset();
                holder_ = o.holder_;
                entry_ = o.entry_;
                o.holder_ = nullptr;
            }
            return *this;
        }
        ~lease() { reset(); }
        void reset() noexcept {
            if (holder_ == nullptr)
                return;
            --entry_->users;
            holder_->prune();
            holder_ = nullptr;
        }
        explicit operator bool() const noexcept { return holder_ != nullptr; }
        const generation& operator*() const noexcept { return *entry_->gen; }
        const generation* operator->() const noexcept { return entry_->gen.get(); }

    private:
        friend class generation_holder;
        lease(generation_holder* h, std::list<entry>::iterator e) noexcept : holder_(h), entry_(e) {
            ++entry_->users;
        }
        generation_holder* holder_ = nullptr;
        std::list<entry>::iterator entry_;
    };

    // The current generation, held until the lease ends.
    lease take() noexcept { return lease(this, std::prev(entries_.end())); }

    // Generations held now (the current one and older ones still in use).
    std::size_t held() const noexcept { return entries_.size(); }

private:
    void prune() noexcept {
        // (Never the current one, the last.)
        for (auto it = entries_.begin(); std::next(it) != entries_.end();)
            it = it->users == 0 ? entries_.erase(it) : std::next(it);
    }

    std::list<entry> entries_;
};

} // namespace gw
