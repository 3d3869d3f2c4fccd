#pragma once
// The origin server of gwbench: a small, fast HTTP/1.1 server whose responses are
// chosen by options and per request by the query string. It serves `gwbench
// origin`, the benchmarks and the gateway's integration tests.
//
// Per request overrides: `?size=N&chunked=1&delay=MS&status=N&close=1`.
// Special paths:
//   /echo       streams the request body back (Content-Length when the request had
//               one, chunked otherwise) with `x-origin-request-head: <head bytes>`;
//   /echo-head  answers with the request head exactly as received (text/plain).
// HEAD gets the head only. Keep-alive, pipelining (answered in order), HTTP/1.0 and
// chunked request bodies are supported; bodies are streamed, never held whole.
//
// Threading: an origin_server belongs to one io_context, whose thread runs all of
// it. Several servers may share a port through `reuse_port` (one per thread).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

namespace gw::bench {

struct origin_options {
    std::size_t body_size = 64;         // response body bytes
    bool chunked = false;               // Transfer-Encoding: chunked instead of Content-Length
    std::chrono::milliseconds delay{0}; // before the response head
    unsigned status = 200;
    bool keep_alive = true;  // false: Connection: close after each response
    bool reuse_port = false; // SO_REUSEPORT, so one server per thread can share a port
};

struct origin_counters {
    std::uint64_t connections = 0, requests = 0, request_body_bytes = 0;
};

class origin_server {
public:
    // Binds host:port (port 0 = ephemeral) on the given io_context; throws
    // boost::system::system_error on failure. Nothing is accepted before start().
    origin_server(boost::asio::io_context& ioc, const std::string& host, std::uint16_t port,
                  origin_options opts);
    // Calls stop(). The io_context must outlive the server; coroutines still
    // suspended share the server's state, so they may outlive the server object.
    ~origin_server();
    origin_server(const origin_server&) = delete;
    origin_server& operator=(const origin_server&) = delete;

    // The bound port (the real one when 0 was asked). Any thread.
    std::uint16_t port() const;
    // Spawns the accept loop (one coroutine per connection). Call once.
    void start();
    // Closes the acceptor and every open connection (pending delays are cancelled);
    // idempotent. On the io_context's thread it acts at once; from another thread
    // it is posted to the io_context and acts when that runs.
    void stop();
    // Totals since construction. Call on the io_context's thread (or when it is not
    // running); other threads may read a value that is a few requests old.
    origin_counters counters() const;

    struct state; // the shared state of the accept loop and sessions (origin_server.cpp)

private:
    boost::asio::io_context& ioc_;
    std::shared_ptr<state> state_;
    std::uint16_t port_ = 0;
};

// The byte at offset i of every generated body is body_pattern_byte(i): tests check
// content with it. A 64-byte cycle of printable characters.
char body_pattern_byte(std::uint64_t i) noexcept;

} // namespace gw::bench
