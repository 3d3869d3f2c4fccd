#pragma once
// A worker: one thread running one single-threaded io_context, with its own pool
// shard, its own acceptors (SO_REUSEPORT) and its own server connection cache.
// A connection accepted by a worker lives and dies on it.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/intrusive/list.hpp>

#include "alloc/pool_shard.hpp"
#include "config/config.hpp"
#include "gateway/app/tls_contexts.hpp"
#include "gateway/upstream/backend.hpp"
#include "gateway/observe/access_log.hpp"
#include "gateway/observe/counters.hpp"
#include "gateway/io/drain.hpp"
#include "gateway/io/listener.hpp"
#include "gateway/io/parking.hpp"
#include "gateway/io/pipe_pool.hpp"
#include "gateway/policy/client_table.hpp"
#include "gateway/observe/admin.hpp"
#include "gateway/proxy/context.hpp"
#include "gateway/proxy/router.hpp"
#include "gateway/proxy/session.hpp"

namespace gw {

// What all workers share: the configuration generation now (each worker
// adopts it and its exchanges hold the one they started with), and the
// cross-worker state that outlives generations.
struct shared_state {
    explicit shared_state(generation_ptr first)
        : clients(first->config->global.client_table_size),
          connections(std::make_unique<std::atomic<std::size_t>[]>(max_listener_slots)),
          tls_reloads(std::make_unique<std::atomic<std::uint64_t>[]>(max_listener_slots)),
          tls_reload_failures(std::make_unique<std::atomic<std::uint64_t>[]>(max_listener_slots)),
          current_(std::move(first)) {
        slot_count.store(current_->listener_at.size());
    }

    // The generation now (any thread; a lock and a reference count: not for
    // the data path, which uses its worker's).
    generation_ptr current() const {
        std::lock_guard lock(mutex_);
        return current_;
    }
    // A reload publishes the next one (then each worker adopts it).
    void publish(generation_ptr g) {
        std::lock_guard lock(mutex_);
        current_ = std::move(g);
    }
    // Per-client connections and rates, all workers (sized at start).
    policy::client_table clients;
    // Configuration reloads that took effect, and that were refused.
    std::atomic<std::uint64_t> reloads{0}, reload_failures{0};
    std::atomic<std::int64_t> last_reload = 0; // when one last took effect (seconds since 1970; 0 = never)

    // Listener slots (generation.hpp) over the process's life: what is shared
    // per slot is allocated for all of them up front, so that a reload that
    // adds a listener never moves what a worker is reading. A reload that
    // would need more is refused (restart).
    static constexpr std::size_t max_listener_slots = 1024;
    std::atomic<std::size_t> slot_count{0}; // slots given so far
    std::unique_ptr<std::atomic<std::size_t>[]> connections; // open, per slot
    // Per slot: certificate reloads that took effect, and that failed.
    std::unique_ptr<std::atomic<std::uint64_t>[]> tls_reloads, tls_reload_failures;
    const bool ktls = ktls_available(); // read once at start: /metrics and the start line report it
    std::atomic<bool> draining{false};
    class worker* admin_worker = nullptr; // serves the admin listener, if enabled
    class server_discovery* discovery = nullptr; // the server names followed in DNS

    // Open client connections over every listener.
    std::size_t open_connections() const noexcept {
        std::size_t n = 0;
        for (std::size_t l = 0, n_slots = slot_count.load(); l < n_slots; ++l)
            n += connections[l].load();
        return n;
    }

private:
    mutable std::mutex mutex_;
    generation_ptr current_;
};

class worker final : public drain_registry, private parking_host, private session_host {
public:
    worker(shared_state& shared, std::size_t index, alloc::pool_shard& shard, int access_log_fd = 1);
    ~worker();
    worker(const worker&) = delete;
    worker& operator=(const worker&) = delete;

    // Accepts the connections of listener slot `slot` on `socket` (this
    // worker's one of bind_listening's; before start(), or on its thread).
    void listen(std::size_t slot, listening_socket socket);
    // Binds the admin listener on this worker; `peers` are all workers (for stats).
    boost::asio::ip::tcp::endpoint listen_admin(const boost::asio::ip::tcp::endpoint& ep,
                                                std::vector<worker*> peers);

    void start(); // starts the accept loops and the thread
    void join();
    // Thread-safe: stop accepting, close idle client connections; exchanges in
    // flight finish, then their sessions close.
    void drain();
    // Thread-safe: close every connection now (the shutdown timeout ran out).
    void abort();

    boost::asio::io_context& io() noexcept { return ioc_; }
    // Closes this worker's idle connections to one server (on its thread).
    // Closes this worker's idle connections to every server (drain, abort).
    void clear_idle() noexcept;
    alloc::pool_shard& shard() noexcept { return shard_; }
    shared_state& shared() noexcept { return shared_; }
    // The generation this worker's new exchanges take (its thread only).
    const generation& current() const noexcept { return proxy_.generations.current(); }
    // Takes `g` as its current generation (its thread): new exchanges run on
    // it; each backend's servers are adopted, and `left` (backends that are not
    // in it) close this worker's idle connections to their servers. Listeners
    // that `g` adds accept on `added` (this worker's sockets, by slot); those
    // it removes stop accepting, their idle and parked connections close and
    // their sessions close after the exchange in progress.
    void adopt(generation_ptr g, const std::vector<std::shared_ptr<backend_state>>& left,
               std::vector<std::pair<std::size_t, listening_socket>> added);
    // What POST /api/reload does on this worker's admin listener (before start).
    void set_admin_reload(std::function<boost::asio::awaitable<reload_reply>()> f) {
        if (admin_)
            admin_->reload = std::move(f);
    }
    std::size_t index() const noexcept { return index_; }
    // (Draining starts when the worker tells its drain listeners.)
    bool draining() const noexcept override { return listeners_.draining(); }

    worker_counters& counters() noexcept { return counters_; }
    access_log& log() noexcept { return log_; }
    // Open client connections: with a session or parked.
    std::size_t session_count() const noexcept { return sessions_.size() + parking_.parked(); }
    std::size_t parked_count() const noexcept { return parking_.parked(); }
    // Starts a session on `client` (accepted, or `resumed` from the parking lot).
    void spawn_session(std::size_t listener, transport client, bool resumed, parked_client who = {});
    void add(drain_listener& l) noexcept override;
    void remove(drain_listener& l) noexcept override;

private:
    // parking_host: a parked connection comes back as a session, or closes.
    void resume_parked(std::size_t listener, transport client, parked_client who) override {
        spawn_session(listener, std::move(client), true, who);
    }
    void parked_closed(std::size_t listener, parked_client who) noexcept override {
        shared_.clients.close(who.ticket);
        connection_closed(listener);
    }
    // session_host: sessions register themselves so that drain() and abort()
    // can reach them; a closed one leaves its listener's max_connections.
    void add(session_link& s) noexcept override;
    void remove(session_link& s) noexcept override;
    void connection_closed(std::size_t l) override;
    // A client connection closed: once draining and none is left anywhere, the
    // admin listener closes too (it answers /readyz with 503 until then).
    void session_gone();
    void reserve_reactor_states();
    void spawn_accept_loop(std::size_t i);
    void close_listener(std::size_t slot);
    void begin_drain();
    void close_all();
    void close_admin();
    using session_list = boost::intrusive::list<session_link, boost::intrusive::constant_time_size<true>>;

    shared_state& shared_;
    std::size_t index_;
    alloc::pool_shard& shard_;
    // The configuration the worker started with: what is fixed for the
    // process (buffers, the access log's settings, the admin listener's).
    std::shared_ptr<const config::gateway_config> start_config_;
    // One thread runs it, and only that thread touches its sockets (other threads
    // post to it): the reactor's per-descriptor locks are not needed.
    boost::asio::io_context ioc_{BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO};
    parking_lot parking_; // after ioc_: its sockets go before the io_context
    // The proxy listeners' acceptors, by slot (shared with their accept loop,
    // which outlives a removed listener's entry here by a turn of the loop).
    struct listener_acceptor {
        std::size_t slot;
        std::shared_ptr<boost::asio::ip::tcp::acceptor> acceptor;
    };
    std::vector<listener_acceptor> acceptors_;
    bool started_ = false;
    pipe_pool pipes_;
    session_list sessions_; // live sessions
    std::size_t reactor_states_ = 0; // registered up front (reserve_reactor_states)
    drain_set listeners_;      // health checks, the log flusher
    drain_set admin_sessions_; // close when the admin listener does
    std::unique_ptr<boost::asio::ip::tcp::acceptor> admin_acceptor_;
    std::vector<worker*> peers_;
    std::unique_ptr<admin_context> admin_;
    worker_counters counters_;
    access_log log_;
    proxy_context proxy_;
    std::thread thread_;
};

} // namespace gw
