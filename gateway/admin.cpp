#include "gateway/error_log.hpp"
#include "gateway/admin.hpp"

#include <exception>
#include <string>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_static_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>

#include "alloc/acquire.hpp"
#include "gateway/worker.hpp"

namespace gw {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

struct worker_part {
    alloc::pool_stats pool;
    worker_counters counters;
    std::size_t sessions = 0;
    std::size_t parked = 0;
};

net::awaitable<worker_part> read_worker(worker* w) {
    co_return worker_part{w->shard().stats(), w->counters(), w->session_count(),
                         w->parked_count()};
}

class admin_buffer : public beast::flat_static_buffer_base {
public:
    admin_buffer(void* p, std::size_t n) : flat_static_buffer_base(p, n) {}
};

struct admin_reply {
    unsigned status = 200;
    const char* content_type = "text/plain; charset=utf-8";
    std::string body;
};

net::awaitable<admin_reply> answer(const http::request<http::empty_body>& req, worker* w,
                                   std::vector<worker*> workers) {
    const auto target = req.target();
    const auto path = target.substr(0, target.find('?'));
    if (req.method() != http::verb::get && req.method() != http::verb::head)
        co_return admin_reply{405, "text/plain; charset=utf-8", "only GET and HEAD\n"};
    if (path == "/healthz")
        co_return admin_reply{200, "text/plain; charset=utf-8", "ok\n"};
    if (path == "/readyz") {
        if (w->shared().draining.load())
            co_return admin_reply{503, "text/plain; charset=utf-8", "draining\n"};
        co_return admin_reply{200, "text/plain; charset=utf-8", "ready\n"};
    }
    if (path == "/metrics") {
        auto snap = co_await collect_snapshot(std::move(workers));
        co_return admin_reply{200, "text/plain; version=0.0.4; charset=utf-8",
                              render_metrics(snap, w->shared())};
    }
    if (path == "/stats" || path == "/") {
        auto snap = co_await collect_snapshot(std::move(workers));
        co_return admin_reply{200, "text/html; charset=utf-8", render_stats_page(snap, w->shared())};
    }
    co_return admin_reply{404, "text/plain; charset=utf-8",
                          "not found: try /healthz /readyz /metrics /stats\n"};
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

net::awaitable<void> admin_session(worker* w, std::vector<worker*> workers, tcp::socket s) {
    boost::system::error_code ec;
    s.set_option(tcp::no_delay(true), ec);
    admin_link link(s);
    w->add_admin(link);
    for (;;) {
        auto [wec] = co_await s.async_wait(tcp::socket::wait_read, use_tuple);
        if (wec)
            break;
        // The request side of an internal responder is critical (DESIGN.md 2).
        auto got = co_await alloc::acquire(w->shard(), alloc::buffer_class::critical);
        if (got.ec)
            break;
        admin_buffer buf(got.lease.data(), got.lease.size());
        http::request_parser<http::empty_body> p;
        p.header_limit(static_cast<std::uint32_t>(got.lease.size()));
        p.body_limit(0);
        auto [rec, n] = co_await http::async_read(s, buf, p, use_tuple);
        if (rec)
            break;
        const auto& req = p.get();
        const bool head = req.method() == http::verb::head;
        const bool keep = req.keep_alive() && !w->draining();
        auto reply = co_await answer(req, w, workers);
        // The head goes into the critical buffer; the body follows it in one write.
        char* out = reinterpret_cast<char*>(got.lease.data());
        const int len = std::snprintf(
            out, got.lease.size(),
            "HTTP/1.1 %u %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
            "Cache-Control: no-store\r\nConnection: %s\r\n\r\n",
            reply.status, std::string(http::obsolete_reason(static_cast<http::status>(reply.status))).c_str(),
            reply.content_type, reply.body.size(), keep ? "keep-alive" : "close");
        const std::array<net::const_buffer, 2> parts{
            net::buffer(out, static_cast<std::size_t>(len)),
            head ? net::const_buffer{} : net::buffer(reply.body)};
        auto [xec, xn] = co_await net::async_write(s, parts, use_tuple);
        if (xec || !keep)
            break;
    }
    w->remove_admin(link);
    s.shutdown(tcp::socket::shutdown_both, ec);
    s.close(ec);
}

} // namespace

net::awaitable<gateway_snapshot> collect_snapshot(std::vector<worker*> workers) {
    gateway_snapshot snap;
    for (worker* w : workers) {
        auto part = co_await net::co_spawn(w->io(), read_worker(w), net::use_awaitable);
        snap.pools.push_back(part.pool);
        snap.pool += part.pool;
        snap.counters += part.counters;
        snap.sessions += part.sessions;
        snap.parked += part.parked;
    }
    if (!workers.empty())
        snap.draining = workers.front()->shared().draining.load();
    co_return snap;
}

net::awaitable<void> run_admin(worker* w, std::vector<worker*> workers, tcp::acceptor* acceptor) {
    for (;;) {
        auto [ec, socket] = co_await acceptor->async_accept(use_tuple);
        if (ec == net::error::operation_aborted || !acceptor->is_open())
            co_return;
        if (ec)
            continue;
        net::co_spawn(w->io(), admin_session(w, workers, std::move(socket)),
                      [](std::exception_ptr e) {
                          if (e)
                              error_log(config::log_level::error, "admin session ended by an exception");
                      });
    }
}

} // namespace gw
