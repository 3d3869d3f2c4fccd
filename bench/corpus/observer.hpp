#pragma once
// The strict observer origin: a server on 127.0.0.1 that records the exact
// bytes of every connection a proxy opens to it, reads them with the strict
// reader (strict_http.hpp) and reports every request it saw and every oddity
// it had to tolerate. It answers each request with 200 and an X-Observer-Seq
// header naming the request, so that a client can tell which request a
// response belongs to; "/r/<i>" gets response vector i verbatim (a misbehaving
// server) and "/probe" a plain answer. One thread, poll(2), plain sockets.

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bench/corpus/strict_http.hpp"

namespace gw::corpus {

struct observed_request {
    std::uint64_t seq = 0;   // 1, 2, ... over the observer's life
    std::uint64_t connection = 0;
    std::string method, target, host, body;
    int version = 11;
};

struct observed_oddity {
    std::uint64_t connection = 0;
    std::string what;
    std::string bytes; // the connection's bytes so far (for the report)
};

class observer {
public:
    // Listens on 127.0.0.1:`port` (0: a free port).
    explicit observer(std::uint16_t port = 0);
    ~observer();
    observer(const observer&) = delete;
    observer& operator=(const observer&) = delete;
    std::uint16_t port() const noexcept { return port_; }

    // A point in the record; what came after it is since(mark).
    struct mark_t {
        std::size_t requests = 0, oddities = 0;
        std::uint64_t connections = 0;
    };
    mark_t mark() const;
    std::vector<observed_request> requests_since(mark_t m) const;
    std::vector<observed_oddity> oddities_since(mark_t m) const;
    std::uint64_t connections() const;

    // The body the observer sends for a probe.
    static constexpr std::string_view probe_body = "probe-ok";

private:
    struct connection_state;
    void run();
    void on_readable(connection_state& c);
    void answer(connection_state& c, const message& m);

    int listen_fd_ = -1;
    std::uint16_t port_ = 0;
    int wake_[2] = {-1, -1};
    std::atomic<bool> stop_{false};
    mutable std::mutex mutex_;
    std::vector<observed_request> requests_;
    std::vector<observed_oddity> oddities_;
    std::uint64_t next_seq_ = 1;
    std::uint64_t connections_ = 0;
    std::thread thread_;
};

} // namespace gw::corpus
