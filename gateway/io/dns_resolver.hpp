#pragma once
// Asynchronous DNS with c-ares (Debian's libc-ares), driven by the event loop it
// is made on: c-ares says which descriptors it wants watched (its socket-state
// callback), Asio's reactor says when they are ready, and one timer runs
// c-ares' own timeouts and retries. No thread and nothing blocks (getaddrinfo
// would block the worker). Answers carry the TTL the records gave, so that a
// name is asked again when its answer expires.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/error_code.hpp>

struct ares_channeldata; // c-ares' channel, kept out of the header

namespace gw {

// c-ares' status codes ("name not found", "timeout", ...).
const boost::system::error_category& dns_category() noexcept;

struct dns_answer {
    std::vector<boost::asio::ip::tcp::endpoint> endpoints; // in the order given
    std::vector<std::string> hosts; // SRV: each endpoint's target host name; else empty
    std::chrono::seconds ttl{0}; // the smallest TTL among the records used
};

struct dns_options {
    std::vector<std::string> nameservers; // "ip", "ip:port", "[ipv6]:port"; empty: /etc/resolv.conf
    std::chrono::milliseconds timeout{1000}; // per try, per name server
    unsigned tries = 2;
};

class dns_resolver {
public:
    using executor_type = boost::asio::any_io_executor;
    // Throws std::runtime_error (c-ares cannot start, a name server is not an address).
    dns_resolver(executor_type ex, const dns_options& options);
    // Queries still running complete with an error (posted, never inline).
    ~dns_resolver();
    dns_resolver(const dns_resolver&) = delete;
    dns_resolver& operator=(const dns_resolver&) = delete;

    // Ends every query running now (they complete with "cancelled") and stops
    // watching c-ares' sockets, so that the loop can run out of work (a drain);
    // later queries still work.
    void cancel();

    // The A and AAAA records of `host`, each as an endpoint with `port`.
    boost::asio::awaitable<std::tuple<boost::system::error_code, dns_answer>>
    resolve(const std::string& host, std::uint16_t port);

    // The SRV records of `name` (like "_http._tcp.api.example"), each target's
    // addresses with the record's port, by priority then weight (higher first).
    // The TTL is the smallest of the targets' address records.
    boost::asio::awaitable<std::tuple<boost::system::error_code, dns_answer>>
    resolve_srv(const std::string& name);

    struct watch; // one descriptor c-ares asked to be watched (dns_resolver.cpp)

private:
    struct srv_target {
        std::string host;
        std::uint16_t port = 0, priority = 0, weight = 0;
    };
    boost::asio::awaitable<std::tuple<boost::system::error_code, std::vector<srv_target>>>
    query_srv(const std::string& name);

    static void on_socket_state(void* self, int fd, int readable, int writable);
    void wait(const std::shared_ptr<watch>& w, bool for_write);
    void arm_timer(); // c-ares' next timeout, while queries run
    void resume();    // after cancel(): watch c-ares' sockets again

    executor_type ex_;
    ares_channeldata* channel_ = nullptr;
    std::map<int, std::shared_ptr<watch>> watches_;
    boost::asio::steady_timer timer_;
    bool paused_ = false; // cancel() ran and no query started since
    std::shared_ptr<bool> alive_; // handlers posted after the resolver is gone see false
};

} // namespace gw
