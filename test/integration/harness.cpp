#include "test/integration/harness.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <sstream>

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/test/unit_test.hpp>

#include <sys/socket.h>
#include <sys/time.h>

#include "config/load.hpp"

namespace gw::test {

namespace net = boost::asio;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

origins::origins(std::size_t n, bench::origin_options opts) : work_(ioc_.get_executor()) {
    for (std::size_t i = 0; i < n; ++i) {
        servers_.push_back(std::make_unique<bench::origin_server>(ioc_, "127.0.0.1", 0, opts));
        servers_.back()->start();
    }
    thread_ = std::thread([this] { ioc_.run(); });
}

origins::~origins() {
    for (auto& s : servers_)
        s->stop();
    work_.reset();
    thread_.join();
    servers_.clear();
}

std::shared_ptr<const config::gateway_config> load_config(const std::string& toml) {
    auto r = config::load_string(toml, "test.toml");
    for (const auto& e : r.errors)
        BOOST_TEST_MESSAGE(config::to_string(e));
    BOOST_REQUIRE_MESSAGE(r.config, "the test's configuration does not load");
    return r.config;
}

std::string basic_config(const std::vector<std::uint16_t>& server_ports, const std::string& extra,
                         const std::string& server_extra) {
    std::string t = "[global]\nworkers = 2\n[admin]\nenabled = false\n"
                    "[[listeners]]\nname = \"http\"\nlisten = \"127.0.0.1:0\"\n"
                    "default_backend = \"app\"\n"
                    "[[backends]]\nname = \"app\"\n";
    for (auto p : server_ports)
        t += "[[backends.servers]]\naddress = \"127.0.0.1:" + std::to_string(p) + "\"\n" +
             server_extra + "\n";
    return t + extra;
}

running_gateway::running_gateway(std::shared_ptr<const config::gateway_config> cfg, int access_log_fd)
    : gw_(std::make_unique<gw::gateway>(std::move(cfg), access_log_fd)) {
    gw_->start();
}

running_gateway::~running_gateway() {
    gw_->abort();
    gw_->wait();
}

std::uint16_t running_gateway::port(std::size_t listener) const {
    return gw_->listener_endpoint(listener).port();
}

client::client(std::uint16_t port, std::chrono::milliseconds timeout)
    : socket_(ioc_), timeout_(timeout) {
    socket_.connect({net::ip::make_address("127.0.0.1"), port});
}

// Blocking sockets would ignore SO_RCVTIMEO (Asio polls again on EAGAIN), so
// every operation runs asynchronously on the client's own io_context, bounded.
template <class Start>
boost::system::error_code client::run(Start start) {
    std::optional<boost::system::error_code> result;
    start([&result](boost::system::error_code ec, std::size_t) { result = ec; });
    ioc_.restart();
    ioc_.run_for(timeout_);
    if (!result) {
        socket_.cancel();
        ioc_.restart();
        ioc_.run();
    }
    return result.value_or(net::error::operation_aborted);
}

void client::send(const std::string& raw) {
    run([&](auto handler) { net::async_write(socket_, net::buffer(raw), handler); });
}

std::optional<response> client::read(bool head_request) {
    http::response_parser<http::string_body> p;
    p.body_limit(boost::none);
    p.skip(head_request);
    if (run([&](auto handler) { http::async_read(socket_, buffer_, p, handler); }))
        return std::nullopt;
    return p.release();
}

std::string client::read_exactly(std::size_t n) {
    std::string out;
    const std::size_t buffered = std::min(n, buffer_.size());
    out.append(static_cast<const char*>(buffer_.data().data()), buffered);
    buffer_.consume(buffered);
    std::string rest(n - buffered, '\0');
    if (run([&](auto handler) { net::async_read(socket_, net::buffer(rest), handler); }))
        return {};
    return out + rest;
}

bool client::closed() {
    if (buffer_.size() > 0)
        return false;
    char byte;
    const auto ec =
        run([&](auto handler) { socket_.async_read_some(net::buffer(&byte, 1), handler); });
    return ec == net::error::eof || ec == net::error::connection_reset;
}

std::optional<response> client::get(const std::string& target, const std::string& extra_headers) {
    send("GET " + target + " HTTP/1.1\r\nHost: test\r\n" + extra_headers + "\r\n");
    return read();
}

log_pipe::log_pipe() {
    BOOST_REQUIRE(::pipe(fds) == 0);
    ::fcntl(fds[0], F_SETFL, O_NONBLOCK);
}

log_pipe::~log_pipe() {
    ::close(fds[0]);
    ::close(fds[1]);
}

std::vector<std::string> log_pipe::lines() {
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fds[0], buf, sizeof buf)) > 0)
        data.append(buf, static_cast<std::size_t>(n));
    std::vector<std::string> out;
    std::istringstream in(data);
    for (std::string l; std::getline(in, l);)
        out.push_back(l);
    return out;
}

std::size_t raise_descriptor_limit() {
    rlimit rl{};
    ::getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &rl);
    ::getrlimit(RLIMIT_NOFILE, &rl);
    return static_cast<std::size_t>(rl.rlim_cur);
}

unsigned get_status(std::uint16_t port, const std::string& target) {
    client c(port);
    auto r = c.get(target);
    return r ? r->result_int() : 0;
}

double metric(std::uint16_t admin_port, const std::string& name) {
    client c(admin_port);
    auto r = c.get("/metrics");
    BOOST_REQUIRE(r);
    const auto& body = r->body();
    const auto at = body.find("\n" + name + " ");
    BOOST_REQUIRE_MESSAGE(at != std::string::npos, name << " is not in /metrics");
    return std::stod(body.substr(at + name.size() + 2));
}

bool wait_until(const std::function<bool()>& pred, std::chrono::milliseconds limit) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (!pred()) {
        if (std::chrono::steady_clock::now() > end)
            return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return true;
}

std::string pattern(std::size_t n) {
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i)
        s[i] = bench::body_pattern_byte(i);
    return s;
}

} // namespace gw::test

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <unistd.h>

namespace gw::test {

namespace {
int listen_on_loopback(std::uint16_t& port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(fd, 64);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
    return fd;
}

void reset_and_close(int fd) {
    linger l{1, 0}; // an RST instead of a FIN
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    ::close(fd);
}
} // namespace

std::uint16_t closed_port() {
    std::uint16_t port = 0;
    ::close(listen_on_loopback(port));
    return port;
}

misbehaving_server::misbehaving_server(mode m) : mode_(m) {
    listen_fd_ = listen_on_loopback(port_);
    thread_ = std::thread([this] { run(); });
}

misbehaving_server::~misbehaving_server() {
    stop_ = true;
    thread_.join();
    ::close(listen_fd_);
    for (int fd : open_)
        ::close(fd);
}

void misbehaving_server::run() {
    while (!stop_) {
        pollfd p{listen_fd_, POLLIN, 0};
        if (::poll(&p, 1, 20) <= 0)
            continue; // wake up regularly to notice stop_
        const int fd = ::accept(listen_fd_, nullptr, nullptr);
        if (fd < 0)
            continue;
        ++accepted_;
        // Read up to the end of the request head (bodies are not used here).
        std::string in;
        char buf[4096];
        while (in.find("\r\n\r\n") == std::string::npos) {
            pollfd r{fd, POLLIN, 0};
            if (::poll(&r, 1, 2000) <= 0)
                break;
            const ssize_t n = ::read(fd, buf, sizeof buf);
            if (n <= 0)
                break;
            in.append(buf, static_cast<std::size_t>(n));
        }
        switch (mode_) {
        case mode::reset_before_response:
            reset_and_close(fd);
            break;
        case mode::reset_mid_response: {
            const std::string partial = "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n0123456789";
            (void)::write(fd, partial.data(), partial.size());
            ::usleep(20'000); // let the head and the 10 bytes reach the gateway first
            reset_and_close(fd);
            break;
        }
        case mode::large_then_reset:
        case mode::large_then_silent:
        case mode::part_then_silent: {
            const bool part = mode_ == mode::part_then_silent;
            std::string partial = part ? "HTTP/1.1 200 OK\r\nContent-Length: 20000\r\n\r\n"
                                       : "HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n";
            partial.append(part ? 12'000 : 200'000, 'x');
            for (std::size_t off = 0; off < partial.size();) {
                const ssize_t n = ::write(fd, partial.data() + off, partial.size() - off);
                if (n <= 0)
                    break;
                off += static_cast<std::size_t>(n);
            }
            ::usleep(50'000); // let the bytes reach the gateway first
            if (mode_ == mode::large_then_reset)
                reset_and_close(fd);
            else
                open_.push_back(fd); // closed when the server is destroyed
            break;
        }
        case mode::never_answers:
            open_.push_back(fd); // closed when the server is destroyed
            break;
        case mode::chunked_trailers: {
            const std::string r = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                                  "Trailer: X-Checksum\r\nConnection: close\r\n\r\n"
                                  "5\r\nhello\r\n0\r\nX-Checksum: abc\r\n\r\n";
            (void)::write(fd, r.data(), r.size());
            ::close(fd);
            break;
        }
        case mode::one_per_connection: {
            const std::string ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
            (void)::write(fd, ok.data(), ok.size());
            pollfd r{fd, POLLIN, 0};
            if (::poll(&r, 1, 5000) > 0)
                (void)::read(fd, buf, sizeof buf); // the next request: dropped
            ::close(fd);
            break;
        }
        case mode::upgrade_echo: {
            const std::string head = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                                     "Connection: Upgrade\r\n\r\nhello";
            (void)::write(fd, head.data(), head.size());
            for (;;) {
                pollfd r{fd, POLLIN, 0};
                if (::poll(&r, 1, 5000) <= 0)
                    break;
                const ssize_t n = ::read(fd, buf, sizeof buf);
                if (n <= 0 || ::write(fd, buf, static_cast<std::size_t>(n)) != n)
                    break;
            }
            ::close(fd);
            break;
        }
        case mode::garbage: {
            const std::string junk = "SSH-2.0-OpenSSH_9.2\r\n\r\n";
            (void)::write(fd, junk.data(), junk.size());
            ::close(fd);
            break;
        }
        }
    }
}

} // namespace gw::test
