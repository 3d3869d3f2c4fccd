// The load generator's hot path. Per thread: one io_context{1}, its connections,
// its own result (merged at the end). Per connection: one coroutine, one
// preallocated read buffer, one watchdog timer whose deadline moves lazily (a
// plain store per request; the timer re-arms only when it fires). A request is the
// shared preformatted string, written without suspending when the kernel takes it.
#include "bench/gwbench/load.hpp"
#include "bench/gwbench/tls_session.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "bench/gwbench/response_parser.hpp"

namespace gw::bench {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using boost::system::error_code;
using clock_type = std::chrono::steady_clock;

const char* to_string(error_class c) noexcept {
    switch (c) {
    case error_class::connect:
        return "connect";
    case error_class::reset:
        return "reset";
    case error_class::timeout:
        return "timeout";
    case error_class::bad_response:
        return "bad_response";
    }
    return "unknown";
}

error_class classify(const error_code& ec, bool connecting, bool timed_out) noexcept {
    if (timed_out || ec == net::error::timed_out) return error_class::timeout;
    return connecting ? error_class::connect : error_class::reset;
}

namespace {

bool iequals_ascii(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return (x | 0x20) == (y | 0x20);
           });
}

} // namespace

std::string parse_url(std::string_view url, url_parts& out) {
    constexpr std::string_view plain = "http://", secure = "https://";
    out.tls = url.substr(0, secure.size()) == secure;
    if (!out.tls && url.substr(0, plain.size()) != plain)
        return "only http:// and https:// URLs are supported (got '" + std::string(url) + "')";
    auto rest = url.substr(out.tls ? secure.size() : plain.size());
    auto slash = rest.find_first_of("/?#");
    auto authority = rest.substr(0, slash);
    std::string target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
    if (auto hash = target.find('#'); hash != std::string::npos) target.erase(hash);
    if (target.empty() || target[0] != '/') target.insert(0, "/");
    if (authority.empty()) return "the URL has no host";
    if (authority.find('@') != std::string_view::npos)
        return "user information in the URL is not supported";
    std::string_view host = authority, port;
    if (authority.front() == '[') {
        auto close = authority.find(']');
        if (close == std::string_view::npos) return "unterminated IPv6 address in the URL";
        host = authority.substr(1, close - 1);
        auto after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') return "junk after the IPv6 address in the URL";
            port = after.substr(1);
        }
    } else if (auto colon = authority.rfind(':'); colon != std::string_view::npos) {
        host = authority.substr(0, colon);
        port = authority.substr(colon + 1);
    }
    out.port = out.tls ? 443 : 80;
    if (!port.empty()) {
        unsigned p = 0;
        auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
        if (ec != std::errc{} || end != port.data() + port.size() || p == 0 || p > 65535)
            return "bad port '" + std::string(port) + "' in the URL";
        out.port = static_cast<std::uint16_t>(p);
    }
    if (host.empty()) return "the URL has no host";
    out.host = std::string(host);
    out.target = std::move(target);
    out.host_header = std::string(authority);
    return {};
}

std::string build_request(const load_options& o, const url_parts& u) {
    std::string r;
    r.reserve(256 + o.body_size);
    r.append(o.method).append(" ").append(u.target).append(" HTTP/1.1\r\n");
    bool has_host = false, has_length = false;
    for (const auto& h : o.headers) {
        auto name = std::string_view(h).substr(0, h.find(':'));
        has_host = has_host || iequals_ascii(name, "host");
        has_length = has_length || iequals_ascii(name, "content-length");
    }
    if (!has_host) r.append("Host: ").append(u.host_header).append("\r\n");
    for (const auto& h : o.headers)
        r.append(h).append("\r\n");
    if (!has_length && (o.body_size > 0 || o.method == "POST" || o.method == "PUT"))
        r.append("Content-Length: ").append(std::to_string(o.body_size)).append("\r\n");
    r.append("\r\n");
    r.append(o.body_size, 'x');
    return r;
}

bool load_result::all_2xx() const noexcept {
    return requests != 0 && errors_total() == 0 && status_class(2) == requests;
}

std::uint64_t load_result::errors_total() const noexcept {
    std::uint64_t n = 0;
    for (auto e : errors)
        n += e;
    return n;
}

std::uint64_t load_result::status_class(unsigned k) const noexcept {
    std::uint64_t n = 0;
    for (unsigned c = k * 100; c < k * 100 + 100 && c < status.size(); ++c)
        n += status[c];
    return n;
}

double load_result::requests_per_s() const noexcept {
    auto s = std::chrono::duration<double>(elapsed).count();
    return s > 0 ? static_cast<double>(requests) / s : 0.0;
}

double load_result::bytes_read_per_s() const noexcept {
    auto s = std::chrono::duration<double>(elapsed).count();
    return s > 0 ? static_cast<double>(bytes_read) / s : 0.0;
}

void load_result::merge(const load_result& o) noexcept {
    elapsed = std::max(elapsed, o.elapsed);
    requests += o.requests;
    bytes_read += o.bytes_read;
    bytes_written += o.bytes_written;
    connections_opened += o.connections_opened;
    tls_handshakes += o.tls_handshakes;
    tls_resumed += o.tls_resumed;
    latency.merge(o.latency);
    for (std::size_t i = 0; i < status.size(); ++i)
        status[i] += o.status[i];
    for (std::size_t i = 0; i < errors.size(); ++i)
        errors[i] += o.errors[i];
}

namespace {

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);
constexpr std::size_t read_capacity = 32 * 1024; // per connection; a response head must fit

// What every connection of the run shares, read-only.
struct run_plan {
    tcp::endpoint endpoint;
    const tls_client_context* tls = nullptr; // https://
    std::string request;
    bool head_request = false;
    std::chrono::nanoseconds timeout{0};
    std::chrono::nanoseconds interval{0}; // between sends of one connection (rate mode)
    std::size_t connections = 0;
    clock_type::time_point start;
};

// Written by its worker only, read by the progress printer.
struct live_counter {
    std::atomic<std::uint64_t> v{0};
    void add(std::uint64_t n) noexcept {
        v.store(v.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
    }
    std::uint64_t get() const noexcept { return v.load(std::memory_order_relaxed); }
};

class worker;

class connection {
public:
    connection(worker& w, const run_plan& plan, std::size_t index);
    net::awaitable<void> run();
    void close() noexcept; // on the worker's thread: ends whatever is pending

private:
    net::awaitable<std::optional<error_class>> connect();
    net::awaitable<std::optional<error_class>> exchange();
    // TLS: the handshake, then reads and writes through OpenSSL, waiting on the
    // socket as it asks. An error (eof at a close) in `ec`.
    net::awaitable<error_code> tls_wait(tls_step step);
    net::awaitable<std::optional<error_class>> tls_handshake();
    net::awaitable<std::tuple<error_code, std::size_t>> read_some(char* out, std::size_t n);
    net::awaitable<error_code> write_all(const char* in, std::size_t n);
    void arm_watchdog(clock_type::time_point at);
    void on_watchdog(const error_code& ec);

    worker& w_;
    const run_plan& plan_;
    tcp::socket sock_;
    tls_session tls_;
    net::steady_timer watchdog_, pacer_;
    std::unique_ptr<char[]> buf_{new char[read_capacity]};
    std::size_t begin_ = 0, end_ = 0; // unparsed bytes are buf_[begin_, end_)
    response_parser parser_;
    clock_type::time_point deadline_{};
    clock_type::time_point next_send_{};
    bool busy_ = false, timed_out_ = false, finished_ = false;
};

class worker {
public:
    worker(const run_plan& plan, std::size_t first_index, std::size_t connections,
           std::uint64_t requests)
        : remaining_(requests), counted_(requests > 0) {
        for (std::size_t i = 0; i < connections; ++i)
            conns_.push_back(std::make_unique<connection>(*this, plan, first_index + i));
    }

    // Runs the worker's connections on the calling thread until they are done.
    void run(clock_type::time_point end) {
        for (auto& c : conns_) {
            ++running_;
            net::co_spawn(ioc, c->run(), [this](std::exception_ptr e) { on_finished(e); });
        }
        if (!counted_) {
            end_timer_.expires_at(end);
            end_timer_.async_wait([this](const error_code& ec) {
                if (!ec) stop();
            });
        }
        ioc.run();
        finished_at = clock_type::now();
    }

    // In counted mode, takes one request from the worker's share.
    bool take_request() noexcept {
        if (!counted_) return true;
        if (remaining_ == 0) return false;
        --remaining_;
        return true;
    }

    bool stopping() const noexcept { return stopping_; }

    net::io_context ioc{1};
    load_result result;
    live_counter live_requests, live_errors;
    clock_type::time_point finished_at{};

private:
    void stop() {
        stopping_ = true;
        for (auto& c : conns_)
            c->close();
    }

    void on_finished(std::exception_ptr e) {
        if (e) {
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& x) {
                std::fprintf(stderr, "gwbench load: connection: %s\n", x.what());
            }
        }
        if (--running_ == 0) end_timer_.cancel();
    }

    std::uint64_t remaining_;
    bool counted_;
    bool stopping_ = false;
    std::size_t running_ = 0;
    net::steady_timer end_timer_{ioc};
    std::vector<std::unique_ptr<connection>> conns_;
};

connection::connection(worker& w, const run_plan& plan, std::size_t index)
    : w_(w), plan_(plan), sock_(w.ioc), watchdog_(w.ioc), pacer_(w.ioc) {
    // Spread the connections' first sends over one interval.
    if (plan.interval.count() > 0)
        next_send_ = plan.start + plan.interval * static_cast<std::int64_t>(index) /
                                      static_cast<std::int64_t>(plan.connections);
}

void connection::close() noexcept {
    error_code ignored;
    sock_.close(ignored);
    pacer_.cancel();
    watchdog_.cancel();
}

void connection::arm_watchdog(clock_type::time_point at) {
    watchdog_.expires_at(at);
    watchdog_.async_wait([this](const error_code& ec) { on_watchdog(ec); });
}

// The deadline moves with every request (a store); the timer only re-arms here.
void connection::on_watchdog(const error_code& ec) {
    if (ec || finished_ || w_.stopping()) return;
    auto now = clock_type::now();
    if (busy_ && !timed_out_ && now >= deadline_) {
        timed_out_ = true;
        error_code ignored;
        sock_.close(ignored); // the pending operation completes with an error
    }
    arm_watchdog(busy_ && !timed_out_ ? deadline_ : now + plan_.timeout);
}

net::awaitable<std::optional<error_class>> connection::connect() {
    auto [ec] = co_await sock_.async_connect(plan_.endpoint, use_tuple);
    if (ec) {
        error_code ignored;
        sock_.close(ignored);
        co_return classify(ec, true, timed_out_);
    }
    ++w_.result.connections_opened;
    error_code ignored;
    sock_.set_option(tcp::no_delay(true), ignored);
    sock_.non_blocking(true, ignored);
    begin_ = end_ = 0;
    if (plan_.tls != nullptr) co_return co_await tls_handshake();
    co_return std::nullopt;
}

net::awaitable<error_code> connection::tls_wait(tls_step step) {
    if (step == tls_step::closed) co_return error_code(net::error::eof);
    if (step == tls_step::failed) co_return error_code(net::error::connection_reset);
    auto [ec] = co_await sock_.async_wait(
        step == tls_step::want_write ? tcp::socket::wait_write : tcp::socket::wait_read, use_tuple);
    co_return ec;
}

net::awaitable<std::optional<error_class>> connection::tls_handshake() {
    if (!tls_.attach(*plan_.tls, sock_.native_handle())) co_return error_class::connect;
    for (;;) {
        const auto step = tls_.handshake();
        if (step == tls_step::done) break;
        if (auto ec = co_await tls_wait(step)) co_return classify(ec, true, timed_out_);
    }
    ++w_.result.tls_handshakes;
    if (tls_.reused()) ++w_.result.tls_resumed;
    co_return std::nullopt;
}

net::awaitable<std::tuple<error_code, std::size_t>> connection::read_some(char* out, std::size_t n) {
    if (plan_.tls == nullptr) co_return co_await sock_.async_read_some(net::buffer(out, n), use_tuple);
    for (;;) {
        std::size_t got = 0;
        const auto step = tls_.read(out, n, got);
        if (step == tls_step::done) co_return std::tuple{error_code{}, got};
        if (auto ec = co_await tls_wait(step)) co_return std::tuple{ec, std::size_t{0}};
    }
}

net::awaitable<error_code> connection::write_all(const char* in, std::size_t n) {
    if (plan_.tls == nullptr) {
        error_code ec;
        std::size_t done = sock_.write_some(net::buffer(in, n), ec);
        if (ec == net::error::would_block) {
            ec = {};
            done = 0;
        }
        if (ec || done == n) co_return ec;
        auto [wec, m] = co_await net::async_write(sock_, net::buffer(in + done, n - done), use_tuple);
        (void)m;
        co_return wec;
    }
    while (n != 0) {
        std::size_t put = 0;
        const auto step = tls_.write(in, n, put);
        if (step == tls_step::done) {
            in += put;
            n -= put;
        } else if (auto ec = co_await tls_wait(step)) {
            co_return ec;
        }
    }
    co_return error_code{};
}

net::awaitable<std::optional<error_class>> connection::exchange() {
    const std::string& req = plan_.request;
    if (auto ec = co_await write_all(req.data(), req.size())) co_return classify(ec, false, timed_out_);
    w_.result.bytes_written += req.size();
    parser_.reset(plan_.head_request);
    for (;;) {
        if (begin_ < end_) {
            begin_ += parser_.feed(buf_.get() + begin_, end_ - begin_);
            if (parser_.done()) co_return std::nullopt;
            if (parser_.failed()) co_return error_class::bad_response;
        }
        if (begin_ == end_) {
            begin_ = end_ = 0;
        } else if (end_ == read_capacity) {
            if (begin_ == 0) co_return error_class::bad_response; // a head larger than the buffer
            std::memmove(buf_.get(), buf_.get() + begin_, end_ - begin_);
            end_ -= begin_;
            begin_ = 0;
        }
        auto [rec, got] = co_await read_some(buf_.get() + end_, read_capacity - end_);
        end_ += got;
        w_.result.bytes_read += got;
        if (rec == net::error::eof && !timed_out_) {
            parser_.on_eof();
            if (parser_.done()) co_return std::nullopt; // a body delimited by the close
            co_return error_class::reset;
        }
        if (rec) co_return classify(rec, false, timed_out_);
    }
}

net::awaitable<void> connection::run() {
    const bool paced = plan_.interval.count() > 0;
    arm_watchdog(clock_type::now() + plan_.timeout);
    while (!w_.stopping() && w_.take_request()) {
        clock_type::time_point intended{};
        if (paced) {
            // wrk2's correction: the latency counts from when the request was due.
            intended = next_send_;
            next_send_ += plan_.interval;
            if (intended > clock_type::now()) {
                pacer_.expires_at(intended);
                co_await pacer_.async_wait(use_tuple);
                if (w_.stopping()) break;
            }
        }
        timed_out_ = false;
        busy_ = true;
        deadline_ = clock_type::now() + plan_.timeout;
        std::optional<error_class> err;
        if (!sock_.is_open()) err = co_await connect();
        if (!paced) intended = clock_type::now();
        if (!err) err = co_await exchange();
        busy_ = false;
        if (w_.stopping()) break; // in flight when the run ended: not counted
        auto& r = w_.result;
        if (err) {
            ++r.errors[static_cast<std::size_t>(*err)];
            w_.live_errors.add(1);
            error_code ignored;
            sock_.close(ignored);
            continue;
        }
        auto latency = clock_type::now() - intended;
        r.latency.record(static_cast<std::uint64_t>(std::max<std::int64_t>(
            0, std::chrono::duration_cast<std::chrono::nanoseconds>(latency).count())));
        ++r.status[std::min<std::size_t>(parser_.status(), r.status.size() - 1)];
        ++r.requests;
        w_.live_requests.add(1);
        if (!parser_.keep_alive()) {
            error_code ignored;
            sock_.close(ignored);
        }
    }
    finished_ = true;
    close();
}

void validate(const load_options& o) {
    if (o.connections == 0) throw std::invalid_argument("connections must be at least 1");
    if (o.threads == 0) throw std::invalid_argument("threads must be at least 1");
    if ((o.duration.count() > 0) == (o.requests > 0))
        throw std::invalid_argument("give either a duration (-d) or a request count (-n)");
    if (o.duration.count() < 0) throw std::invalid_argument("the duration must be positive");
    if (!(o.rate >= 0)) throw std::invalid_argument("the rate must be positive");
    if (o.timeout.count() <= 0) throw std::invalid_argument("the timeout must be positive");
    if (o.method.empty() || o.method.find_first_of(" \r\n") != std::string::npos)
        throw std::invalid_argument("bad method '" + o.method + "'");
    for (const auto& h : o.headers)
        if (h.find(':') == std::string::npos || h.find_first_of("\r\n") != std::string::npos)
            throw std::invalid_argument("bad header '" + h + "' (want 'Name: value')");
}

tcp::endpoint resolve(const url_parts& u) {
    net::io_context ioc;
    tcp::resolver resolver(ioc);
    error_code ec;
    auto results = resolver.resolve(u.host, std::to_string(u.port), ec);
    if (ec || results.empty())
        throw std::runtime_error("cannot resolve '" + u.host + "': " + ec.message());
    for (const auto& r : results) // prefer IPv4, as most origins listen there
        if (r.endpoint().address().is_v4()) return r.endpoint();
    return results.begin()->endpoint();
}

} // namespace

load_result run_load(const load_options& o) {
    validate(o);
    url_parts u;
    if (auto err = parse_url(o.url, u); !err.empty()) throw std::invalid_argument(err);

    run_plan plan;
    plan.endpoint = resolve(u);
    std::unique_ptr<tls_client_context> tls;
    if (u.tls) {
        tls_options t;
        t.enabled = true;
        t.resume = o.tls_resume;
        t.max_version = o.tls_max_version;
        unsigned char ip[16];
        if (inet_pton(AF_INET, u.host.c_str(), ip) != 1 && inet_pton(AF_INET6, u.host.c_str(), ip) != 1)
            t.sni = u.host; // (SNI never carries an IP address, RFC 6066)
        tls = std::make_unique<tls_client_context>(t);
        plan.tls = tls.get();
    }
    plan.request = build_request(o, u);
    plan.head_request = o.method == "HEAD";
    plan.timeout = o.timeout;
    plan.connections = o.connections;
    if (o.rate > 0)
        plan.interval = std::chrono::nanoseconds(
            static_cast<std::int64_t>(1e9 * static_cast<double>(o.connections) / o.rate));

    plan.start = clock_type::now(); // before the connections, which pace from it
    const std::size_t threads = std::min(o.threads, o.connections);
    std::vector<std::unique_ptr<worker>> workers;
    std::size_t first = 0;
    for (std::size_t t = 0; t < threads; ++t) {
        std::size_t conns = o.connections / threads + (t < o.connections % threads ? 1 : 0);
        std::uint64_t reqs = o.requests / threads + (t < o.requests % threads ? 1 : 0);
        workers.push_back(std::make_unique<worker>(plan, first, conns, reqs));
        first += conns;
    }

    const auto end = plan.start + o.duration;
    std::mutex m;
    std::condition_variable cv;
    std::size_t finished = 0;
    std::vector<std::thread> pool;
    for (auto& w : workers)
        pool.emplace_back([&, wp = w.get()] {
            wp->run(end);
            std::lock_guard lock(m);
            ++finished;
            cv.notify_one();
        });

    {
        std::unique_lock lock(m);
        std::uint64_t last = 0;
        auto tick = plan.start;
        while (finished < workers.size()) {
            tick += std::chrono::seconds(1);
            if (cv.wait_until(lock, tick, [&] { return finished == workers.size(); })) break;
            if (!o.progress) continue;
            std::uint64_t reqs = 0, errs = 0;
            for (auto& w : workers) {
                reqs += w->live_requests.get();
                errs += w->live_errors.get();
            }
            auto secs = std::chrono::duration<double>(clock_type::now() - plan.start).count();
            std::printf("%7.1fs %12llu requests %10llu req/s %8llu errors\n", secs,
                        static_cast<unsigned long long>(reqs),
                        static_cast<unsigned long long>(reqs - last),
                        static_cast<unsigned long long>(errs));
            std::fflush(stdout);
            last = reqs;
        }
    }
    for (auto& t : pool)
        t.join();

    load_result total;
    for (auto& w : workers) {
        w->result.elapsed = w->finished_at - plan.start;
        total.merge(w->result);
    }
    // A timed run ends at its deadline, not when the last socket closed.
    if (o.duration.count() > 0)
        total.elapsed = std::min(total.elapsed, std::chrono::nanoseconds(o.duration));
    return total;
}

} // namespace gw::bench
