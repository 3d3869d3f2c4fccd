#include "gateway/observe/error_log.hpp"
#include "gateway/upstream/health_check.hpp"

#include <array>
#include <charconv>
#include <string>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "gateway/io/drain_timer.hpp"
#include "gateway/upstream/backend.hpp"
#include "gateway/upstream/server_connection.hpp"
#include "gateway/io/use_tuple.hpp"

namespace gw {

namespace net = boost::asio;
using tcp = net::ip::tcp;

std::optional<unsigned> parse_status_line(std::string_view head) noexcept {
    // RFC 9112 4: HTTP-version SP 3DIGIT SP reason-phrase
    if (head.size() < 12 || head.substr(0, 7) != "HTTP/1." || head[8] != ' ')
        return std::nullopt;
    unsigned code = 0;
    const auto* first = head.data() + 9;
    const auto [end, ec] = std::from_chars(first, first + 3, code);
    if (ec != std::errc{} || end != first + 3 || code < 100 || code > 599)
        return std::nullopt;
    return code;
}

namespace {


// Connects (TLS too when the server has it), sends the request and reads the
// status line; true on the expected status.
net::awaitable<bool> exchange_status(transport* t, tcp::endpoint to, server_tls tls, server_state* s,
                                     const std::string* who, std::string request, unsigned expect,
                                     const std::string* preface) {
    const auto cec = co_await open_server_connection(*t, to, tls, *s, *who, *preface);
    if (cec)
        co_return false;
    auto [wec, wn] = co_await net::async_write(*t, net::buffer(request), use_tuple);
    if (wec)
        co_return false;
    std::array<char, 64> head{};
    std::size_t have = 0;
    while (have < 12) {
        auto [rec, n] = co_await t->async_read_some(
            net::buffer(head.data() + have, head.size() - have), use_tuple);
        if (rec)
            co_return false;
        have += n;
    }
    const auto status = parse_status_line(std::string_view(head.data(), have));
    co_return status && *status == expect;
}

// One probe: the whole exchange races the check's timeout.
net::awaitable<bool> probe(tcp::endpoint ep, server_tls tls, server_state* s, const std::string* who,
                           const config::health_check_config* hc, std::string request, const std::string* preface) {
    using namespace net::experimental::awaitable_operators;
    auto ex = co_await net::this_coro::executor;
    transport t(ex);
    net::steady_timer timeout(ex, hc->timeout);
    auto r = co_await (exchange_status(&t, ep, tls, s, who, std::move(request), hc->expect_status, preface) ||
                       timeout.async_wait(net::use_awaitable));
    t.close();
    co_return r.index() == 0 && std::get<0>(r);
}

} // namespace

net::awaitable<void> run_health_check(std::string backend, config::health_check_config check,
                                      server_ptr server, std::shared_ptr<const tls::client_context> tls_ctx,
                                      drain_registry* drain, std::string preface) {
    const config::health_check_config* hc = &check;
    server_state& s = *server;
    const server_tls tls =
        s.tls && tls_ctx != nullptr ? server_tls{tls_ctx.get(), &s.tls_session, &s.tls_server_name} : server_tls{};
    const std::string who = backend + '/' + s.name;
    // (Host: the server's name; its address's host unless a TLS name is configured.)
    const std::string request = "GET " + hc->path + " HTTP/1.1\r\nHost: " + s.tls_server_name +
                                "\r\nUser-Agent: gateway-health-check\r\nConnection: close\r\n\r\n";
    drain_timer tick(co_await net::this_coro::executor, *drain);
    unsigned successes = 0, failures = 0;
    while (!drain->draining() && !s.retired.load()) {
        if (s.admin.load(std::memory_order_relaxed) == server_admin::maint) {
            // Disabled: no probes (its state stays as last seen) until enabled.
            successes = failures = 0;
            if (!co_await tick.sleep(hc->interval))
                break;
            continue;
        }
        const bool ok = co_await probe(s.endpoint, tls, &s, &who, hc, request, &preface);
        if (ok) {
            failures = 0;
            if (++successes >= hc->rise && !s.up.load()) {
                s.up.store(true);
                error_log(config::log_level::warning, "server " + who + " is UP");
            }
            // Ejected by passive health: passing checks bring it back sooner.
            if (successes >= hc->rise && s.outlier.end_ejection())
                error_log(config::log_level::warning, "server " + who + " returns: its health check passed");
        } else {
            successes = 0;
            if (++failures >= hc->fall && s.up.load()) {
                s.up.store(false);
                error_log(config::log_level::warning, "server " + who + " is DOWN");
            }
        }
        s.health_checks.fetch_add(1, std::memory_order_relaxed);
        if (!co_await tick.sleep(hc->interval))
            break;
    }
}

} // namespace gw
