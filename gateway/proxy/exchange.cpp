// One exchange as named phases: read the request head, route, get a server,
// send the request, read the response head, relay the body (or tunnel).
// Each phase answers the client itself when it fails and says whether the
// connection goes on. (Beast's parser and serializer are instantiated in
// relay/, not here.)
#include "gateway/proxy/client_session.hpp"

#include <cstring>
#include <string>
#include <string_view>
#include <tuple>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "gateway/http1/framing.hpp"
#include "gateway/http1/request.hpp"
#include "gateway/relay/body.hpp"
#include "gateway/relay/tunnel.hpp"
#include "gateway/io/use_tuple.hpp"

namespace gw {

namespace net = boost::asio;
namespace http = boost::beast::http;
using error_code = boost::system::error_code;

namespace {

bool is_network_error(const error_code& ec) {
    return ec == net::error::eof || ec == http::error::end_of_stream ||
           ec == net::error::connection_reset || ec == net::error::broken_pipe ||
           ec == net::error::operation_aborted || ec == net::error::not_connected ||
           ec == net::error::bad_descriptor ||
           ec == net::error::no_buffer_space; // (a relay's wait for a buffer was cancelled)
}

} // namespace

net::awaitable<bool> session::exchange() {
    if (!co_await read_request_head())
        co_return false;
    auto& h = req_->get();
    request_has_body_ = !req_->is_done();
    client_keep_alive_ = client_keeps_alive(h);
    if (const auto refused = listener_refusal(); refused != reply_reason::none)
        co_return co_await refuse_request(refused);
    if (cfg_->listeners[listener_].redirect_https)
        co_return co_await redirect_https();
    const auto match = gen_->routes.route(listener_, h[http::field::host], h.target());
    if (!match) {
        // Without a body to skip, the connection can stay open.
        co_await reply(reply_reason::not_found, client_keep_alive_ && !request_has_body_);
        co_return client_keep_alive_ && !request_has_body_;
    }
    route_ = match->route;
    if (const auto refused = route_refusal(); refused != reply_reason::none)
        co_return co_await refuse_request(refused);
    if (match->backend == router::no_backend)
        co_return co_await answer_route(*route_);
    ex_.backend = static_cast<int>(match->backend);
    if (!co_await get_server(match->backend))
        co_return false;
    prepare_request_head();
    note_replayable_body();
    for (;;) {
        again_ = resend::no;
        if (!co_await send_request()) {
            if (again_ == resend::no) {
                upstream_.release(false);
                co_return false;
            }
        } else {
            // The request is flushed: its buffer goes back unless pipelined
            // bytes wait in it, or it holds a body a retry may send again.
            if (rbuf_.size() == 0 && !body_replayable_)
                req_lease_.reset();
            const bool ok = co_await relay_response();
            if (again_ == resend::no) {
                res_lease_.reset();
                if (body_replayable_ && rbuf_.size() == 0)
                    req_lease_.reset(); // (kept for a retry; idle sessions hold none)
                co_return ok && client_keep_alive_;
            }
        }
        // Once more: on a new connection to the same server (the kept-alive
        // one had been closed by the server), or on another server.
        server_.close();
        const bool stale = again_ == resend::stale;
        stale_retried_ = stale_retried_ || stale;
        retries_done_ += stale ? 0 : 1;
        upstream_status st;
        if (stale)
            st = co_await upstream_.connect(true);
        else
            st = co_await upstream_.retry_elsewhere(retry_failure_);
        if (!st.ok)
            co_return co_await server_failed(st.reply);
        if (request_has_body_)
            restore_request_buffer();
    }
}

net::awaitable<bool> session::read_request_head() {
    if (!req_lease_) {
        arm(cfg_->timeouts.client_head, deadline_kind::client_head);
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
    arm(cfg_->timeouts.client_head, deadline_kind::client_head);
    req_.emplace();
    req_->header_limit(static_cast<std::uint32_t>(head_area_));
    const auto limit = cfg_->listeners[listener_].body_limit;
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
    // (Routing reads the Host this validates.)
    const reply_reason bad = check_request_head(raw, h);
    if (bad != reply_reason::none) {
        co_await reply(bad, false);
        co_return false;
    }
    co_return true;
}

// A slot on a server (maybe after the queue), then a connection to it.
net::awaitable<bool> session::get_server(std::size_t backend) {
    if (!local_known_ && cfg_->backends[backend].send_proxy != config::proxy_send::off &&
        (client_.is_plain() || client_.is_tls()))
        learn_local_address();
    const auto queue_start = clock_type::now();
    auto st = co_await upstream_.take_slot(backend);
    if (!st.ok)
        co_return co_await server_failed(st.reply);
    ex_.queue_ms = ms_since(queue_start);
    const auto connect_start = clock_type::now();
    st = co_await upstream_.connect();
    if (!st.ok)
        co_return co_await server_failed(st.reply);
    ex_.connect_ms = ms_since(connect_start);
    co_return true;
}

net::awaitable<bool> session::server_failed(reply_reason r) {
    upstream_.release(false);
    if (r != reply_reason::none)
        co_await reply(r, false);
    co_return false;
}

// Rewrites the request head for the server, once per request.
void session::prepare_request_head() {
    auto& h = req_->get();
    format_request_id(ctx_.next_request_id(), request_id_);
    std::string server_host; // only for an HTTP/1.0 request without Host
    if (h.find(http::field::host) == h.end()) {
        const auto& ep = upstream_.server()->endpoint;
        server_host = ep.address().to_string() + ':' + std::to_string(ep.port());
    }
    const auto plan = prepare_forward_head(
        h, request_has_body_,
        {std::string_view(client_addr_, client_addr_len_), client_.is_tls() ? "https" : "http",
         std::string_view(request_id_, request_id_length), server_host,
         policy::in_any(cfg_->listeners[listener_].trusted_proxies, client_ip_)});
    forward_client_subject(h);
    if (cfg_->tracing.enabled)
        propagate_trace(h, [this] { return ctx_.next_random(); }, cfg_->tracing.sampled, trace_id_);
    if (route_ != nullptr)
        apply_request_rules(h);
    upgrade_requested_ = plan.upgrade;
    expects_continue_ = plan.expects_continue;
}

// The field that carries a verified client certificate's subject is the
// gateway's alone: whatever the client sent under that name goes.
void session::forward_client_subject(request_head& h) {
    const auto* tls = tls_context();
    if (tls == nullptr)
        return;
    const auto& name = tls->settings().client_subject_header;
    if (name.empty())
        return;
    h.erase(name);
    if (!client_subject_.empty())
        h.set(name, client_subject_);
}

net::awaitable<bool> session::send_request() {
    if (expects_continue_) {
        expects_continue_ = false;
        static constexpr std::string_view continue_line = "HTTP/1.1 100 Continue\r\n\r\n";
        arm(cfg_->timeouts.send, deadline_kind::send);
        auto [ec, n] = co_await net::async_write(client_, net::buffer(continue_line), use_tuple);
        if (ec)
            co_return false;
    }
    // (A named leg: the relays keep a reference to it across their waits.)
    const leg l = make_leg(client_, rbuf_, server_, req_held_, cfg_->timeouts.client_head,
                           deadline_kind::client_head, &lc().bytes_in, nullptr);
    const auto r = co_await relay_body(*req_, l);
    using failed = body_result::failed;
    if (r.stage == failed::read) {
        if (!is_network_error(r.ec) && !timed_out(deadline_kind::client_head))
            co_await reply(reason_for_parse_error(r.ec), false);
        ex_.terminate('C', 'D');
        co_return false;
    }
    if (r.stage == failed::write) {
        const bool late = timed_out(deadline_kind::send);
        if (upstream_.reused() && !stale_retried_ && !request_has_body_ && !late) {
            again_ = resend::stale; // the caller tries a fresh connection
            co_return false;
        }
        upstream_.report(true);
        if (!late && may_retry(cfg_->backends[upstream_.backend()].retry.on_reset)) {
            again_ = resend::retry;
            retry_failure_ = reply_reason::bad_gateway;
            co_return false;
        }
        co_await reply(reply_reason::bad_gateway, false);
        co_return false;
    }
    co_return true;
}

// Whether the request may be sent again on another server after `condition`
// (a retry_on condition that holds): it is safe to send twice, has no body or
// one still whole in the request buffer, nothing of a response went to the
// client, and retries are left.
bool session::may_retry(bool condition) const {
    if (!condition || (request_has_body_ && !body_replayable_) || interim_sent_ || aborted_)
        return false;
    const auto& b = cfg_->backends[upstream_.backend()];
    if (retries_done_ >= b.retries)
        return false;
    const auto& h = req_->get();
    switch (h.method()) {
    case http::verb::get:
    case http::verb::head:
    case http::verb::options:
    case http::verb::put:
    case http::verb::delete_:
    case http::verb::trace:
        return true; // idempotent (RFC 9110 9.2.2)
    default:
        return !b.retry.header.empty() && h.find(b.retry.header) != h.end();
    }
}

void session::note_replayable_body() {
    body_replayable_ = false;
    if (!request_has_body_ || expects_continue_)
        return; // (a client that waits for 100 has sent nothing of its body)
    const auto& b = cfg_->backends[upstream_.backend()];
    const auto& m = req_->get();
    const auto length = req_->content_length();
    if (b.retries == 0 || m.chunked() || !length || rbuf_.size() < *length)
        return;
    const auto* base = reinterpret_cast<const char*>(req_lease_.data());
    replay_offset_ = static_cast<std::size_t>(static_cast<const char*>(rbuf_.data().data()) - base);
    replay_size_ = rbuf_.size();
    body_replayable_ = true;
}

// Reads the final response head (or a 101), relaying interim 1xx responses.
net::awaitable<bool> session::read_response_head() {
    const auto sent_at = clock_type::now();
    for (;;) {
        res_.emplace();
        res_->header_limit(static_cast<std::uint32_t>(head_area_));
        res_->body_limit(boost::none);
        if (head_request_)
            res_->skip(true); // RFC 9110 9.3.2: a response to HEAD has no body
        // A try may be shorter than timeouts.server when a late head is retried.
        const auto& retry = cfg_->backends[upstream_.backend()].retry;
        const bool try_bound = retry.on_timeout && retry.try_timeout < cfg_->timeouts.server && may_retry(true);
        arm(try_bound ? retry.try_timeout : cfg_->timeouts.server, deadline_kind::server);
        auto [ec, n] = co_await read_response_bytes();
        if (ec && no_response_buffer_)
            co_return co_await server_failed(timed_out(deadline_kind::server) ? reply_reason::gateway_timeout
                                                                              : reply_reason::none);
        if (ec && upstream_.reused() && !stale_retried_ && !request_has_body_ && n == 0 && sbuf_.size() == 0 &&
            !timed_out(deadline_kind::server) && is_network_error(ec) && !aborted_) {
            again_ = resend::stale; // closed by the server while idle: not the request's fault
            co_return false;
        }
        if (ec) {
            const bool late = timed_out(deadline_kind::server);
            if (late)
                ++upstream_.counters().server_timeouts;
            if (!aborted_)
                upstream_.report(true); // reset, closed or silent before its head
            if (!aborted_ && may_retry(late ? try_bound : retry.on_reset && is_network_error(ec))) {
                again_ = resend::retry;
                retry_failure_ = late ? reply_reason::gateway_timeout : reply_reason::bad_gateway;
                co_return false;
            }
            ex_.connect_ms = ex_.connect_ms < 0 ? 0 : ex_.connect_ms;
            co_return co_await server_failed(late ? reply_reason::gateway_timeout
                                                  : reply_reason::bad_gateway);
        }
        // Framing we will not relay, or a body the status forbids (the server
        // could send it later, into the next exchange): 502, connection closed.
        if (check_response_framing(res_->get()) != reply_reason::none ||
            (declares_forbidden_body(res_->get()) && res_->get().result_int() < 200)) {
            upstream_.report(true);
            co_return co_await server_failed(reply_reason::bad_gateway);
        }
        const unsigned status = res_->get().result_int();
        if (status >= 200 || status == 101) {
            const auto& ph = cfg_->backends[upstream_.backend()].passive_health;
            upstream_.report(ph && ph->count_server_errors && status >= 500);
            // Retried on a 502 or 503 when asked: the answer goes unread, and
            // the client gets the next server's (or ours, 502/503, when none).
            if ((status == 502 && retry.on_502) || (status == 503 && retry.on_503)) {
                if (may_retry(true)) {
                    again_ = resend::retry;
                    retry_failure_ = status == 502 ? reply_reason::bad_gateway : reply_reason::service_unavailable;
                    co_return false;
                }
            }
            break;
        }
        // Interim response: forward it as is and wait for the next one.
        interim_sent_ = true; // (from here on, no retry: the client has bytes)
        if (co_await write_response_head(res_->get()))
            co_return co_await server_failed(reply_reason::none);
    }
    ex_.response_ms = ms_since(sent_at);
    co_return true;
}

// Counts the response and rewrites its head for the client.
void session::prepare_response_head() {
    auto& m = res_->get();
    ex_.status = m.result_int();
    ++upstream_.counters().responses_by_class[status_class(ex_.status)];
    server_keep_alive_ = m.keep_alive() && !res_->need_eof() && !declares_forbidden_body(m);
    remove_hop_by_hop(m, m.result() == http::status::switching_protocols);
    if (route_ != nullptr)
        apply_response_rules(m);
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
}

net::awaitable<bool> session::relay_response() {
    arm(cfg_->timeouts.server, deadline_kind::server);
    if (res_lease_) // (kept from a try that is being retried)
        sbuf_.reset(res_lease_.data(), head_area_);
    else
        sbuf_.reset(nullptr, 0); // (nothing left from another exchange's buffer)
    if (!co_await read_response_head())
        co_return false;
    prepare_response_head();
    auto& m = res_->get();
    if (m.result() == http::status::switching_protocols)
        co_return co_await upgrade_to_tunnel();
    m.version(11);
    m.keep_alive(client_keep_alive_ && !closing());
    const leg l = make_leg(server_, sbuf_, client_, res_held_, cfg_->timeouts.server,
                           deadline_kind::server, nullptr, &ex_.bytes_out);
    const auto r = co_await relay_body(*res_, l);
    if (r.stage != body_result::failed::nothing) {
        // Part of the response is out already: all we can do is close.
        if (r.stage == body_result::failed::read)
            ex_.terminate(timed_out(deadline_kind::server) ? 's' : 'S', 'D');
        else
            ex_.terminate('C', 'D');
        upstream_.release(false);
        co_return false;
    }
    upstream_.release(server_keep_alive_ && sbuf_.size() == 0);
    dl_.disarm();
    co_return true;
}

// RFC 9110 7.8: relay the 101, then both connections become a tunnel. A 101
// nobody asked for cannot be relayed (502).
net::awaitable<bool> session::upgrade_to_tunnel() {
    if (!upgrade_requested_)
        co_return co_await server_failed(reply_reason::bad_gateway);
    client_keep_alive_ = false;
    const bool head_sent = !co_await write_response_head(res_->get());
    // Client-to-server bytes go through the request's buffer, server-to-client
    // bytes the response's; each is held only while bytes pass (lease_holder).
    if (head_sent)
        co_await relay_tunnel(tunnel_ends{&client_, &server_, &rbuf_, &sbuf_, &req_held_,
                                          &res_held_, head_area_ + body_area_, &dl_,
                                          cfg_->timeouts.tunnel, cfg_->timeouts.send});
    upstream_.release(false);
    co_return false;
}

net::awaitable<error_code> session::write_response_head(response_parser::value_type& m) {
    arm(cfg_->timeouts.send, deadline_kind::send);
    co_return co_await write_head_alone(client_, m);
}

} // namespace gw
