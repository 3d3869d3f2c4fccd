#pragma once
// Helpers of the gwbench suites: an origin running on its own thread, a scripted
// misbehaving server, and body builders. Everything binds 127.0.0.1 port 0.

#include <cstdint>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "bench/origin/origin_server.hpp"

namespace gw::bench::test {

// An origin_server on a private io_context run by a background thread; the
// destructor stops it and joins. counters() is safe after stop_and_join().
class origin_thread {
public:
    explicit origin_thread(origin_options opts = {});
    ~origin_thread();
    std::uint16_t port() const { return server_.port(); }
    std::string url(std::string_view target = "/") const;
    void stop_and_join();
    origin_counters counters() const { return server_.counters(); }

private:
    boost::asio::io_context ioc_{1};
    origin_server server_;
    std::thread thread_;
};

// What a scripted server does once it has read a request head.
enum class script {
    reset,   // RST (SO_LINGER 0, then close)
    close,   // FIN without answering
    silent,  // never answers, keeps the connection open
    garbage, // answers bytes that are not HTTP
};

class scripted_server {
public:
    explicit scripted_server(script s);
    ~scripted_server();
    std::uint16_t port() const { return port_; }
    std::string url() const;

private:
    boost::asio::io_context ioc_{1};
    boost::asio::ip::tcp::acceptor acceptor_;
    std::uint16_t port_ = 0;
    std::thread thread_;
};

// A port nothing listens on (bound once, then closed).
std::uint16_t refused_port();

// `n` bytes of the origin's body pattern, and the check that a body is one.
std::string pattern_body(std::size_t n);
bool is_pattern(std::string_view body);

// Arbitrary bytes (not the origin pattern) for request bodies.
std::string test_bytes(std::size_t n);

// `data` as a chunked body (RFC 9112 7.1) cut into the given sizes, cycling.
std::string chunked_encode(std::string_view data, const std::vector<std::size_t>& sizes);

} // namespace gw::bench::test
