#include "test/bench/bench_harness.hpp"

#include <cstdio>
#include <exception>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace gw::bench::test {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using boost::system::error_code;

namespace {

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

void log_escaped(std::exception_ptr e) {
    if (!e) return;
    try {
        std::rethrow_exception(e);
    } catch (const std::exception& x) {
        std::fprintf(stderr, "test server: %s\n", x.what());
    }
}

net::awaitable<void> scripted_session(tcp::socket s, script what) {
    std::string seen;
    char buf[4096];
    while (seen.find("\r\n\r\n") == std::string::npos) {
        auto [ec, n] = co_await s.async_read_some(net::buffer(buf), use_tuple);
        if (ec) co_return;
        seen.append(buf, n);
    }
    error_code ignored;
    switch (what) {
    case script::reset:
        s.set_option(net::socket_base::linger(true, 0), ignored);
        s.close(ignored);
        co_return;
    case script::close:
        s.shutdown(tcp::socket::shutdown_both, ignored);
        s.close(ignored);
        co_return;
    case script::garbage: {
        std::string junk = "garbage, not HTTP\r\n\r\n";
        co_await net::async_write(s, net::buffer(junk), use_tuple);
        break;
    }
    case script::silent:
        break;
    }
    for (;;) { // until the client gives up
        auto [ec, n] = co_await s.async_read_some(net::buffer(buf), use_tuple);
        if (ec) co_return;
    }
}

net::awaitable<void> scripted_accept(tcp::acceptor* a, script what) {
    for (;;) {
        auto [ec, s] = co_await a->async_accept(use_tuple);
        if (ec) co_return;
        net::co_spawn(a->get_executor(), scripted_session(std::move(s), what), log_escaped);
    }
}

} // namespace

origin_thread::origin_thread(origin_options opts) : server_(ioc_, "127.0.0.1", 0, opts) {
    server_.start();
    thread_ = std::thread([this] { ioc_.run(); });
}

origin_thread::~origin_thread() {
    stop_and_join();
}

void origin_thread::stop_and_join() {
    if (!thread_.joinable()) return;
    server_.stop(); // posted: runs on the server's thread
    thread_.join();
}

std::string origin_thread::url(std::string_view target) const {
    return "http://127.0.0.1:" + std::to_string(port()) + std::string(target);
}

scripted_server::scripted_server(script s)
    : acceptor_(ioc_, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0)) {
    port_ = acceptor_.local_endpoint().port();
    net::co_spawn(ioc_, scripted_accept(&acceptor_, s), log_escaped);
    thread_ = std::thread([this] { ioc_.run(); });
}

scripted_server::~scripted_server() {
    ioc_.stop();
    thread_.join();
}

std::string scripted_server::url() const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/";
}

std::uint16_t refused_port() {
    net::io_context ioc;
    tcp::acceptor a(ioc, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
    return a.local_endpoint().port();
}

std::string pattern_body(std::size_t n) {
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i)
        s[i] = body_pattern_byte(i);
    return s;
}

bool is_pattern(std::string_view body) {
    for (std::size_t i = 0; i < body.size(); ++i)
        if (body[i] != body_pattern_byte(i)) return false;
    return true;
}

std::string test_bytes(std::size_t n) {
    std::string s(n, '\0');
    std::uint32_t x = 12345;
    for (auto& c : s) {
        x = x * 1103515245u + 12345u;
        c = static_cast<char>(x >> 24);
    }
    return s;
}

std::string chunked_encode(std::string_view data, const std::vector<std::size_t>& sizes) {
    std::string out;
    std::size_t i = 0, k = 0;
    char line[32];
    while (i < data.size()) {
        std::size_t n = std::min(sizes[k++ % sizes.size()], data.size() - i);
        std::snprintf(line, sizeof line, "%zx\r\n", n);
        out += line;
        out.append(data.substr(i, n));
        out += "\r\n";
        i += n;
    }
    out += "0\r\n\r\n";
    return out;
}

} // namespace gw::bench::test
