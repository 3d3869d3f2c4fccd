#include "gateway/observe/admin.hpp"

#include <array>
#include <chrono>
#include <cstdio>
#include <exception>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_static_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "alloc/acquire.hpp"
#include "gateway/observe/admin_api.hpp"
#include "gateway/observe/error_log.hpp"
#include "gateway/io/listener.hpp"
#include "gateway/io/use_tuple.hpp"

namespace gw {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

class admin_buffer : public beast::flat_static_buffer_base {
public:
    admin_buffer(void* p, std::size_t n) : flat_static_buffer_base(p, n) {}
};

using admin_request = http::request<http::string_body>;

constexpr const char* no_body_text = "only the /api/ endpoints take a request body\n";

net::awaitable<admin_reply> answer(const admin_request& req, admin_context& ctx) {
    const auto target = req.target();
    const auto path = target.substr(0, target.find('?'));
    if (is_api_path(path)) {
        const admin_api_context api{ctx.token, ctx.snapshot, ctx.change_server, ctx.reload,
                                    &ctx.counters.admin_unauthorized};
        co_return co_await answer_api(api_request{req.method_string(), path, req[http::field::authorization],
                                                  req.body()},
                                      api);
    }
    if (req.method() != http::verb::get && req.method() != http::verb::head) {
        auto r = text_reply(405, "only GET and HEAD here (and PUT under /api/)\n");
        r.extra_headers = "Allow: GET, HEAD\r\n";
        co_return r;
    }
    if (!req.body().empty())
        co_return text_reply(413, no_body_text);
    if (path == "/healthz")
        co_return text_reply(200, "ok\n");
    if (path == "/readyz") {
        if (ctx.draining.load())
            co_return text_reply(503, "draining\n");
        co_return text_reply(200, "ready\n");
    }
    if (path == "/metrics") {
        auto snap = co_await ctx.snapshot();
        co_return admin_reply{200, "text/plain; version=0.0.4; charset=utf-8",
                              render_metrics(snap, *snap.config), {}};
    }
    if (path == "/stats" || path == "/") {
        auto snap = co_await ctx.snapshot();
        co_return admin_reply{200, "text/html; charset=utf-8", render_stats_page(snap, *snap.config), {}};
    }
    co_return text_reply(404, "not found: try /healthz /readyz /metrics /stats /api/servers\n");
}

// Closes an idle admin connection when the admin listener closes.
struct admin_link final : drain_listener {
    explicit admin_link(tcp::socket& s) : socket(s) {}
    void on_drain() noexcept override {
        boost::system::error_code ignored;
        socket.cancel(ignored);
    }
    tcp::socket& socket;
};

// What the admin accept loop and its sessions share (all on the admin worker's
// thread); it lives as long as the last of them.
struct admin_state {
    std::size_t open = 0;
};

// A request head larger than this gets 431: the admin pages take no headers
// of note, and this buffer is the connection's own, not the pool's.
constexpr std::size_t admin_head_limit = 4096;
// The API's bodies are a few fields of JSON; larger ones get 413.
constexpr std::size_t admin_body_limit = 1024;

// The connection's deadline: one timer that closes the socket when it fires.
// Every read runs under it, so a slow client holds nothing for longer than
// timeouts.client_idle (waiting for a request) or client_head (reading one).
class admin_deadline {
public:
    explicit admin_deadline(tcp::socket& s) : socket_(s), timer_(s.get_executor()) {}
    void arm(std::chrono::steady_clock::duration d) {
        expired_ = false;
        timer_.expires_after(d);
        timer_.async_wait([this](const boost::system::error_code& ec) {
            // (A wait that completed just before a re-arm is stale: its expiry moved.)
            if (ec || std::chrono::steady_clock::now() < timer_.expiry())
                return;
            expired_ = true;
            boost::system::error_code ignored;
            socket_.cancel(ignored);
        });
    }
    net::awaitable<void> stop() {
        timer_.cancel();
        co_await net::post(socket_.get_executor(), net::use_awaitable); // its handler runs
    }
    bool expired() const noexcept { return expired_; }

private:
    tcp::socket& socket_;
    net::steady_timer timer_;
    bool expired_ = false;
};

// Reads one request (its head, and its body if it has one) through `buf` (the
// connection's own), with no pool buffer held. Returns the parse or read error
// (operation_aborted when the deadline fired); `p` is done when it returns none.
net::awaitable<boost::system::error_code> read_admin_request(tcp::socket& s, admin_buffer& buf,
                                                             http::request_parser<http::string_body>& p,
                                                             admin_deadline& deadline,
                                                             const config::timeouts_config& t) {
    boost::system::error_code ec;
    bool started = buf.size() != 0;
    deadline.arm(started ? t.client_head : t.client_idle);
    while (!p.is_done()) {
        // (put() takes the head and the body in separate calls.)
        while (buf.size() != 0 && !p.is_done()) {
            const std::size_t used = p.put(buf.data(), ec);
            buf.consume(used);
            if (ec && ec != http::error::need_more)
                co_return ec;
            ec = {};
            if (used == 0)
                break; // the rest of a line has yet to come
        }
        if (p.is_done())
            break;
        if (buf.size() == buf.max_size())
            co_return http::error::header_limit;
        auto [rec, n] = co_await s.async_read_some(buf.prepare(buf.max_size() - buf.size()), use_tuple);
        if (rec)
            co_return rec;
        buf.commit(n);
        if (!started) { // the first byte: the whole head must follow within client_head
            started = true;
            deadline.arm(t.client_head);
        }
    }
    co_return ec;
}

// Writes the reply: the head into a critical buffer (the one moment the admin
// listener takes pool memory, like every reply the gateway writes), the body
// after it in the same write. False when the write failed or timed out.
net::awaitable<bool> write_admin_reply(admin_context& ctx, tcp::socket& s, const admin_reply& reply,
                                       bool head, bool keep, admin_deadline& deadline) {
    deadline.arm(ctx.cfg.timeouts.send);
    auto got = co_await alloc::acquire(ctx.shard, alloc::buffer_class::critical);
    if (got.ec)
        co_return false;
    char* out = reinterpret_cast<char*>(got.lease.data());
    const int len = std::snprintf(
        out, got.lease.size(),
        "HTTP/1.1 %u %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
        "Cache-Control: no-store\r\n%sConnection: %s\r\n\r\n",
        reply.status, std::string(http::obsolete_reason(static_cast<http::status>(reply.status))).c_str(),
        reply.content_type, reply.body.size(), reply.extra_headers.c_str(), keep ? "keep-alive" : "close");
    if (len < 0 || static_cast<std::size_t>(len) >= got.lease.size())
        co_return false;
    const std::array<net::const_buffer, 2> parts{
        net::buffer(out, static_cast<std::size_t>(len)),
        head ? net::const_buffer{} : net::buffer(reply.body)};
    auto [ec, n] = co_await net::async_write(s, parts, use_tuple);
    co_return !ec;
}

// The answer to a request that could not be read: 431 head too large, 413 body
// too large, 400 malformed; none when the connection closed or went silent.
std::optional<admin_reply> refusal_for(const boost::system::error_code& ec) {
    if (ec == http::error::header_limit)
        return text_reply(431, "request head too large\n");
    if (ec == http::error::body_limit)
        return text_reply(413, "request body too large (1 KiB at most)\n");
    if (ec.category() == http::make_error_code(http::error::bad_target).category())
        return text_reply(400, "bad request\n");
    return std::nullopt;
}

net::awaitable<void> admin_session(admin_context& ctx, tcp::socket s,
                                   std::shared_ptr<admin_state> state) {
    boost::system::error_code ec;
    s.set_option(tcp::no_delay(true), ec);
    admin_link link(s);
    ctx.sessions.add(link);
    admin_deadline deadline(s);
    std::array<char, admin_head_limit> storage;
    admin_buffer buf(storage.data(), storage.size());
    const auto& timeouts = ctx.cfg.timeouts;
    for (;;) {
        http::request_parser<http::string_body> p;
        p.header_limit(static_cast<std::uint32_t>(admin_head_limit));
        p.body_limit(admin_body_limit);
        const auto rec = co_await read_admin_request(s, buf, p, deadline, timeouts);
        if (rec) {
            if (deadline.expired())
                ++ctx.counters.admin_timeouts;
            const auto refusal = refusal_for(rec); // (a reply, or a close without one)
            if (refusal)
                co_await write_admin_reply(ctx, s, *refusal, false, false, deadline);
            break;
        }
        const auto& req = p.get();
        const bool head = req.method() == http::verb::head;
        const bool keep = req.keep_alive() && !ctx.draining.load();
        const admin_reply reply = co_await answer(req, ctx);
        if (!co_await write_admin_reply(ctx, s, reply, head, keep, deadline) || !keep)
            break;
    }
    co_await deadline.stop();
    ctx.sessions.remove(link);
    s.shutdown(tcp::socket::shutdown_both, ec);
    s.close(ec);
    --state->open;
}

// An accepted admin connection: served, or closed at once over the cap, so
// that a probe fails fast instead of waiting in the backlog behind the
// connections holding the slots.
net::awaitable<void> admit_admin(admin_context& ctx, std::shared_ptr<admin_state> state,
                                 tcp::socket socket) {
    if (state->open >= ctx.cfg.admin.max_connections) {
        ++ctx.counters.admin_refused;
        boost::system::error_code ignored;
        socket.close(ignored);
        co_return;
    }
    ++state->open;
    const auto ex = socket.get_executor();
    net::co_spawn(ex, admin_session(ctx, std::move(socket), std::move(state)),
                  [](std::exception_ptr e) {
                      if (e)
                          error_log(config::log_level::error, "admin session ended by an exception");
                  });
}

} // namespace

net::awaitable<void> run_admin(admin_context& ctx, tcp::acceptor& acceptor) {
    auto state = std::make_shared<admin_state>();
    // (A named function object, not a temporary in the co_await expression:
    // g++ 12 destroys such temporaries twice.)
    admit_connection admit = [&ctx, state](tcp::socket socket, tcp::endpoint) {
        return admit_admin(ctx, state, std::move(socket));
    };
    co_await accept_loop(acceptor, std::move(admit));
}

} // namespace gw
