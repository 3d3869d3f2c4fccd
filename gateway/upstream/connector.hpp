#pragma once
// The server side of one exchange, in one place: a slot on one of the
// backend's servers (at once, or after waiting in the backend's cross-worker
// queue), then a connection to it (an idle one from the worker's pool, or a
// new one, retried on other servers), handed back as the exchange's server
// transport; and at the end, the slot given back and the connection pooled
// or closed. What goes wrong comes back as the reply the client gets; the
// connector writes nothing to the client.

#include <cstddef>
#include <memory>
#include <span>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>

#include "config/config.hpp"
#include "gateway/http1/replies.hpp"
#include "gateway/io/deadline.hpp"
#include "gateway/io/transport.hpp"
#include "gateway/observe/counters.hpp"
#include "gateway/policy/client_address.hpp"
#include "gateway/upstream/backend.hpp"
#include "gateway/tls/client_context.hpp"

namespace gw {

// How a connection to a server is opened when not over the network: the
// exchange tests open in-memory connections through one.
class server_dialer {
public:
    // Makes `t` a connection to `ep` (the connect timeout runs meanwhile).
    virtual boost::asio::awaitable<boost::system::error_code>
    dial(transport& t, const boost::asio::ip::tcp::endpoint& ep) = 0;

protected:
    ~server_dialer() = default;
};

// What one worker has of the upstream side: its index (its own part of each
// backend: idle server connections, round-robin, counters), and how it dials.
struct upstream_context {
    std::size_t worker = 0;
    server_dialer* dialer = nullptr; // null: TCP, and TLS where configured
};

// What an exchange reads of the configuration generation it started with: the
// config, the backends, and per backend the TLS to its servers (null: none).
// Valid while the exchange holds that generation.
struct upstream_view {
    const config::gateway_config* cfg = nullptr;
    std::span<const std::shared_ptr<backend_state>> backends;
    std::span<const std::shared_ptr<tls::client_context>> tls;
};

// How a step ended: ok, or the reply the client gets (none: close without one,
// the session was aborted or the queue wait cancelled).
struct upstream_status {
    bool ok = true;
    reply_reason reply = reply_reason::none;
    static upstream_status failed(reply_reason r) noexcept { return {false, r}; }
};

class connector {
public:
    // `server`: the exchange's server transport, (re)opened here; `dl` the
    // connection's watchdog (queue and connect timeouts); `cancel` ends a queue wait.
    connector(upstream_context& u, transport& server, deadline& dl,
              boost::asio::cancellation_signal& cancel) noexcept
        : u_(u), server_(server), dl_(dl), cancel_(cancel) {}

    // The client the exchange is for and where it connected to (its PROXY
    // header's destination, or the listener's address), for a backend that
    // sends the PROXY protocol. Both outlive the connector (the session's).
    void client(const policy::client_address* source, const policy::client_address* destination) noexcept {
        source_ = source;
        destination_ = destination;
    }

    // The generation the exchange runs on (before take_slot; kept until the
    // exchange has released its slot).
    void use(const upstream_view& v) noexcept { view_ = v; }

    // A slot on a server of `backend`: at once, or in the queue (timeouts.queue).
    // 503 when no server is usable, the queue is full or the wait times out.
    boost::asio::awaitable<upstream_status> take_slot(std::size_t backend);
    // A connection to the slot's server: pooled (unless `fresh_only`) or new,
    // retried on another server up to the backend's `retries`. 502 when every
    // attempt failed, 504 when one timed out. The slot stays held either way.
    boost::asio::awaitable<upstream_status> connect(bool fresh_only = false);
    // Gives the slot back; the connection goes to the pool when `keep` (and the
    // server left it open), else it closes. No-op without a slot.
    void release(bool keep);

    // The request failed on the slot's server before any response byte reached
    // the client, and may be sent again (the caller checked it is safe): a
    // slot on another server and a connection to it, within the backend's
    // retry budget. When that cannot be, the status carries `failure`, the
    // reply the client gets instead.
    boost::asio::awaitable<upstream_status> retry_elsewhere(reply_reason failure);

    // Passive health (backends.passive_health): what the exchange saw of the
    // slot's server. A failure may eject it (logged once, by the ejector).
    void report(bool failed);

    bool holds_slot() const noexcept { return slot_ != nullptr; }
    // Whether the connection came from the pool (a stale one may fail once).
    bool reused() const noexcept { return reused_; }
    std::size_t backend() const noexcept { return backend_; }
    // The server of the slot held, or of the last one released (null: none).
    const server_state* server() const noexcept { return slot_ ? slot_.get() : last_.get(); }
    // This worker's counters of the backend of the last take_slot.
    backend_counters& counters() const noexcept { return be().worker_part(u_.worker).counters; }

private:
    boost::asio::awaitable<boost::system::error_code> dial(server_state& s);
    backend_state& be() const noexcept { return *view_.backends[backend_]; }

    upstream_context& u_;
    upstream_view view_;
    transport& server_;
    deadline& dl_;
    boost::asio::cancellation_signal& cancel_;
    std::size_t backend_ = 0;
    server_ptr slot_; // the server whose slot this exchange holds
    server_ptr last_; // the one it held last (the access log names it)
    bool reused_ = false;
    bool retrying_ = false; // holds a unit of the backend's retry budget
    const policy::client_address* source_ = nullptr;
    const policy::client_address* destination_ = nullptr;
};

} // namespace gw
