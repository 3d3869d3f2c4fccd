#include "gateway/upstream/server_connection.hpp"

#include <boost/asio/write.hpp>
#include "gateway/io/use_tuple.hpp"

#include <chrono>

#include <boost/asio/as_tuple.hpp>

#include "gateway/observe/error_log.hpp"
#include "gateway/upstream/backend.hpp"

namespace gw {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;

namespace {

// One line a second per server at most: a server with a bad certificate fails
// every connection, and the log should say why without repeating it thousands
// of times.
void log_tls_failure(server_state& s, const std::string& who, const std::string& why) {
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::steady_clock::now().time_since_epoch())
                         .count();
    auto last = s.last_tls_log_ms.load(std::memory_order_relaxed);
    if (now - last < 1000 || !s.last_tls_log_ms.compare_exchange_strong(last, now))
        return;
    error_log(config::log_level::warning, "server " + who + ": TLS handshake failed: " + why);
}

} // namespace

net::awaitable<error_code> open_server_connection(transport& t, const tcp::endpoint& ep, server_tls tls,
                                                  server_state& s, const std::string& who,
                                                  std::string_view preface) {
    t = transport(t.get_executor());
    auto [ec] = co_await t.socket().async_connect(ep, use_tuple);
    if (ec)
        co_return ec;
    error_code ignored;
    t.socket().set_option(tcp::no_delay(true), ignored);
    if (!preface.empty()) {
        auto [wec, n] = co_await net::async_write(t.socket(), net::buffer(preface), use_tuple);
        if (wec)
            co_return wec;
    }
    if (tls.ctx == nullptr)
        co_return error_code{};
    auto ssl = tls.ctx->new_connection(*tls.session, *tls.name);
    if (!ssl)
        co_return error_code(net::error::no_memory);
    SSL* raw = ssl.get();
    t.start_tls(ssl.release());
    ec = co_await t.handshake();
    if (ec && ec != net::error::operation_aborted) {
        const auto verify = tls::client_context::verify_failure(raw);
        log_tls_failure(s, who, verify.empty() ? ec.message() : "certificate verify failed: " + verify);
    }
    co_return ec;
}

} // namespace gw
