#pragma once
// A small DNS server of the test suite's own, on 127.0.0.1 UDP (port 0), for the
// resolver and discovery tests: answers A, AAAA and SRV questions from a table
// the test changes while it runs, NXDOMAIN for names it does not know, and can
// be told to answer SERVFAIL or nothing at all. Its own thread; stops with it.

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>

namespace gw::test {

class dns_responder {
public:
    enum class mode { answer, servfail, silent };
    struct srv_record {
        std::uint16_t priority = 0, weight = 0, port = 0;
        std::string target;
    };

    dns_responder();
    ~dns_responder();

    std::uint16_t port() const noexcept { return port_; }
    std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

    // Replace what `name` answers (an empty list: the name has no such records).
    void set_a(const std::string& name, const std::vector<std::string>& ips, std::uint32_t ttl);
    void set_aaaa(const std::string& name, const std::vector<std::string>& ips, std::uint32_t ttl);
    void set_srv(const std::string& name, const std::vector<srv_record>& records, std::uint32_t ttl);
    void remove(const std::string& name); // NXDOMAIN from now on
    void set_mode(mode m) noexcept { mode_ = m; }
    std::uint64_t queries() const noexcept { return queries_.load(); }

private:
    struct record {
        std::uint32_t ttl = 0;
        std::string rdata;
    };
    void set_addresses(const std::string& name, std::uint16_t type, const std::vector<std::string>& ips,
                       std::uint32_t ttl);
    void put(const std::string& name, std::uint16_t type, std::vector<record> rs); // (locked)
    void serve();
    std::string answer(const unsigned char* q, std::size_t n);

    boost::asio::io_context ioc_{1};
    boost::asio::ip::udp::socket socket_;
    std::uint16_t port_ = 0;
    std::mutex mutex_;
    std::map<std::string, std::map<std::uint16_t, std::vector<record>>> table_; // name -> type -> records
    std::atomic<mode> mode_{mode::answer};
    std::atomic<std::uint64_t> queries_{0};
    std::atomic<bool> stopping_{false};
    std::thread thread_;
};

} // namespace gw::test
