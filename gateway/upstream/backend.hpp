#pragma once
// A backend's servers and its queue: the state every worker shares. Server slot
// counts (maxconn, leastconn) are atomics; the FIFO queue of sessions waiting for
// a slot is behind one small mutex, taken only when every server is full. A
// waiting session is resumed on its own worker's executor.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/cancellation_type.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/system/error_code.hpp>

#include <boost/intrusive/list.hpp>

#include "config/config.hpp"
#include "gateway/observe/counters.hpp"
#include "gateway/tls/session_slot.hpp"
#include "gateway/upstream/idle_connections.hpp"
#include "gateway/upstream/outlier.hpp"

namespace gw {

// What the operator said of a server (the admin API), as HAProxy names it:
// ready takes requests; drain takes no new ones while those in flight finish and
// its health checks go on; maint (disabled) is drain with its checks paused.
enum class server_admin : std::uint8_t { ready, drain, maint };

const char* to_string(server_admin a) noexcept;

// What one worker keeps of a server: its idle connections to it. Each worker's
// part is on a cache line of its own, and only that worker touches it.
struct alignas(64) server_worker_part {
    idle_connections idle;
};

struct server_state {
    std::string name;
    boost::asio::ip::tcp::endpoint endpoint; // resolved at start
    std::atomic<unsigned> weight{1};         // now: the config's, or what the admin API set
    std::atomic<unsigned> config_weight{1};  // the config's (a reload may change it)
    std::atomic<server_admin> admin{server_admin::ready};
    std::size_t maxconn = 0;                 // 0 = unlimited
    // Its own copy of what connecting to it needs from the config (a server
    // may outlive the configuration it came from): TLS or not, and the name
    // sent as SNI, verified, and sent as Host by health checks.
    bool tls = false;
    std::string tls_server_name;
    std::atomic<std::size_t> active{0};      // slots in use (one per exchange)
    std::atomic<bool> up{true};
    std::atomic<bool> retired{false};             // left its backend: takes nothing new
    std::atomic<std::uint64_t> requests{0};       // exchanges started on it
    std::atomic<std::uint64_t> connects{0};       // new connections opened to it
    std::atomic<std::uint64_t> health_checks{0};  // probes completed
    std::atomic<std::uint64_t> connect_failures{0};
    std::atomic<std::int64_t> last_tls_log_ms{0}; // when a TLS failure was last logged
    outlier_state outlier; // passive health: ejected for a while after failures
    // (Before per_worker: the pooled TLS connections there point at it.)
    tls::session_slot tls_session; // the last TLS session it gave (resumption)
    std::unique_ptr<server_worker_part[]> per_worker;  // one per worker

    // Worker `w`'s idle connections to this server (only from w's thread).
    idle_connections& idle(std::size_t w) noexcept { return per_worker[w].idle; }

    // New requests may go to it: in its backend, up, ready, a weight above 0,
    // and not ejected by passive health.
    bool serving() const noexcept {
        return !retired.load(std::memory_order_relaxed) && up.load(std::memory_order_relaxed) &&
               admin.load(std::memory_order_relaxed) == server_admin::ready &&
               weight.load(std::memory_order_relaxed) != 0 && !outlier.ejected();
    }
    // Its connections may be kept for reuse: in its backend and ready.
    bool keeps_connections() const noexcept {
        return !retired.load(std::memory_order_relaxed) &&
               admin.load(std::memory_order_relaxed) == server_admin::ready;
    }
};

using server_ptr = std::shared_ptr<server_state>;

// A server made from its config entry and resolved address, with `workers`
// per-worker parts keeping at most `keepalive` idle connections each.
server_ptr make_server(const config::server_config& cfg, const boost::asio::ip::tcp::endpoint& endpoint,
                       std::size_t workers, std::size_t keepalive);

// A backend's servers at one moment. Never changed once published: a change
// publishes a new set. An exchange holds its server by server_ptr, so a server
// that leaves lives until the last exchange on it ends.
struct server_set {
    std::vector<server_ptr> servers;
};
using server_set_ptr = std::shared_ptr<const server_set>;

// One worker's place in a backend's smooth weighted round-robin (nginx's: each
// pick adds every candidate's weight to its score, takes the highest and lowers
// it by their sum), over the weights as they are now. `offset` picks are made
// idle before the first, so that workers do not start in step.
struct round_robin_state {
    std::vector<long> current;
    std::size_t offset = 0;
    const server_set* set = nullptr; // the set `current` is for (another: start again)
};
// What one worker keeps of a backend: its counters and its place in the
// round-robin. Only that worker touches it (the admin snapshot reads it from
// that worker's thread); on a cache line of its own.
struct alignas(64) backend_worker_part {
    backend_counters counters;
    round_robin_state rr;
    server_set_ptr set; // the servers as this worker sees them (adopt())
    std::uint64_t version = 0; // the backend's version_ when it adopted `set`
};

// A session waiting in a backend queue (a Boost.Intrusive hook, linked under
// the backend's lock; owned by the async operation).
class queue_waiter : public boost::intrusive::list_base_hook<> {
public:
    virtual ~queue_waiter() = default;
    // Called under the backend's lock: a slot of `server` is now this waiter's.
    // Must only post the completion to the waiter's executor.
    virtual void grant(server_ptr server) noexcept = 0;
};

class backend_state {
public:
    // `endpoints[i]` is the resolved address of cfg.servers[i]; `workers`: how
    // many workers keep a part of it (counters, round-robin, idle connections).
    backend_state(const config::backend_config& cfg,
                  std::vector<boost::asio::ip::tcp::endpoint> endpoints, std::size_t workers = 1);
    // With its first servers made already (each with `workers` parts).
    backend_state(const config::backend_config& cfg, std::vector<server_ptr> servers, std::size_t workers);

    const std::string& name() const noexcept { return name_; }
    std::size_t workers() const noexcept { return workers_; }
    // The servers now (any thread; a lock and a reference count: not for the
    // data path, which uses its worker's view).
    server_set_ptr servers() const;
    std::size_t server_count() const { return servers()->servers.size(); }
    // Server `i` of the set now (kept alive by the backend until it leaves).
    server_state& server(std::size_t i) const { return *servers()->servers.at(i); }

    // Publishes `next` as the backend's servers (any thread). Servers of the
    // last set that are not in it are retired: nothing new goes to them, their
    // exchanges finish. Queued sessions are served from the new set at once.
    // Each worker then adopt()s it.
    void replace_servers(std::vector<server_ptr> next);
    // Worker `w` takes the servers now as its view, closing its idle
    // connections to the servers that left (on w's thread). The data path
    // also does it by itself when it sees a new set (try_take,
    // has_usable_server), so no request sees only departed servers.
    void adopt(std::size_t w);
    // Worker `w`'s part (only from w's thread).
    backend_worker_part& worker_part(std::size_t w) noexcept { return per_worker_[w]; }
    // Closes worker `w`'s idle connections to every server it sees (on w's thread).
    void clear_idle(std::size_t w) noexcept;
    // Closes worker `w`'s idle connections that went unused for the backend's
    // keepalive_timeout (on w's thread, about once a second); counts them.
    void expire_idle(std::size_t w, std::chrono::steady_clock::time_point now) noexcept;
    // Worker `w`'s idle connections to the servers it sees (on w's thread).
    std::size_t idle_count(std::size_t w) const noexcept;
    std::size_t queue_limit() const noexcept { return queue_limit_.load(std::memory_order_relaxed); }
    // A reload: the backend's own settings now (any thread; its servers and
    // queue stay).
    void update(const config::backend_config& cfg) noexcept {
        balance_.store(cfg.balance, std::memory_order_relaxed);
        queue_limit_.store(cfg.queue_limit, std::memory_order_relaxed);
        keepalive_timeout_.store(cfg.keepalive_timeout.count(), std::memory_order_relaxed);
    }
    std::size_t queued() const noexcept { return queued_.load(std::memory_order_relaxed); }
    std::uint64_t queue_timeouts() const noexcept { return queue_timeouts_.load(std::memory_order_relaxed); }
    void count_queue_timeout() noexcept { queue_timeouts_.fetch_add(1, std::memory_order_relaxed); }

    // On worker `w`'s thread, over its view: picks a server by the balance mode
    // and takes one of its slots, skipping servers that are not serving (down,
    // drained, in maintenance, weight 0, retired), full, or `exclude`. Null when
    // none.
    server_ptr try_take(std::size_t w, const server_state* exclude = nullptr) noexcept;

    // Whether any server of worker `w`'s view is serving (else: 503 at once).
    bool has_usable_server(std::size_t w) noexcept;

    // The admin API: a server's state and weight now (any thread). A server that
    // can serve again takes queued sessions at once.
    void set_admin(server_state& s, server_admin a) noexcept;
    void set_weight(server_state& s, unsigned weight) noexcept;

    // Passive health: what an exchange on worker `w` saw of `s`. A failure may
    // eject it (true), if the backend's share of ejected servers allows.
    bool report_failure(std::size_t w, server_state& s, const config::passive_health_config& c) noexcept;

    // The retry budget (backends.retry_budget): a retry may start while the
    // retries in flight stay within `percent` of the exchanges on the
    // backend's servers, and at least 3. False: over budget (counted).
    bool try_begin_retry(std::size_t w, unsigned percent) noexcept;
    void end_retry() noexcept { retries_in_flight_.fetch_sub(1, std::memory_order_relaxed); }
    std::uint64_t retries_over_budget() const noexcept { return over_budget_.load(std::memory_order_relaxed); }

    // Gives a slot of `s` back; if sessions are queued, a slot goes to the oldest
    // one instead (possibly on another worker).
    void release(server_state& s) noexcept;

    // Queues `w` unless the queue is full (returns false: answer 503). A slot may
    // be granted at once (from inside this call).
    bool enqueue(queue_waiter& w) noexcept;
    // Removes `w` if still queued; false if it was granted meanwhile.
    bool cancel(queue_waiter& w) noexcept;

private:
    static bool take_slot(server_state& s) noexcept;
    static int pick_roundrobin(const server_set& set, round_robin_state& rr, const server_state* exclude) noexcept;
    static int pick_leastconn(const server_set& set, const server_state* exclude) noexcept;
    int pick(const server_set& set, round_robin_state& rr, const server_state* exclude) const noexcept;
    void follow(std::size_t w) noexcept; // adopt() when the servers changed since
    void dispatch_locked() noexcept; // grants free slots to queued waiters
    void dispatch() noexcept;        // the same, taking the lock when sessions wait

    std::string name_;
    std::atomic<config::balance_mode> balance_;
    std::atomic<std::size_t> queue_limit_;
    std::atomic<config::duration::rep> keepalive_timeout_;
    std::size_t workers_;
    std::unique_ptr<backend_worker_part[]> per_worker_;

    mutable std::mutex mutex_;
    server_set_ptr set_; // the servers now (locked)
    std::atomic<std::uint64_t> version_{0}; // +1 per replace_servers(): workers see a change without the lock
    boost::intrusive::list<queue_waiter, boost::intrusive::constant_time_size<false>> waiting_;
    round_robin_state dispatch_rr_; // round-robin state for queued sessions (locked)
    std::atomic<std::size_t> queued_{0};
    std::atomic<std::uint64_t> queue_timeouts_{0};
    std::atomic<std::size_t> retries_in_flight_{0};
    std::atomic<std::uint64_t> over_budget_{0};
};

namespace detail {

template <class Handler>
class server_wait_op final : public queue_waiter {
public:
    static void start(Handler h, backend_state& b) {
        auto* op = new server_wait_op(std::move(h), b);
        if (!b.enqueue(*op)) {
            op->post_completion(boost::asio::error::no_buffer_space, nullptr); // queue full
            return;
        }
        auto slot = boost::asio::get_associated_cancellation_slot(op->handler_);
        if (slot.is_connected() && op->state_.load() == waiting)
            slot.template emplace<cancel_handler>(op);
    }

private:
    enum state_t { waiting, completing };
    server_wait_op(Handler&& h, backend_state& b)
        : handler_(std::move(h)), work_(boost::asio::get_associated_executor(handler_)),
          backend_(b) {}

    struct cancel_handler {
        // (A constructor: emplace() constructs it with parentheses, which
        // clang before 16 does not allow for an aggregate.)
        explicit cancel_handler(server_wait_op* o) noexcept : op(o) {}
        server_wait_op* op;
        void operator()(boost::asio::cancellation_type_t t) const {
            if (t != boost::asio::cancellation_type::none && op->backend_.cancel(*op))
                op->post_completion(boost::asio::error::operation_aborted, nullptr);
        }
    };

    void grant(server_ptr server) noexcept override { post_completion({}, std::move(server)); }

    void post_completion(boost::system::error_code ec, server_ptr server) noexcept {
        state_.store(completing);
        boost::asio::post(work_.get_executor(),
                          [this, ec, server = std::move(server)]() mutable { complete(ec, std::move(server)); });
    }

    void complete(boost::system::error_code ec, server_ptr server) {
        auto slot = boost::asio::get_associated_cancellation_slot(handler_);
        if (slot.is_connected())
            slot.clear();
        Handler h(std::move(handler_));
        auto work = std::move(work_);
        delete this;
        std::move(h)(ec, std::move(server));
    }

    Handler handler_;
    boost::asio::executor_work_guard<boost::asio::associated_executor_t<Handler>> work_;
    backend_state& backend_;
    std::atomic<state_t> state_{waiting};
};

struct initiate_server_wait {
    template <class Handler>
    void operator()(Handler&& h, backend_state* b) const {
        server_wait_op<std::decay_t<Handler>>::start(std::forward<Handler>(h), *b);
    }
};

} // namespace detail

// Waits in the backend's FIFO queue for a server slot. Completes with the
// server, or no_buffer_space (queue full) or operation_aborted (cancelled: the
// queue timeout). The completion runs on the handler's executor.
template <class CompletionToken>
auto async_wait_for_server(backend_state& b, CompletionToken&& token) {
    return boost::asio::async_initiate<CompletionToken,
                                       void(boost::system::error_code, server_ptr)>(
        detail::initiate_server_wait{}, token, &b);
}

} // namespace gw
