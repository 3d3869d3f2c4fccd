#pragma once
// Integration harness: real origins (gwbench's origin_server) on their own
// thread, a real gateway in-process, and a blocking test client, all on
// 127.0.0.1 with ephemeral ports. Every socket read has a timeout, so a broken
// gateway fails a test instead of hanging it.

#include <atomic>
#include <chrono>
#include <optional>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "bench/origin/origin_server.hpp"
#include "config/config.hpp"
#include "gateway/app/gateway.hpp"

namespace gw::test {

// Origins on one background io_context thread.
class origins {
public:
    explicit origins(std::size_t n, bench::origin_options opts = {});
    ~origins();
    std::uint16_t port(std::size_t i) const { return servers_.at(i)->port(); }

private:
    boost::asio::io_context ioc_{1};
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
    std::vector<std::unique_ptr<bench::origin_server>> servers_;
    std::thread thread_;
};

// Loads TOML text (the test's config), failing the test on any error.
std::shared_ptr<const config::gateway_config> load_config(const std::string& toml);

// A config with one listener on 127.0.0.1:0 whose default backend "app" has one
// server per port, then `extra` TOML appended (sections like [buffers]).
std::string basic_config(const std::vector<std::uint16_t>& server_ports,
                         const std::string& extra = "", const std::string& server_extra = "");

// A started gateway; aborted and joined on destruction.
class running_gateway {
public:
    explicit running_gateway(std::shared_ptr<const config::gateway_config> cfg, int access_log_fd = 1);
    ~running_gateway();
    std::uint16_t port(std::size_t listener = 0) const;
    std::uint16_t admin_port() const { return gw_->admin_endpoint()->port(); }
    gw::gateway& get() { return *gw_; }

private:
    std::unique_ptr<gw::gateway> gw_;
};

using response = boost::beast::http::response<boost::beast::http::string_body>;

// One blocking client connection with a receive timeout.
class client {
public:
    explicit client(std::uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(10));
    void send(const std::string& raw);
    // Reads one response (nullopt on EOF, reset or timeout before a full response).
    std::optional<response> read(bool head_request = false);
    // Reads exactly n raw bytes (what arrived after a response included); "" on error.
    std::string read_exactly(std::size_t n);
    // True when the gateway closed the connection (EOF) within the timeout.
    bool closed();
    // Sends a GET and reads the answer.
    std::optional<response> get(const std::string& target, const std::string& extra_headers = "");

private:
    // Runs one asynchronous operation for at most timeout_; cancels it after.
    // Returns its error (operation_aborted when it timed out).
    template <class Start>
    boost::system::error_code run(Start start);

    boost::asio::io_context ioc_{1};
    boost::asio::ip::tcp::socket socket_;
    boost::beast::flat_buffer buffer_;
    std::chrono::milliseconds timeout_;
};

// The body every origin generates: body_pattern_byte(0..n).
std::string pattern(std::size_t n);

// Raises this process's descriptor limit to the hard limit (tests with many
// connections hold both ends of each); returns the limit in force.
std::size_t raise_descriptor_limit();

// The status of a GET of `target` on a fresh connection to `port` (0: no answer).
unsigned get_status(std::uint16_t port, const std::string& target);

// An unlabelled sample of the admin listener's /metrics, or a labelled one
// written whole ("name{label=\"v\"}"); fails the test when it is missing.
double metric(std::uint16_t admin_port, const std::string& name);

// Polls `pred` until it holds or `limit` passes; returns its last value. For
// state that another thread changes (no sleeps as synchronisation elsewhere).
bool wait_until(const std::function<bool()>& pred,
                std::chrono::milliseconds limit = std::chrono::seconds(5));

} // namespace gw::test

namespace gw::test {

// A pipe whose read end does not block: the gateway's access log goes into it.
struct log_pipe {
    int fds[2] = {-1, -1};
    std::string data;
    log_pipe();
    ~log_pipe();
    int write_end() const { return fds[1]; }
    // Every line written so far.
    std::vector<std::string> lines();
};

// A server that misbehaves in one chosen way, on its own thread (blocking I/O).
class misbehaving_server {
public:
    enum class mode {
        reset_before_response, // reads the request, then resets the connection
        reset_mid_response,    // sends a head promising 1000 bytes, 10 of them, then resets
        never_answers,         // reads the request and keeps the connection silent
        garbage,               // answers with bytes that are not HTTP
        upgrade_echo,          // answers 101 Switching Protocols, then echoes every byte
        chunked_trailers,      // answers "hello" chunked, with a trailer X-Checksum: abc
        large_then_reset,      // promises 1,000,000 bytes, sends 200,000, then resets
        large_then_silent,     // promises 1,000,000 bytes, sends 200,000, then says nothing
        part_then_silent,      // promises 20,000 bytes, sends 12,000, then says nothing
        one_per_connection,    // answers the first request of a connection (keep-alive), then
                               // closes it when the second arrives, unanswered
    };
    explicit misbehaving_server(mode m);
    ~misbehaving_server();
    std::uint16_t port() const { return port_; }
    int accepted() const { return accepted_.load(); }

private:
    void run();
    mode mode_;
    int listen_fd_ = -1;
    std::uint16_t port_ = 0;
    std::atomic<bool> stop_{false};
    std::atomic<int> accepted_{0};
    std::vector<int> open_;
    std::thread thread_;
};

// A port on 127.0.0.1 where nothing listens (bound, then closed).
std::uint16_t closed_port();

} // namespace gw::test
