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

#include "gateway/upstream/backend.hpp"
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


// Connects, sends the request and reads the status line; true on the expected status.
net::awaitable<bool> exchange_status(tcp::socket* sock, tcp::endpoint to, std::string request,
                                     unsigned expect) {
    auto [cec] = co_await sock->async_connect(to, use_tuple);
    if (cec)
        co_return false;
    auto [wec, wn] = co_await net::async_write(*sock, net::buffer(request), use_tuple);
    if (wec)
        co_return false;
    std::array<char, 64> head{};
    std::size_t have = 0;
    while (have < 12) {
        auto [rec, n] = co_await sock->async_read_some(
            net::buffer(head.data() + have, head.size() - have), use_tuple);
        if (rec)
            co_return false;
        have += n;
    }
    const auto status = parse_status_line(std::string_view(head.data(), have));
    co_return status && *status == expect;
}

// One probe: the whole exchange races the check's timeout.
net::awaitable<bool> probe(tcp::endpoint ep, const config::health_check_config* hc,
                           std::string request) {
    using namespace net::experimental::awaitable_operators;
    auto ex = co_await net::this_coro::executor;
    tcp::socket s(ex);
    net::steady_timer timeout(ex, hc->timeout);
    auto r = co_await (exchange_status(&s, ep, std::move(request), hc->expect_status) ||
                       timeout.async_wait(net::use_awaitable));
    co_return r.index() == 0 && std::get<0>(r);
}

// Stops the check's wait between probes when the worker drains.
struct drain_stop final : drain_listener {
    explicit drain_stop(net::steady_timer& t) : tick(t) {}
    void on_drain() noexcept override { tick.cancel(); }
    net::steady_timer& tick;
};

} // namespace

net::awaitable<void> run_health_check(const config::backend_config* backend, backend_state* be,
                                      std::size_t server, drain_registry* drain) {
    const auto& bcfg = *backend;
    const config::health_check_config* hc = &*bcfg.health_check;
    server_state& s = be->server(server);
    const std::string request = "GET " + hc->path + " HTTP/1.1\r\nHost: " +
                                bcfg.servers[server].address.host +
                                "\r\nUser-Agent: gateway-health-check\r\nConnection: close\r\n\r\n";
    net::steady_timer tick(co_await net::this_coro::executor);
    drain_stop stop(tick);
    drain->add(stop);
    unsigned successes = 0, failures = 0;
    while (!drain->draining()) {
        const bool ok = co_await probe(s.endpoint, hc, request);
        if (ok) {
            failures = 0;
            if (++successes >= hc->rise && !s.up.load()) {
                s.up.store(true);
                error_log(config::log_level::warning, "server " + bcfg.name + '/' + s.name + " is UP");
            }
        } else {
            successes = 0;
            if (++failures >= hc->fall && s.up.load()) {
                s.up.store(false);
                error_log(config::log_level::warning, "server " + bcfg.name + '/' + s.name + " is DOWN");
            }
        }
        s.health_checks.fetch_add(1, std::memory_order_relaxed);
        tick.expires_after(hc->interval);
        co_await tick.async_wait(use_tuple);
    }
    drain->remove(stop);
}

} // namespace gw
