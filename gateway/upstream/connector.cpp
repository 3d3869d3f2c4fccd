#include "gateway/upstream/connector.hpp"
#include "gateway/io/use_tuple.hpp"
#include "gateway/upstream/server_connection.hpp"
#include "gateway/observe/error_log.hpp"
#include "gateway/policy/proxy_protocol.hpp"

#include <chrono>
#include <optional>
#include <tuple>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace gw {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using clock_type = std::chrono::steady_clock;

net::awaitable<upstream_status> connector::take_slot(std::size_t backend) {
    backend_ = backend;
    last_.reset();
    backend_state& be = this->be();
    slot_ = be.try_take(u_.worker);
    if (slot_)
        co_return upstream_status{};
    if (!be.has_usable_server(u_.worker))
        co_return upstream_status::failed(reply_reason::service_unavailable);
    // Every usable server is at maxconn: wait in the backend's queue, the
    // request buffer still held (the seed's situation).
    dl_.arm(view_.cfg->timeouts.queue, deadline_kind::queue);
    ++counters().queued_total;
    const auto waited_from = clock_type::now();
    auto [ec, server] = co_await async_wait_for_server(
        be, net::bind_cancellation_slot(cancel_.slot(), use_tuple));
    counters().queue_seconds += std::chrono::duration<double>(clock_type::now() - waited_from).count();
    if (ec) {
        const bool timed_out = dl_.timed_out(deadline_kind::queue);
        if (timed_out)
            be.count_queue_timeout();
        // (Cancelled otherwise: the session is aborted, nobody to answer.)
        co_return upstream_status::failed(timed_out || ec == net::error::no_buffer_space
                                              ? reply_reason::service_unavailable
                                              : reply_reason::none);
    }
    slot_ = std::move(server);
    co_return upstream_status{};
}

net::awaitable<upstream_status> connector::connect(bool fresh_only) {
    backend_state& be = this->be();
    const unsigned attempts = 1 + view_.cfg->backends[backend_].retries;
    bool timed_out_once = false;
    for (unsigned attempt = 0; attempt < attempts; ++attempt) {
        if (attempt > 0) {
            // Retry on another server when there is one with a free slot.
            if (auto next = be.try_take(u_.worker, slot_.get())) {
                be.release(*slot_);
                slot_ = std::move(next);
            }
            ++counters().retries;
        }
        server_state& s = *slot_;
        // (A connection that began with one client's PROXY header is that
        // client's: never pooled, so none is taken.)
        const bool pooled = !fresh_only && view_.cfg->backends[backend_].send_proxy == config::proxy_send::off;
        auto cached = pooled ? s.idle(u_.worker).take() : std::nullopt;
        if (cached) {
            server_ = std::move(*cached);
            reused_ = true;
            s.requests.fetch_add(1, std::memory_order_relaxed);
            co_return upstream_status{};
        }
        reused_ = false;
        dl_.clear_expired();
        dl_.arm(view_.cfg->timeouts.connect, deadline_kind::connect);
        const auto ec = co_await dial(s);
        if (!ec) {
            s.requests.fetch_add(1, std::memory_order_relaxed);
            s.connects.fetch_add(1, std::memory_order_relaxed);
            co_return upstream_status{};
        }
        s.connect_failures.fetch_add(1, std::memory_order_relaxed);
        const bool timed_out = dl_.timed_out(deadline_kind::connect);
        if (ec != net::error::operation_aborted || timed_out)
            report(true);
        if (timed_out) {
            timed_out_once = true;
            ++counters().connect_timeouts;
        }
        server_.close();
        if (ec == net::error::operation_aborted && !timed_out)
            co_return upstream_status::failed(reply_reason::none); // aborted: no reply
    }
    co_return upstream_status::failed(timed_out_once ? reply_reason::gateway_timeout
                                                     : reply_reason::bad_gateway);
}

net::awaitable<boost::system::error_code> connector::dial(server_state& s) {
    if (u_.dialer != nullptr)
        co_return co_await u_.dialer->dial(server_, s.endpoint);
    server_tls tls;
    if (s.tls && backend_ < view_.tls.size())
        tls = {view_.tls[backend_].get(), &s.tls_session, &s.tls_server_name};
    const auto& b = view_.cfg->backends[backend_];
    char preface[policy::proxy_v1_max + 1];
    std::size_t n = 0;
    if (b.send_proxy != config::proxy_send::off && source_ != nullptr && destination_ != nullptr) {
        n = b.send_proxy == config::proxy_send::v1
                ? policy::write_proxy_v1(*source_, *destination_, preface, sizeof preface)
                : policy::write_proxy_v2(*source_, *destination_, reinterpret_cast<std::uint8_t*>(preface), sizeof preface);
    }
    co_return co_await open_server_connection(server_, s.endpoint, tls, s, b.name + '/' + s.name,
                                              std::string_view(preface, n));
}

net::awaitable<upstream_status> connector::retry_elsewhere(reply_reason failure) {
    backend_state& be = this->be();
    const auto& cfg = view_.cfg->backends[backend_];
    if (!retrying_) {
        if (!be.try_begin_retry(u_.worker, cfg.retry.budget_percent))
            co_return upstream_status::failed(failure);
        retrying_ = true;
    }
    server_ptr next = be.try_take(u_.worker, slot_.get());
    if (!next)
        co_return upstream_status::failed(failure); // no other server free now
    ++counters().request_retries;
    server_.close();
    be.release(*slot_);
    slot_ = std::move(next);
    const auto st = co_await connect();
    co_return st.ok ? st : upstream_status::failed(st.reply == reply_reason::none ? reply_reason::none : failure);
}

void connector::report(bool failed) {
    if (!slot_)
        return;
    const auto& ph = view_.cfg->backends[backend_].passive_health;
    if (!ph)
        return;
    if (!failed) {
        slot_->outlier.success();
        return;
    }
    if (be().report_failure(u_.worker, *slot_, *ph)) {
        std::string line = "server ";
        line += be().name();
        line += '/';
        line += slot_->name;
        line += " ejected after ";
        line += std::to_string(ph->failures);
        line += " failures (passive health); ejections so far: ";
        line += std::to_string(slot_->outlier.ejections_total());
        error_log(config::log_level::warning, line);
    }
}

void connector::release(bool keep) {
    if (retrying_) {
        be().end_retry();
        retrying_ = false;
    }
    if (!slot_)
        return;
    // (Plain and TLS connections are pooled; a test's in-memory one is not. A
    // drained, disabled or departed server's connection closes as its exchange ends.)
    if (keep && server_.is_open() && (server_.is_plain() || server_.is_tls()) && slot_->keeps_connections() &&
        view_.cfg->backends[backend_].send_proxy == config::proxy_send::off) {
        slot_->idle(u_.worker).put(std::move(server_));
        server_ = transport(server_.get_executor());
    } else {
        server_.close();
    }
    be().release(*slot_);
    last_ = std::move(slot_);
}

} // namespace gw
