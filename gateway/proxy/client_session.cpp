// The client connection's life: idle without a buffer, parking, keep-alive,
// drain and abort; the replies the gateway writes itself; the access log.
#include "gateway/proxy/client_session.hpp"
#include "gateway/io/use_tuple.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string_view>
#include <tuple>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <openssl/ssl.h>

#include "alloc/async_acquire.hpp"

namespace gw {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;

session::session(proxy_context& ctx, std::size_t slot, transport client, bool resumed, parked_client who)
    : ctx_(ctx), cfg_(ctx.generations.current().config.get()), slot_(slot), listener_(generation::no_listener),
      client_(std::move(client)),
      server_(client_.get_executor()), dl_(client_.get_executor(), *this),
      upstream_(ctx.upstream, server_, dl_, cancel_), resumed_(resumed), rbuf_(), sbuf_() {
    upstream_.client(&client_ip_, &local_ip_);
    const auto& b = cfg_->buffers;
    head_area_ = b.size - b.maxrewrite;
    body_area_ = b.maxrewrite;
    error_code ec;
    if (!resumed && client_.is_plain())
        client_.socket().set_option(tcp::no_delay(true), ec);
    if (who.ticket != policy::client_table::no_ticket && ctx_.clients != nullptr) {
        // A parked connection back: its client is the one it parked with (the
        // PROXY header's, which the socket's peer is not).
        ticket_ = who.ticket;
        auto a = ctx_.clients->address_of(ticket_);
        a.port = who.port;
        set_client(a);
    } else if (const auto ep = client_.remote_endpoint(ec); !ec) {
        set_client(address_of(ep));
    }
    if (!resumed)
        ++lc().connections_total;
    ctx_.host.add(*this); // (the accept loop counted it in `connections` already)
}

session::~session() {
    if (!parking_ && ctx_.clients != nullptr)
        ctx_.clients->close(ticket_);
    ctx_.parking.idle_end(*this);
    ctx_.host.remove(*this);
    if (!parking_)
        ctx_.host.connection_closed(slot_);
}

void session::park() {
    if (parking_)
        ctx_.parking.park(std::move(client_), slot_, first_wait_, dl_.at(), {ticket_, client_ip_.port});
}

void session::on_drain() noexcept {
    closing_ = true;
    if (idle_)
        client_.cancel();
}

void session::on_park() noexcept {
    if (idle_) {
        park_requested_ = true;
        client_.cancel();
    }
}

void session::on_abort() noexcept {
    aborted_ = true;
    client_.cancel();
    server_.cancel();
    cancel_.emit(net::cancellation_type::terminal);
}

// The watchdog fired: whatever the session waits for ends now.
void session::on_deadline() noexcept {
    client_.cancel();
    server_.cancel();
    cancel_.emit(net::cancellation_type::terminal);
}

net::awaitable<bool> session::wait_idle(bool first) {
    // No buffer held until the client sends something; after client_park the
    // parking lot ends the session and keeps the socket.
    idle_ = true;
    first_wait_ = first;
    const auto timeout = first ? cfg_->timeouts.client_head : cfg_->timeouts.client_idle;
    arm(timeout, deadline_kind::client_idle);
    if (!unparkable_)
        ctx_.parking.idle_begin(*this, dl_.at() - timeout);
    // A read, not a wait for readability: Asio re-registers the socket with
    // epoll for every wait (one more syscall per request), while a read after
    // one that emptied the socket just waits for the next edge.
    auto [ec, n] = co_await client_.read_some(net::buffer(early_));
    early_size_ = n;
    ctx_.parking.idle_end(*this);
    idle_ = false;
    if (park_requested_ && ec == net::error::operation_aborted && !closing() &&
        !aborted_ && !timed_out(deadline_kind::client_idle)) {
        parking_ = true;
        co_return false;
    }
    park_requested_ = false;
    co_return !ec && !closing();
}

bool session::take_generation() {
    gen_ = ctx_.generations.take();
    cfg_ = gen_->config.get();
    listener_ = gen_->listener_of(slot_);
    if (listener_ != generation::no_listener)
        return true;
    gen_.reset();
    return false;
}

net::awaitable<void> session::serve() {
    if (!resumed_) {
        // (The TLS context lives through the handshake.)
        // (One co_await per statement: g++ 12 evaluates an awaited operand of
        // || before the operands to its left.)
        bool admitted = take_generation();
        if (admitted)
            admitted = co_await admit_connection();
        if (admitted && tls_context() != nullptr)
            admitted = co_await accept_tls(*tls_context());
        if (!admitted) {
            gen_.reset();
            client_.close();
            co_return;
        }
        gen_.reset();
    }
    bool first = !resumed_;
    bool readable = resumed_; // a resumed connection has its next request waiting
    while (!aborted_) {
        // Idle, the session holds no generation: the current one's settings now.
        cfg_ = ctx_.generations.current().config.get();
        if (!readable && (!req_lease_ || rbuf_.size() == 0) && !co_await wait_idle(first))
            break;
        // The exchange runs on the generation current as it starts, to its end.
        if (!take_generation())
            break;
        upstream_.use(gen_->upstream());
        readable = false;
        first = false;
        dl_.clear_expired();
        ex_ = exchange_state{};
        route_ = nullptr;
        sent_path_.clear();
        stale_retried_ = interim_sent_ = false;
        retries_done_ = 0;
        req_.reset();
        request_id_[0] = '\0';
        trace_id_[0] = '\0';
        ex_.start = clock_type::now();
        if (ctx_.log.enabled()) // (the access log's date; one clock read less per request)
            ex_.accepted = std::chrono::system_clock::now();
        const bool again = co_await exchange();
        finish_exchange();
        // An idle connection keeps nothing of its last exchange: the parsed heads
        // (their fields live on the heap) go now, not when the next request comes.
        req_.reset();
        res_.reset();
        gen_.reset();
        cfg_ = ctx_.generations.current().config.get();
        if (!again || closing())
            break;
    }
    req_lease_.reset();
    res_lease_.reset();
    if (!parking_)
        client_.close(true);
}

net::awaitable<bool> session::acquire(alloc::buffer_class c, alloc::buffer_lease& out) {
    auto [ec, lease] = co_await alloc::async_acquire(
        ctx_.shard, c, net::bind_cancellation_slot(cancel_.slot(), use_tuple));
    out = std::move(lease);
    co_return !ec;
}

net::awaitable<bool> session::own_buffer(alloc::buffer_lease& lease) {
    arm(cfg_->timeouts.send, deadline_kind::send);
    co_return have_buffer(alloc::buffer_class::critical, lease) ||
        co_await acquire(alloc::buffer_class::critical, lease);
}

net::awaitable<void> session::write_own(const alloc::buffer_lease& lease, std::size_t n) {
    auto [ec, written] = co_await net::async_write(client_, net::buffer(lease.data(), n), use_tuple);
    ex_.bytes_out += written;
}

net::awaitable<void> session::reply(reply_reason r, bool keep_alive, std::string_view extra) {
    alloc::buffer_lease lease;
    if (!co_await own_buffer(lease))
        co_return;
    char* out = reinterpret_cast<char*>(lease.data());
    const std::size_t n = render_reply(r, keep_alive, head_request_, out, lease.size(), extra);
    ex_.seen = true;
    ex_.status = static_cast<unsigned>(status_of(r));
    if (r == reply_reason::request_timeout) {
        ++ctx_.counters.client_timeouts;
        ex_.terminate('c', 'R');
    } else if (r == reply_reason::service_unavailable) {
        ex_.terminate('s', 'Q');
    } else if (r == reply_reason::bad_gateway || r == reply_reason::gateway_timeout) {
        ex_.terminate('s', ex_.response_ms < 0 && ex_.connect_ms < 0 ? 'C' : 'H');
    } else {
        ex_.terminate('P', 'R'); // the gateway refused the request
    }
    co_await write_own(lease, n);
}

void session::finish_exchange() {
    if (!ex_.seen)
        return; // the client closed an idle connection: nothing to report
    const auto elapsed = clock_type::now() - ex_.start;
    auto& l = lc();
    l.bytes_out += ex_.bytes_out;
    if (ex_.status != 0) {
        ++l.responses_by_class[status_class(ex_.status)];
        l.duration.observe(std::chrono::duration<double>(elapsed).count());
    }
    if (!ctx_.log.enabled())
        return;
    exchange_record r;
    r.client = std::string_view(client_ep_, client_ep_len_);
    r.accepted = ex_.accepted;
    r.listener = cfg_->listeners[listener_].name;
    r.backend = "-";
    r.server = "-";
    if (ex_.backend >= 0) {
        r.backend = cfg_->backends[static_cast<std::size_t>(ex_.backend)].name;
        if (const server_state* s = upstream_.server())
            r.server = s->name;
    }
    r.queue_ms = ex_.queue_ms;
    r.connect_ms = ex_.connect_ms;
    r.response_ms = ex_.response_ms;
    r.total_ms = static_cast<long>(
        std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count());
    r.status = ex_.status;
    r.bytes_out = ex_.bytes_out;
    r.termination[0] = ex_.termination[0];
    r.termination[1] = ex_.termination[1];
    r.method = "-";
    r.target = "-";
    if (req_) {
        const auto& h = req_->get();
        r.method = h.method_string();
        r.target = h.target();
        r.version = h.version();
    }
    if (ex_.status != 0 && ex_.backend >= 0 && request_id_[0] != '\0')
        r.request_id = std::string_view(request_id_, request_id_length);
    if (trace_id_[0] != '\0')
        r.trace_id = std::string_view(trace_id_, trace_id_length);
    if (SSL* ssl = client_.tls()) {
        r.tls_version = SSL_get_version(ssl);
        r.tls_cipher = SSL_get_cipher_name(ssl);
        if (const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name))
            r.sni = name;
    }
    ctx_.log.write(r);
}

net::awaitable<void> run_session(proxy_context& ctx, std::size_t listener, tcp::socket client,
                                 bool resumed) {
    return run_session(ctx, listener, transport(std::move(client)), resumed);
}

net::awaitable<void> run_session(proxy_context& ctx, std::size_t slot, transport client,
                                 bool resumed, parked_client who) {
    session s(ctx, slot, std::move(client), resumed, who);
    s.watchdog().start();
    co_await s.serve();
    co_await s.watchdog().stop();
    s.park();
}

} // namespace gw
