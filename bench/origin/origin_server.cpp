// The origin server: one coroutine per connection, requests parsed by a Beast
// basic_parser that stores no fields (nothing is allocated per request), bodies
// streamed through a fixed per-connection buffer, responses written from a static
// pattern with gather writes that try a non-blocking write before suspending.
#include "bench/origin/origin_server.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string_view>
#include <unordered_set>
#include <utility>

#include <sys/socket.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/status.hpp>

namespace gw::bench {

namespace net = boost::asio;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;
using boost::system::error_code;

namespace {

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);
constexpr std::size_t in_capacity = 64 * 1024; // also the request head limit
constexpr std::size_t piece_size = 64 * 1024;  // body bytes per write
constexpr std::chrono::seconds linger_time{2}; // draining after Connection: close
constexpr std::string_view body_cycle =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_";
static_assert(body_cycle.size() == 64 && piece_size % 64 == 0);

// Every body is cut from this buffer; pieces start at multiples of 64, so byte i of
// a body is always body_cycle[i % 64].
const std::array<char, piece_size>& pattern() {
    static const std::array<char, piece_size> p = [] {
        std::array<char, piece_size> a{};
        for (std::size_t i = 0; i < a.size(); ++i)
            a[i] = body_cycle[i % body_cycle.size()];
        return a;
    }();
    return p;
}

// A counter written by one thread and read by any: no read-modify-write needed.
struct counter {
    std::atomic<std::uint64_t> v{0};
    void add(std::uint64_t n) noexcept {
        v.store(v.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
    }
    std::uint64_t get() const noexcept { return v.load(std::memory_order_relaxed); }
};

// SO_REUSEPORT as an Asio socket option (Asio has no named one).
struct reuse_port {
    int value = 1;
    template <class P> int level(const P&) const { return SOL_SOCKET; }
    template <class P> int name(const P&) const { return SO_REUSEPORT; }
    template <class P> const int* data(const P&) const { return &value; }
    template <class P> std::size_t size(const P&) const { return sizeof(value); }
};

// co_spawn completion: an exception escaping a coroutine is a bug; say so.
struct log_escaped {
    const char* where;
    void operator()(std::exception_ptr e) const {
        if (!e) return;
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& x) {
            std::fprintf(stderr, "gwbench origin: %s: %s\n", where, x.what());
        } catch (...) {
            std::fprintf(stderr, "gwbench origin: %s: unknown exception\n", where);
        }
    }
};

enum class path_kind { normal, echo, echo_head };

// What one request asks for: the server options with the query's overrides.
struct plan {
    path_kind kind = path_kind::normal;
    std::uint64_t size = 0;
    bool chunked = false;
    std::chrono::milliseconds delay{0};
    unsigned status = 200;
    bool close = false;
};

template <class T> bool parse_number(std::string_view s, T& out) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc{} && p == s.data() + s.size();
}

// Applies `?size=N&chunked=1&delay=MS&status=N&close=1`; malformed values are ignored.
void apply_query(std::string_view query, plan& p) {
    while (!query.empty()) {
        auto amp = query.find('&');
        auto pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        auto eq = pair.find('=');
        auto key = pair.substr(0, eq);
        auto val = eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
        std::uint64_t n = 0;
        if (key == "size" && parse_number(val, n))
            p.size = n;
        else if (key == "chunked")
            p.chunked = val != "0";
        else if (key == "delay" && parse_number(val, n))
            p.delay = std::chrono::milliseconds(n);
        else if (key == "status" && parse_number(val, n) && n >= 200 && n <= 999)
            p.status = static_cast<unsigned>(n);
        else if (key == "close")
            p.close = val != "0";
    }
}

// A request parser that keeps only what the origin needs, so that parsing
// allocates nothing. Body bytes go to `echo_buf` when set (up to its free space:
// the parser presents the rest again on the next put), else they are dropped.
class request_reader final : public http::basic_parser<true> {
    using bsv = boost::beast::string_view; // boost::core::string_view in 1.81

public:
    explicit request_reader(const origin_options& o) {
        plan_.size = o.body_size;
        plan_.chunked = o.chunked;
        plan_.delay = o.delay;
        plan_.status = o.status;
        plan_.close = !o.keep_alive;
        header_limit(static_cast<std::uint32_t>(in_capacity));
        body_limit(boost::none);
    }

    const plan& request_plan() const noexcept { return plan_; }
    http::verb method() const noexcept { return method_; }
    int version() const noexcept { return version_; }
    bool expects_continue() const noexcept { return expect_continue_; }
    std::uint64_t body_bytes() const noexcept { return body_bytes_; }

    char* echo_buf = nullptr;
    std::size_t echo_len = 0;

private:
    void on_request_impl(http::verb method, bsv, bsv target_bsv, int version,
                         error_code&) override {
        std::string_view target(target_bsv.data(), target_bsv.size());
        method_ = method;
        version_ = version;
        auto q = target.find('?');
        auto path = target.substr(0, q);
        if (path == "/echo")
            plan_.kind = path_kind::echo;
        else if (path == "/echo-head")
            plan_.kind = path_kind::echo_head;
        if (q != std::string_view::npos) apply_query(target.substr(q + 1), plan_);
    }
    void on_response_impl(int, bsv, int, error_code&) override {}
    void on_field_impl(http::field name, bsv, bsv value, error_code&) override {
        // RFC 9110 10.1.1: 100-continue is the only expectation defined.
        if (name == http::field::expect && value.size() == 12 &&
            boost::beast::iequals(value, "100-continue"))
            expect_continue_ = true;
    }
    void on_header_impl(error_code&) override {}
    void on_body_init_impl(const boost::optional<std::uint64_t>&, error_code&) override {}
    std::size_t on_body_impl(bsv body, error_code&) override { return take(body); }
    void on_chunk_header_impl(std::uint64_t, bsv, error_code&) override {}
    std::size_t on_chunk_body_impl(std::uint64_t, bsv body, error_code&) override {
        return take(body);
    }
    void on_finish_impl(error_code&) override {}

    std::size_t take(bsv body) noexcept {
        std::size_t n = body.size();
        if (echo_buf) {
            n = std::min(n, piece_size - echo_len);
            std::memcpy(echo_buf + echo_len, body.data(), n);
            echo_len += n;
        }
        body_bytes_ += n;
        return n;
    }

    plan plan_;
    http::verb method_ = http::verb::unknown;
    int version_ = 11;
    bool expect_continue_ = false;
    std::uint64_t body_bytes_ = 0;
};

// One connection. Lives on the heap (the coroutine frame stays small) and is
// registered with the state so that stop() can close it.
struct session {
    explicit session(tcp::socket s) : sock(std::move(s)), timer(sock.get_executor()) {}
    tcp::socket sock;
    net::steady_timer timer; // response delay, linger bound
    std::unique_ptr<char[]> in{new char[in_capacity]};
    std::size_t begin = 0, end = 0; // unparsed input is in[begin, end)
    std::unique_ptr<char[]> echo;   // allocated on the first /echo
    std::string head;               // the response head being written
    std::array<char, 24> chunk_line{};
    std::size_t chunk_line_len = 0;
};

// Formats "<hex>\r\n" into s.chunk_line (RFC 9112 7.1).
net::const_buffer chunk_size_line(session& s, std::size_t n) {
    auto [p, ec] = std::to_chars(s.chunk_line.data(), s.chunk_line.data() + 20, n, 16);
    (void)ec;
    *p++ = '\r';
    *p++ = '\n';
    s.chunk_line_len = static_cast<std::size_t>(p - s.chunk_line.data());
    return net::buffer(s.chunk_line.data(), s.chunk_line_len);
}

void append_number(std::string& out, std::uint64_t n) {
    char buf[24];
    auto [p, ec] = std::to_chars(buf, buf + sizeof buf, n);
    (void)ec;
    out.append(buf, p);
}

} // namespace

struct origin_server::state {
    state(net::io_context& ioc, const origin_options& o) : acceptor(ioc), opts(o) {}

    void stop_now() {
        if (stopped) return;
        stopped = true;
        error_code ignored;
        acceptor.close(ignored);
        for (session* s : sessions) {
            s->sock.close(ignored);
            s->timer.cancel();
        }
    }

    tcp::acceptor acceptor;
    origin_options opts;
    bool stopped = false;
    std::unordered_set<session*> sessions;
    counter connections, requests, request_body_bytes;
};

namespace {

using state_ptr = std::shared_ptr<origin_server::state>;
using bufs4 = std::array<net::const_buffer, 4>;

// Braced std::array arguments to a coroutine trip g++ 12 ("array used as
// initializer"): build them here.
bufs4 bufs(net::const_buffer a, net::const_buffer b = {}, net::const_buffer c = {},
           net::const_buffer d = {}) {
    return bufs4{a, b, c, d};
}

// Writes every byte of `b`: one non-blocking attempt first (no suspension when the
// kernel takes it all, the usual case), then an async write of the rest.
net::awaitable<error_code> write_all(tcp::socket* sock, bufs4 b) {
    error_code ec;
    std::size_t n = sock->write_some(b, ec);
    if (ec && ec != net::error::would_block) co_return ec;
    std::size_t left = 0;
    for (auto& x : b) {
        std::size_t k = std::min(n, x.size());
        x += k;
        n -= k;
        left += x.size();
    }
    if (left == 0) co_return error_code{};
    auto [wec, written] = co_await net::async_write(*sock, b, use_tuple);
    (void)written;
    co_return wec;
}

// Reads more input into s->in, compacting it first when the free tail is gone.
// Returns eof at a clean end, header_limit when a head does not fit. (A plain
// async_read_some: Asio skips the speculative read after a drained socket, so an
// idle wait costs no wasted syscall.)
net::awaitable<error_code> read_more(session* s) {
    if (s->begin == s->end) {
        s->begin = s->end = 0;
    } else if (s->end == in_capacity) {
        if (s->begin == 0) co_return http::error::header_limit;
        std::memmove(s->in.get(), s->in.get() + s->begin, s->end - s->begin);
        s->end -= s->begin;
        s->begin = 0;
    }
    auto [ec, n] = co_await s->sock.async_read_some(
        net::buffer(s->in.get() + s->end, in_capacity - s->end), use_tuple);
    s->end += n;
    co_return ec;
}

// A short error reply, then the connection closes.
net::awaitable<void> reply_error(session* s, unsigned status) {
    s->head.assign("HTTP/1.1 ");
    append_number(s->head, status);
    s->head.append(status == 431 ? " Request Header Fields Too Large" : " Bad Request");
    s->head.append("\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    co_await write_all(&s->sock, bufs(net::buffer(s->head)));
}

// Builds the status line and the common fields into s->head (no final CRLF).
void start_head(session* s, unsigned status, const char* content_type) {
    auto r = http::obsolete_reason(http::int_to_status(status));
    std::string_view reason(r.data(), r.size());
    s->head.assign("HTTP/1.1 ");
    append_number(s->head, status);
    s->head += ' ';
    s->head.append(reason == "<unknown-status>" ? std::string_view("Status") : reason);
    s->head.append("\r\nServer: gwbench-origin\r\nContent-Type: ");
    s->head.append(content_type);
    s->head.append("\r\n");
}

// How the response body is framed (RFC 9112 6): an HTTP/1.0 client cannot take
// chunked, so it gets a body delimited by the close.
enum class framing { none, length, chunked, close };

void end_head(session* s, framing f, std::uint64_t length, int version, bool keep) {
    if (f == framing::length) {
        s->head.append("Content-Length: ");
        append_number(s->head, length);
        s->head.append("\r\n");
    } else if (f == framing::chunked) {
        s->head.append("Transfer-Encoding: chunked\r\n");
    }
    if (!keep)
        s->head.append("Connection: close\r\n");
    else if (version < 11)
        s->head.append("Connection: keep-alive\r\n");
    s->head.append("\r\n");
}

// Writes the head and `size` pattern bytes with the given framing, piece by piece.
net::awaitable<error_code> write_generated(session* s, framing f, std::uint64_t size) {
    const char* pat = pattern().data();
    net::const_buffer head = net::buffer(s->head);
    if (f == framing::none || (f != framing::chunked && size == 0))
        co_return co_await write_all(&s->sock, bufs(head));
    if (f == framing::chunked && size == 0)
        co_return co_await write_all(&s->sock, bufs(head, net::buffer("0\r\n\r\n", 5)));
    while (size > 0) {
        std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(size, piece_size));
        size -= n;
        bufs4 b;
        if (f == framing::chunked) {
            // The last piece carries the last-chunk (RFC 9112 7.1): one write less.
            b = bufs(head, chunk_size_line(*s, n), net::buffer(pat, n),
                     size == 0 ? net::buffer("\r\n0\r\n\r\n", 7) : net::buffer("\r\n", 2));
        } else {
            b = bufs(head, net::buffer(pat, n));
        }
        head = {};
        if (auto ec = co_await write_all(&s->sock, b)) co_return ec;
    }
    co_return error_code{};
}

// Feeds buffered input to the parser until the message is done. With `echo`, every
// piece of body is written back as it arrives (s->head goes out with the first
// piece, or at the end). Returns false when the connection must close.
net::awaitable<bool> read_body(session* s, request_reader* r, framing echo_framing, bool echo) {
    bool head_sent = !echo, tail_sent = !echo;
    for (;;) {
        const bool last = r->is_done();
        if (echo && (r->echo_len > 0 || (last && !tail_sent))) {
            bufs4 b = bufs(head_sent ? net::const_buffer{} : net::buffer(s->head));
            auto data = net::buffer(s->echo.get(), r->echo_len);
            if (echo_framing == framing::chunked) {
                if (r->echo_len > 0) {
                    b[1] = chunk_size_line(*s, r->echo_len);
                    b[2] = data;
                    b[3] = last ? net::buffer("\r\n0\r\n\r\n", 7) : net::buffer("\r\n", 2);
                } else {
                    b[1] = net::buffer("0\r\n\r\n", 5); // the last-chunk (RFC 9112 7.1)
                }
            } else {
                b[1] = data;
            }
            head_sent = true;
            tail_sent = last;
            r->echo_len = 0;
            if (co_await write_all(&s->sock, b)) co_return false;
        }
        if (last) co_return true;
        error_code ec;
        std::size_t n = 0;
        if (s->begin < s->end) {
            n = r->put(net::buffer(s->in.get() + s->begin, s->end - s->begin), ec);
            s->begin += n;
        }
        if (ec && ec != http::error::need_more)
            co_return false; // bad framing: the head may be out already, just close
        if (r->is_done() || (n > 0 && s->begin < s->end) || r->echo_len > 0) continue;
        if (co_await read_more(s)) co_return false;
    }
}

// Serves one request; returns whether the connection stays open.
net::awaitable<bool> serve_one(origin_server::state* st, session* s) {
    request_reader r(st->opts);
    std::size_t head_bytes = 0;
    std::string echoed_head; // only for /echo-head
    for (;;) {
        if (s->begin < s->end) {
            error_code ec;
            std::size_t n = r.put(net::buffer(s->in.get() + s->begin, s->end - s->begin), ec);
            if (r.is_header_done()) {
                head_bytes = n;
                if (r.request_plan().kind == path_kind::echo_head)
                    echoed_head.assign(s->in.get() + s->begin, n);
                s->begin += n;
                break;
            }
            s->begin += n;
            if (ec && ec != http::error::need_more) {
                co_await reply_error(s, ec == http::error::header_limit ? 431 : 400);
                co_return false;
            }
        }
        if (auto ec = co_await read_more(s)) {
            if (ec == http::error::header_limit) co_await reply_error(s, 431);
            co_return false;
        }
    }
    st->requests.add(1);
    const plan& p = r.request_plan();
    bool has_body = !r.is_done();
    if (has_body && r.expects_continue()) {
        if (co_await write_all(&s->sock, bufs(net::buffer("HTTP/1.1 100 Continue\r\n\r\n", 25))))
            co_return false;
    }
    if (p.delay.count() > 0) {
        s->timer.expires_after(p.delay);
        co_await s->timer.async_wait(use_tuple);
        if (st->stopped) co_return false;
    }
    bool head_only = r.method() == http::verb::head;
    bool keep = r.keep_alive() && !p.close;

    if (p.kind == path_kind::echo) {
        // Same framing as the request: Content-Length when it had one.
        framing f =
            r.chunked() ? (r.version() < 11 ? framing::close : framing::chunked) : framing::length;
        if (f == framing::close) keep = false;
        start_head(s, 200, "application/octet-stream");
        s->head.append("x-origin-request-head: ");
        append_number(s->head, head_bytes);
        s->head.append("\r\n");
        end_head(s, f, r.content_length().value_or(0), r.version(), keep);
        if (!s->echo) s->echo.reset(new char[piece_size]);
        if (!head_only) r.echo_buf = s->echo.get();
        bool ok = co_await read_body(s, &r, head_only ? framing::none : f, true);
        st->request_body_bytes.add(r.body_bytes());
        co_return ok&& keep;
    }

    bool ok = co_await read_body(s, &r, framing::none, false);
    st->request_body_bytes.add(r.body_bytes());
    if (!ok) co_return false;
    error_code ec;
    if (p.kind == path_kind::echo_head) {
        start_head(s, p.status, "text/plain");
        end_head(s, framing::length, echoed_head.size(), r.version(), keep);
        bufs4 b = bufs(net::buffer(s->head));
        if (!head_only) b[1] = net::buffer(echoed_head);
        ec = co_await write_all(&s->sock, b);
    } else {
        // RFC 9110 15.3.5 / 15.4.5: 204 and 304 carry no body.
        bool no_body = p.status == 204 || p.status == 304;
        framing f = no_body            ? framing::none
                    : !p.chunked       ? framing::length
                    : r.version() < 11 ? framing::close
                                       : framing::chunked;
        if (f == framing::close) keep = false;
        start_head(s, p.status, "application/octet-stream");
        end_head(s, f, p.size, r.version(), keep);
        ec = co_await write_generated(s, head_only ? framing::none : f, p.size);
    }
    co_return !ec && keep;
}

net::awaitable<void> drain(session* s) {
    for (;;) {
        auto [ec, n] =
            co_await s->sock.async_read_some(net::buffer(s->in.get(), in_capacity), use_tuple);
        (void)n;
        if (ec) co_return;
    }
}

net::awaitable<void> linger_timeout(session* s) {
    s->timer.expires_after(linger_time);
    co_await s->timer.async_wait(use_tuple);
}

net::awaitable<void> serve(state_ptr st, tcp::socket sock) {
    auto s = std::make_unique<session>(std::move(sock));
    st->sessions.insert(s.get());
    st->connections.add(1);
    error_code ec;
    s->sock.set_option(tcp::no_delay(true), ec);
    s->sock.non_blocking(true, ec);
    while (!st->stopped && co_await serve_one(st.get(), s.get())) {
    }
    if (!st->stopped) {
        // Lingering close: our FIN first, then read until the client closes, so
        // that unread pipelined requests do not turn the close into a reset that
        // could destroy the response in flight.
        using namespace net::experimental::awaitable_operators;
        s->sock.shutdown(tcp::socket::shutdown_send, ec);
        if (!ec) co_await (drain(s.get()) || linger_timeout(s.get()));
    }
    s->sock.close(ec);
    st->sessions.erase(s.get());
}

net::awaitable<void> accept_loop(state_ptr st) {
    auto ex = co_await net::this_coro::executor;
    while (!st->stopped) {
        auto [ec, sock] = co_await st->acceptor.async_accept(use_tuple);
        if (st->stopped) break;
        if (ec) {
            if (ec == net::error::operation_aborted || !st->acceptor.is_open()) break;
            continue; // EMFILE and the like: the next accept may succeed
        }
        net::co_spawn(ex, serve(st, std::move(sock)), log_escaped{"session"});
    }
}

} // namespace

char body_pattern_byte(std::uint64_t i) noexcept {
    return body_cycle[i % body_cycle.size()];
}

origin_server::origin_server(net::io_context& ioc, const std::string& host, std::uint16_t port,
                             origin_options opts)
    : ioc_(ioc), state_(std::make_shared<state>(ioc, opts)) {
    error_code ec;
    auto addr = net::ip::make_address(host, ec);
    tcp::endpoint ep;
    if (!ec) {
        ep = tcp::endpoint(addr, port);
    } else {
        tcp::resolver resolver(ioc);
        ep = *resolver.resolve(host, std::to_string(port), tcp::resolver::passive).begin();
    }
    auto& a = state_->acceptor;
    a.open(ep.protocol());
    a.set_option(tcp::acceptor::reuse_address(true));
    if (opts.reuse_port) a.set_option(reuse_port{});
    a.bind(ep);
    a.listen(net::socket_base::max_listen_connections);
    port_ = a.local_endpoint().port();
}

origin_server::~origin_server() {
    stop();
}

std::uint16_t origin_server::port() const {
    return port_;
}

void origin_server::start() {
    net::co_spawn(ioc_, accept_loop(state_), log_escaped{"accept loop"});
}

void origin_server::stop() {
    if (ioc_.get_executor().running_in_this_thread())
        state_->stop_now();
    else
        net::post(ioc_, [st = state_] { st->stop_now(); });
}

origin_counters origin_server::counters() const {
    return {state_->connections.get(), state_->requests.get(), state_->request_body_bytes.get()};
}

} // namespace gw::bench
