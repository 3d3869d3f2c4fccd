// The client session coroutine and its relay (the Beast-heavy file).
#include "gateway/proxy/session.hpp"

#include <array>
#include <chrono>
#include <cstring>
#include <optional>
#include <string_view>
#include <tuple>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_static_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>

#include "alloc/async_acquire.hpp"
#include "gateway/observe/access_log.hpp"
#include "gateway/http1/framing.hpp"
#include "gateway/http1/head.hpp"
#include "gateway/http1/replies.hpp"
#include "gateway/http1/request.hpp"
#include "gateway/http1/rewrite.hpp"
#include "gateway/io/deadline.hpp"
#include "gateway/io/transport.hpp"
#include "gateway/relay/body.hpp"
#include "gateway/relay/head_reader.hpp"
#include "gateway/relay/leg.hpp"
#include "gateway/app/worker.hpp"

namespace gw {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;
using clock_type = std::chrono::steady_clock;

namespace {

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);


bool is_network_error(const error_code& ec) {
    return ec == net::error::eof || ec == http::error::end_of_stream ||
           ec == net::error::connection_reset || ec == net::error::broken_pipe ||
           ec == net::error::operation_aborted || ec == net::error::not_connected ||
           ec == net::error::bad_descriptor;
}

} // namespace

class session final : public session_link, private deadline::owner {
public:
    session(worker& w, std::size_t listener, tcp::socket client, bool resumed)
        : w_(w), cfg_(*w.shared().config), listener_(listener), client_(std::move(client)),
          server_(client_.get_executor()), dl_(client_.get_executor(), *this), resumed_(resumed),
          rbuf_(), sbuf_() {
        const auto& b = cfg_.buffers;
        head_area_ = b.size - b.maxrewrite;
        body_area_ = b.maxrewrite;
        error_code ec;
        if (!resumed)
            client_.socket().set_option(tcp::no_delay(true), ec);
        const auto ep = client_.socket().remote_endpoint(ec);
        if (!ec) {
            const auto text = ep.address().to_string();
            client_addr_len_ = std::min(text.size(), sizeof client_addr_);
            std::memcpy(client_addr_, text.data(), client_addr_len_);
            const int n = std::snprintf(client_ep_, sizeof client_ep_, "%s:%u", text.c_str(),
                                        static_cast<unsigned>(ep.port()));
            client_ep_len_ = n > 0 ? std::min(static_cast<std::size_t>(n), sizeof client_ep_ - 1) : 0;
        }
        if (!resumed)
            ++lc().connections_total;
        w_.add(*this); // (the accept loop counted it in `connections` already)
    }
    ~session() override {
        w_.parking().idle_end(*this);
        w_.remove(*this);
        if (!parking_)
            w_.connection_closed(listener_);
    }

    // After serve(): the session ended idle for client_park; its socket parks.
    void park() {
        if (parking_)
            w_.parking().park(std::move(client_.socket()), listener_, first_wait_, dl_.at());
    }

    net::awaitable<void> serve();
    // The connection's watchdog (io/deadline): started before serve(), stopped after.
    deadline& watchdog() noexcept { return dl_; }

    void on_drain() noexcept override {
        if (idle_) {
            client_.cancel();
        }
    }
    void on_park() noexcept override {
        if (idle_) {
            park_requested_ = true;
            client_.cancel();
        }
    }
    void on_abort() noexcept override {
        aborted_ = true;
        client_.cancel();
        server_.cancel();
        cancel_.emit(net::cancellation_type::terminal);
    }

private:
    net::awaitable<bool> exchange();
    net::awaitable<bool> read_request_head();
    net::awaitable<bool> take_server(std::size_t backend);
    net::awaitable<bool> connect_server(std::size_t backend, bool fresh_only = false);
    void prepare_request_head(std::size_t backend);
    // Writes a response head alone (1xx, 101) through Beast's serializer.
    net::awaitable<error_code> write_response_head(http::response<http::buffer_body>& m);
    // One direction of this exchange for the relays: `lease` is the buffer
    // `in` reads into, the read timeout is the source's.
    leg make_leg(transport& from, pool_buffer& in, transport& to, alloc::buffer_lease& lease,
                 config::duration read_timeout, deadline_kind read_kind, std::uint64_t* bytes_in,
                 std::uint64_t* bytes_out) {
        return leg{&from, &to, &in, reinterpret_cast<char*>(lease.data()), head_area_, body_area_,
                   &dl_, read_timeout, read_kind, cfg_.timeouts.send, bytes_in, bytes_out,
                   cfg_.buffers.splice ? &w_.pipes() : nullptr, &w_.counters().spliced_bytes};
    }
    net::awaitable<bool> relay_request();
    net::awaitable<bool> relay_response(std::size_t backend);
    net::awaitable<void> reply(reply_reason r, bool keep_alive);
    // Takes a buffer of class `c` if one is free now, else waits for one in
    // acquire() (false: cancelled or timed out). Callers try have_buffer() first:
    // most of the time a buffer is free, and a coroutine call costs a frame.
    bool have_buffer(alloc::buffer_class c, alloc::buffer_lease& out) {
        out = w_.shard().try_acquire(c);
        return static_cast<bool>(out);
    }
    net::awaitable<bool> acquire(alloc::buffer_class c, alloc::buffer_lease& out);
    net::awaitable<void> tunnel();
    net::awaitable<void> pump(transport* from, transport* to, char* buf, std::size_t n);

    // The watchdog fired: whatever the session waits for ends now.
    void on_deadline() noexcept override {
        client_.cancel();
        server_.cancel();
        cancel_.emit(net::cancellation_type::terminal);
    }
    void arm(config::duration d, deadline_kind k) { dl_.arm(d, k); }
    bool timed_out(deadline_kind k) const noexcept { return dl_.timed_out(k); }

    // Pipelined bytes left after the previous request go to the buffer's front,
    // so that the next head starts at the buffer's first byte.
    void compact_request_buffer() {
        char* base = reinterpret_cast<char*>(req_lease_.data());
        const auto d = rbuf_.data();
        const std::size_t n = d.size();
        if (n != 0 && static_cast<const char*>(d.data()) != base)
            std::memmove(base, d.data(), n);
        rbuf_.reset(base, head_area_);
        rbuf_.prepare(n);
        rbuf_.commit(n);
    }
    void release_server(bool keep, std::size_t backend) {
        if (server_index_ < 0)
            return;
        if (keep && server_.is_open()) {
            w_.cache().put(backend, static_cast<std::size_t>(server_index_), std::move(server_.socket()));
            server_.socket() = tcp::socket(client_.get_executor());
        } else {
            server_.close();
        }
        w_.shared().backends[backend]->release(static_cast<std::size_t>(server_index_));
        last_server_ = server_index_;
        server_index_ = -1;
    }

    worker& w_;
    const config::gateway_config& cfg_;
    std::size_t listener_;
    transport client_;
    transport server_;
    deadline dl_;
    net::cancellation_signal cancel_; // bound to pool and queue waits
    bool idle_ = false;
    bool resumed_ = false;        // taken over from the parking lot
    bool first_wait_ = false;     // idle before the first request
    bool park_requested_ = false; // the parking lot cancelled the idle wait
    bool parking_ = false;        // ending to park: the socket stays open
    bool aborted_ = false;

    // The first bytes of a request, read while idle before the session holds a
    // buffer; they go to the front of the request buffer once it has one.
    char early_[1024];
    std::size_t early_size_ = 0;
    std::size_t head_area_ = 0; // read area of a buffer: heads must fit here
    std::size_t body_area_ = 0; // the rest: body bytes bounce through it
    alloc::buffer_lease req_lease_;
    alloc::buffer_lease res_lease_;
    pool_buffer rbuf_; // client input over req_lease_
    pool_buffer sbuf_; // server input over res_lease_
    std::optional<request_parser> req_;
    std::optional<response_parser> res_;
    int server_index_ = -1;
    int last_server_ = -1; // the server of the last exchange (access log)
    bool server_reused_ = false;
    bool head_request_ = false;
    bool client_keep_alive_ = false;
    bool request_has_body_ = false;
    bool upgrade_requested_ = false;
    // A reused server connection turned out closed before any response byte:
    // a request without a body is sent again once on a fresh connection.
    bool stale_connection_ = false;
    bool expects_continue_ = false;
    char client_addr_[64] = {};
    std::size_t client_addr_len_ = 0;
    char client_ep_[72] = {}; // "ip:port" for the access log
    std::size_t client_ep_len_ = 0;

    // What the current exchange did, for the counters and the access log.
    struct exchange_state {
        bool seen = false;          // a request started (something to log)
        unsigned status = 0;        // sent to the client; 0 = nothing
        std::uint64_t bytes_out = 0;
        clock_type::time_point start;
        std::chrono::system_clock::time_point accepted;
        long queue_ms = -1, connect_ms = -1, response_ms = -1;
        int backend = -1;
        char termination[3] = {'-', '-', '\0'};
    } ex_;
    void terminate(char who, char when) noexcept {
        if (ex_.termination[0] == '-') {
            ex_.termination[0] = who;
            ex_.termination[1] = when;
        }
    }
    static long ms_since(clock_type::time_point t) {
        return static_cast<long>(
            std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - t).count());
    }
    listener_counters& lc() noexcept { return w_.counters().listeners[listener_]; }
    void finish_exchange();
    char request_id_[request_id_length] = {};
};

net::awaitable<void> session::serve() {
    bool first = !resumed_;
    bool readable = resumed_; // a resumed connection has its next request waiting
    while (!aborted_) {
        if (!readable && (!req_lease_ || rbuf_.size() == 0)) {
            // Idle: no buffer held until the client sends something; after
            // client_park the parking lot ends the session and keeps the socket.
            idle_ = true;
            first_wait_ = first;
            arm(first ? cfg_.timeouts.client_head : cfg_.timeouts.client_idle,
                deadline_kind::client_idle);
            w_.parking().idle_begin(*this, dl_.at() - (first ? cfg_.timeouts.client_head
                                                              : cfg_.timeouts.client_idle));
            // A read, not a wait for readability: Asio re-registers the socket
            // with epoll for every wait (one more syscall per request), while a
            // read after one that emptied the socket just waits for the next edge.
            auto [ec, n] = co_await client_.read_some(net::buffer(early_));
            early_size_ = n;
            w_.parking().idle_end(*this);
            idle_ = false;
            if (park_requested_ && ec == net::error::operation_aborted && !w_.draining() &&
                !aborted_ && !timed_out(deadline_kind::client_idle)) {
                parking_ = true;
                break;
            }
            park_requested_ = false;
            if (ec || w_.draining())
                break;
        }
        readable = false;
        first = false;
        dl_.clear_expired();
        ex_ = exchange_state{};
        req_.reset();
        last_server_ = -1;
        request_id_[0] = '\0';
        ex_.start = clock_type::now();
        if (w_.log().enabled()) // (the access log's date; one clock read less per request)
            ex_.accepted = std::chrono::system_clock::now();
        const bool again = co_await exchange();
        finish_exchange();
        // An idle connection keeps nothing of its last exchange: the parsed heads
        // (their fields live on the heap) go now, not when the next request comes.
        req_.reset();
        res_.reset();
        if (!again || w_.draining())
            break;
    }
    req_lease_.reset();
    res_lease_.reset();
    if (!parking_) {
        client_.close(true);
    }
}

net::awaitable<bool> session::acquire(alloc::buffer_class c, alloc::buffer_lease& out) {
    auto [ec, lease] = co_await alloc::async_acquire(
        w_.shard(), c, net::bind_cancellation_slot(cancel_.slot(), use_tuple));
    out = std::move(lease);
    co_return !ec;
}

net::awaitable<void> session::reply(reply_reason r, bool keep_alive) {
    alloc::buffer_lease lease;
    arm(cfg_.timeouts.send, deadline_kind::send);
    if (!have_buffer(alloc::buffer_class::critical, lease) &&
        !co_await acquire(alloc::buffer_class::critical, lease))
        co_return;
    char* out = reinterpret_cast<char*>(lease.data());
    const std::size_t n = render_reply(r, keep_alive, head_request_, out, lease.size());
    ex_.seen = true;
    ex_.status = static_cast<unsigned>(status_of(r));
    if (r == reply_reason::request_timeout) {
        ++w_.counters().client_timeouts;
        terminate('c', 'R');
    } else if (r == reply_reason::service_unavailable) {
        terminate('s', 'Q');
    } else if (r == reply_reason::bad_gateway || r == reply_reason::gateway_timeout) {
        terminate('s', ex_.response_ms < 0 && ex_.connect_ms < 0 ? 'C' : 'H');
    } else {
        terminate('P', 'R'); // the gateway refused the request
    }
    auto [ec, written] = co_await net::async_write(client_, net::buffer(out, n), use_tuple);
    ex_.bytes_out += written;
}

net::awaitable<bool> session::read_request_head() {
    if (!req_lease_) {
        arm(cfg_.timeouts.client_head, deadline_kind::client_head);
        if (!have_buffer(alloc::buffer_class::normal, req_lease_) &&
            !co_await acquire(alloc::buffer_class::normal, req_lease_)) {
            if (timed_out(deadline_kind::client_head))
                co_await reply(reply_reason::request_timeout, false);
            co_return false;
        }
        rbuf_.reset(req_lease_.data(), head_area_);
    } else {
        compact_request_buffer();
    }
    if (early_size_ != 0) { // (the buffer is empty then: the session was idle)
        std::memcpy(rbuf_.prepare(early_size_).data(), early_, early_size_);
        rbuf_.commit(early_size_);
        early_size_ = 0;
    }
    arm(cfg_.timeouts.client_head, deadline_kind::client_head);
    req_.emplace();
    req_->header_limit(static_cast<std::uint32_t>(head_area_));
    const auto limit = cfg_.listeners[listener_].body_limit;
    req_->body_limit(limit ? boost::optional<std::uint64_t>(limit) : boost::none);
    auto [ec, n] = co_await read_head(client_, rbuf_, *req_);
    lc().bytes_in += n;
    ex_.seen = ex_.seen || n != 0 || !is_network_error(ec);
    if (ec) {
        if (timed_out(deadline_kind::client_head))
            co_await reply(reply_reason::request_timeout, false);
        else if (ec == http::error::buffer_overflow)
            co_await reply(reply_reason::header_too_large, false);
        else if (!is_network_error(ec))
            co_await reply(reason_for_parse_error(ec), false);
        co_return false;
    }
    // The head starts at the buffer's front (compacted above) and is exactly the
    // n bytes the parser took: it consumes a head only whole. (The buffer's read
    // pointer cannot tell: a fully consumed buffer rewinds.)
    const std::string_view raw(reinterpret_cast<const char*>(req_lease_.data()), n);
    auto& h = req_->get();
    ++lc().requests_total;
    head_request_ = h.method() == http::verb::head;
    // (Routing below reads the Host this validates.)
    const reply_reason bad = check_request_head(raw, h);
    if (bad != reply_reason::none) {
        co_await reply(bad, false);
        co_return false;
    }
    co_return true;
}

net::awaitable<bool> session::exchange() {
    if (!co_await read_request_head())
        co_return false;
    auto& h = req_->get();
    request_has_body_ = !req_->is_done();
    client_keep_alive_ = client_keeps_alive(h);

    const auto backend = w_.shared().routes.route(listener_, h[http::field::host], h.target());
    if (!backend) {
        // Without a body to skip, the connection can stay open.
        co_await reply(reply_reason::not_found, client_keep_alive_ && !request_has_body_);
        co_return client_keep_alive_ && !request_has_body_;
    }
    ex_.backend = static_cast<int>(*backend);
    const auto queue_start = clock_type::now();
    if (!co_await take_server(*backend))
        co_return false;
    ex_.queue_ms = ms_since(queue_start);
    const auto connect_start = clock_type::now();
    if (!co_await connect_server(*backend)) {
        release_server(false, *backend);
        co_return false;
    }
    ex_.connect_ms = ms_since(connect_start);
    prepare_request_head(*backend);
    for (int attempt = 0;; ++attempt) {
        stale_connection_ = false;
        if (!co_await relay_request()) {
            if (!stale_connection_ || attempt > 0) {
                release_server(false, *backend);
                co_return false;
            }
        } else {
            // The request is flushed: its buffer goes back unless pipelined bytes wait in it.
            if (rbuf_.size() == 0)
                req_lease_.reset();
            const bool ok = co_await relay_response(*backend);
            if (!stale_connection_ || attempt > 0) {
                res_lease_.reset();
                co_return ok && client_keep_alive_;
            }
        }
        // The server had closed the kept-alive connection: once more on a new one.
        server_.close();
        if (!co_await connect_server(*backend, true)) {
            release_server(false, *backend);
            co_return false;
        }
    }
}

net::awaitable<bool> session::take_server(std::size_t backend) {
    backend_state& be = *w_.shared().backends[backend];
    const int s = be.try_take(w_.rr_cursor(backend));
    if (s >= 0) {
        server_index_ = s;
        co_return true;
    }
    if (!be.has_usable_server()) {
        co_await reply(reply_reason::service_unavailable, false);
        co_return false;
    }
    // Every usable server is at maxconn: wait in the backend's queue, still
    // holding the request buffer (the seed's situation).
    arm(cfg_.timeouts.queue, deadline_kind::queue);
    auto& bc = w_.counters().backends[backend];
    ++bc.queued_total;
    const auto waited_from = clock_type::now();
    auto [ec, server] = co_await async_wait_for_server(
        be, net::bind_cancellation_slot(cancel_.slot(), use_tuple));
    bc.queue_seconds += std::chrono::duration<double>(clock_type::now() - waited_from).count();
    if (ec) {
        if (timed_out(deadline_kind::queue))
            be.count_queue_timeout();
        if (timed_out(deadline_kind::queue) || ec == net::error::no_buffer_space)
            co_await reply(reply_reason::service_unavailable, false);
        co_return false;
    }
    server_index_ = static_cast<int>(server);
    co_return true;
}

net::awaitable<bool> session::connect_server(std::size_t backend, bool fresh_only) {
    backend_state& be = *w_.shared().backends[backend];
    const unsigned attempts = 1 + cfg_.backends[backend].retries;
    bool timed_out_once = false;
    for (unsigned attempt = 0; attempt < attempts; ++attempt) {
        if (attempt > 0) {
            // Retry on another server when there is one with a free slot.
            const int failed = server_index_;
            const int next = be.try_take(w_.rr_cursor(backend), failed);
            if (next >= 0) {
                be.release(static_cast<std::size_t>(failed));
                server_index_ = next;
            }
            ++w_.counters().backends[backend].retries;
        }
        server_state& s = be.server(static_cast<std::size_t>(server_index_));
        auto cached = fresh_only ? std::nullopt
                                 : w_.cache().take(backend, static_cast<std::size_t>(server_index_));
        if (cached) {
            server_.socket() = std::move(*cached);
            server_reused_ = true;
            s.requests.fetch_add(1, std::memory_order_relaxed);
            co_return true;
        }
        server_reused_ = false;
        server_.socket() = tcp::socket(client_.get_executor());
        dl_.clear_expired();
        arm(cfg_.timeouts.connect, deadline_kind::connect);
        auto [ec] = co_await server_.socket().async_connect(s.endpoint, use_tuple);
        if (!ec) {
            error_code ignored;
            server_.socket().set_option(tcp::no_delay(true), ignored);
            s.requests.fetch_add(1, std::memory_order_relaxed);
            s.connects.fetch_add(1, std::memory_order_relaxed);
            co_return true;
        }
        s.connect_failures.fetch_add(1, std::memory_order_relaxed);
        if (timed_out(deadline_kind::connect)) {
            timed_out_once = true;
            ++w_.counters().backends[backend].connect_timeouts;
        }
        server_.close();
        if (aborted_)
            co_return false;
    }
    co_await reply(timed_out_once ? reply_reason::gateway_timeout : reply_reason::bad_gateway,
                   false);
    co_return false;
}

// Rewrites the request head for the server, once per request.
void session::prepare_request_head(std::size_t backend) {
    auto& h = req_->get();
    format_request_id(w_.next_request_id(), request_id_);
    std::string server_host; // only for an HTTP/1.0 request without Host
    if (h.find(http::field::host) == h.end()) {
        const auto& ep = w_.shared().backends[backend]->server(static_cast<std::size_t>(server_index_)).endpoint;
        server_host = ep.address().to_string() + ':' + std::to_string(ep.port());
    }
    const auto plan = prepare_forward_head(
        h, request_has_body_,
        {std::string_view(client_addr_, client_addr_len_), "http",
         std::string_view(request_id_, request_id_length), server_host});
    upgrade_requested_ = plan.upgrade;
    expects_continue_ = plan.expects_continue;
}

net::awaitable<bool> session::relay_request() {
    if (expects_continue_) {
        expects_continue_ = false;
        static constexpr std::string_view continue_line = "HTTP/1.1 100 Continue\r\n\r\n";
        arm(cfg_.timeouts.send, deadline_kind::send);
        auto [ec, n] = co_await net::async_write(client_, net::buffer(continue_line), use_tuple);
        if (ec)
            co_return false;
    }

    const auto r = co_await relay_body(*req_, make_leg(client_, rbuf_, server_, req_lease_,
                                                       cfg_.timeouts.client_head,
                                                       deadline_kind::client_head,
                                                       &lc().bytes_in, nullptr));
    using failed = body_result::failed;
    if (r.stage == failed::read) {
        if (!is_network_error(r.ec) && !timed_out(deadline_kind::client_head))
            co_await reply(reason_for_parse_error(r.ec), false);
        terminate('C', 'D');
        co_return false;
    }
    if (r.stage == failed::write) {
        if (server_reused_ && !request_has_body_ && !timed_out(deadline_kind::send)) {
            stale_connection_ = true; // the caller tries a fresh connection
            co_return false;
        }
        co_await reply(reply_reason::bad_gateway, false);
        co_return false;
    }
    co_return true;
}

net::awaitable<bool> session::relay_response(std::size_t backend) {
    arm(cfg_.timeouts.server, deadline_kind::server);
    if (!res_lease_ && !have_buffer(alloc::buffer_class::critical, res_lease_) &&
        !co_await acquire(alloc::buffer_class::critical, res_lease_)) {
        release_server(false, backend);
        if (timed_out(deadline_kind::server))
            co_await reply(reply_reason::gateway_timeout, false);
        co_return false;
    }
    sbuf_.reset(res_lease_.data(), head_area_);
    const auto sent_at = clock_type::now();
    // Read the final response head, relaying interim 1xx responses (not 101).
    for (;;) {
        res_.emplace();
        res_->header_limit(static_cast<std::uint32_t>(head_area_));
        res_->body_limit(boost::none);
        if (head_request_)
            res_->skip(true); // RFC 9110 9.3.2: a response to HEAD has no body
        arm(cfg_.timeouts.server, deadline_kind::server);
        auto [ec, n] = co_await read_head(server_, sbuf_, *res_);
        if (ec && server_reused_ && !request_has_body_ && n == 0 && sbuf_.size() == 0 &&
            !timed_out(deadline_kind::server) && is_network_error(ec) && !aborted_) {
            stale_connection_ = true; // closed by the server while idle: not the request's fault
            co_return false;
        }
        if (ec) {
            if (timed_out(deadline_kind::server))
                ++w_.counters().backends[backend].server_timeouts;
            ex_.response_ms = -1;
            ex_.connect_ms = ex_.connect_ms < 0 ? 0 : ex_.connect_ms;
            release_server(false, backend);
            co_await reply(timed_out(deadline_kind::server) ? reply_reason::gateway_timeout
                                                            : reply_reason::bad_gateway,
                           false);
            co_return false;
        }
        // Framing we will not relay, or a body the status forbids (the server
        // could send it later, into the next exchange): 502, connection closed.
        if (check_response_framing(res_->get()) != reply_reason::none ||
            (declares_forbidden_body(res_->get()) && res_->get().result_int() < 200)) {
            ex_.response_ms = -1;
            release_server(false, backend);
            co_await reply(reply_reason::bad_gateway, false);
            co_return false;
        }
        const unsigned status = res_->get().result_int();
        if (status >= 200 || status == 101)
            break;
        // Interim response: forward it as is and wait for the next one.
        if (co_await write_response_head(res_->get())) {
            release_server(false, backend);
            co_return false;
        }
    }

    auto& m = res_->get();
    ex_.response_ms = ms_since(sent_at);
    ex_.status = m.result_int();
    ++w_.counters().backends[backend].responses_by_class[status_class(ex_.status)];
    const bool server_keep_alive = m.keep_alive() && !res_->need_eof() && !declares_forbidden_body(m);
    const bool switching = m.result() == http::status::switching_protocols;
    remove_hop_by_hop(m, switching);
    drop_bodiless_framing(m);
    canonicalize_content_length(m);
    const bool client_is_10 = req_->get().version() < 11;
    if (res_->need_eof() && !res_->is_done()) {
        // Close-delimited body: chunk it for HTTP/1.1 clients to keep them alive.
        if (client_is_10)
            client_keep_alive_ = false;
        else
            m.chunked(true);
    }
    if (client_is_10 && m.chunked()) {
        m.chunked(false); // no chunked coding for HTTP/1.0: close-delimited instead
        client_keep_alive_ = false;
    }
    if (switching) {
        if (!upgrade_requested_) { // a 101 nobody asked for cannot be relayed
            release_server(false, backend);
            co_await reply(reply_reason::bad_gateway, false);
            co_return false;
        }
        // RFC 9110 7.8: relay the 101, then both connections become a tunnel.
        if (!co_await write_response_head(m))
            co_await tunnel();
        release_server(false, backend);
        client_keep_alive_ = false;
        co_return false;
    }
    m.version(11);
    m.keep_alive(client_keep_alive_ && !w_.draining());

    const auto r = co_await relay_body(*res_, make_leg(server_, sbuf_, client_, res_lease_,
                                                       cfg_.timeouts.server, deadline_kind::server,
                                                       nullptr, &ex_.bytes_out));
    if (r.stage != body_result::failed::nothing) {
        // Part of the response is out already: all we can do is close.
        if (r.stage == body_result::failed::read)
            terminate(timed_out(deadline_kind::server) ? 's' : 'S', 'D');
        else
            terminate('C', 'D');
        release_server(false, backend);
        co_return false;
    }
    release_server(server_keep_alive && sbuf_.size() == 0, backend);
    dl_.disarm();
    co_return true;
}

net::awaitable<error_code> session::write_response_head(http::response<http::buffer_body>& m) {
    http::response_serializer<http::buffer_body> sr{m};
    arm(cfg_.timeouts.send, deadline_kind::send);
    auto [ec, n] = co_await http::async_write_header(client_, sr, use_tuple);
    co_return ec;
}

// Counts the exchange and writes its access log line.
void session::finish_exchange() {
    if (!ex_.seen)
        return; // the client closed an idle connection: nothing to report
    const auto elapsed = clock_type::now() - ex_.start;
    const auto total = static_cast<long>(
        std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count());
    auto& l = lc();
    l.bytes_out += ex_.bytes_out;
    if (ex_.status != 0) {
        ++l.responses_by_class[status_class(ex_.status)];
        l.duration.observe(std::chrono::duration<double>(elapsed).count());
    }
    auto& log = w_.log();
    if (!log.enabled())
        return;
    exchange_record r;
    r.client = std::string_view(client_ep_, client_ep_len_);
    r.accepted = ex_.accepted;
    r.listener = cfg_.listeners[listener_].name;
    r.backend = ex_.backend >= 0 ? std::string_view(cfg_.backends[static_cast<std::size_t>(ex_.backend)].name) : "-";
    r.server = "-";
    if (ex_.backend >= 0 && last_server_ >= 0)
        r.server = w_.shared().backends[static_cast<std::size_t>(ex_.backend)]->server(static_cast<std::size_t>(last_server_)).name;
    r.queue_ms = ex_.queue_ms;
    r.connect_ms = ex_.connect_ms;
    r.response_ms = ex_.response_ms;
    r.total_ms = total;
    r.status = ex_.status;
    r.bytes_out = ex_.bytes_out;
    r.termination[0] = ex_.termination[0];
    r.termination[1] = ex_.termination[1];
    if (req_) {
        const auto& h = req_->get();
        r.method = h.method_string();
        r.target = h.target();
        r.version = h.version();
    } else {
        r.method = "-";
        r.target = "-";
    }
    if (ex_.status != 0 && ex_.backend >= 0 && request_id_[0] != '\0')
        r.request_id = std::string_view(request_id_, request_id_length);
    log.write(r);
}

// An Upgrade (WebSocket) tunnel: bytes both ways until either side closes or
// the tunnel stays idle for timeouts.tunnel. Server-to-client bytes use the
// response buffer (critical); client-to-server bytes a request buffer (normal).
net::awaitable<void> session::tunnel() {
    // Bytes that arrived behind the heads belong to the tunnel already.
    arm(cfg_.timeouts.send, deadline_kind::send);
    if (sbuf_.size() != 0) {
        auto [ec, n] = co_await net::async_write(client_, sbuf_.data(), use_tuple);
        if (ec)
            co_return;
        sbuf_.consume(n);
    }
    if (req_lease_ && rbuf_.size() != 0) {
        auto [ec, n] = co_await net::async_write(server_, rbuf_.data(), use_tuple);
        if (ec)
            co_return;
        rbuf_.consume(n);
    }
    if (!req_lease_ && !have_buffer(alloc::buffer_class::normal, req_lease_) &&
        !co_await acquire(alloc::buffer_class::normal, req_lease_))
        co_return;
    using namespace net::experimental::awaitable_operators;
    const std::size_t n = res_lease_.size();
    co_await (pump(&client_, &server_, reinterpret_cast<char*>(req_lease_.data()), n) ||
              pump(&server_, &client_, reinterpret_cast<char*>(res_lease_.data()), n));
    dl_.disarm();
}

net::awaitable<void> session::pump(transport* from, transport* to, char* buf, std::size_t n) {
    for (;;) {
        arm(cfg_.timeouts.tunnel, deadline_kind::tunnel); // lazy: a later deadline is a store
        auto [ec, got] = co_await from->async_read_some(net::buffer(buf, n), use_tuple);
        if (ec)
            co_return;
        auto [wec, put] = co_await net::async_write(*to, net::buffer(buf, got), use_tuple);
        if (wec)
            co_return;
    }
}

net::awaitable<void> run_session(worker* w, std::size_t listener, tcp::socket client,
                                 bool resumed) {
    session s(*w, listener, std::move(client), resumed);
    s.watchdog().start();
    co_await s.serve();
    co_await s.watchdog().stop();
    s.park();
}

} // namespace gw
