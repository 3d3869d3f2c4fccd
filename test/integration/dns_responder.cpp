#include "test/integration/dns_responder.hpp"

#include <algorithm>
#include <cctype>

#include <boost/asio/ip/address.hpp>

namespace gw::test {

namespace net = boost::asio;
using udp = net::ip::udp;

namespace {
constexpr std::uint16_t type_a = 1, type_aaaa = 28, type_srv = 33;

void put16(std::string& out, std::uint16_t v) {
    out += static_cast<char>(v >> 8);
    out += static_cast<char>(v & 0xff);
}
void put32(std::string& out, std::uint32_t v) {
    put16(out, static_cast<std::uint16_t>(v >> 16));
    put16(out, static_cast<std::uint16_t>(v & 0xffff));
}
std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}
std::string encode_name(const std::string& name) {
    std::string out;
    std::size_t from = 0;
    while (from < name.size()) {
        auto dot = name.find('.', from);
        if (dot == std::string::npos)
            dot = name.size();
        out += static_cast<char>(dot - from);
        out.append(name, from, dot - from);
        from = dot + 1;
    }
    out += '\0';
    return out;
}
} // namespace

dns_responder::dns_responder() : socket_(ioc_, udp::endpoint(net::ip::make_address("127.0.0.1"), 0)) {
    port_ = socket_.local_endpoint().port();
    thread_ = std::thread([this] { serve(); });
}

dns_responder::~dns_responder() {
    // (A blocked receive does not see a close: a datagram of its own wakes it.)
    stopping_ = true;
    boost::system::error_code ignored;
    udp::socket poke(ioc_, udp::v4());
    poke.send_to(net::buffer("x", 1), socket_.local_endpoint(), 0, ignored);
    thread_.join();
}

void dns_responder::set_a(const std::string& name, const std::vector<std::string>& ips, std::uint32_t ttl) {
    set_addresses(name, type_a, ips, ttl);
}

void dns_responder::set_aaaa(const std::string& name, const std::vector<std::string>& ips, std::uint32_t ttl) {
    set_addresses(name, type_aaaa, ips, ttl);
}

void dns_responder::set_addresses(const std::string& name, std::uint16_t type, const std::vector<std::string>& ips,
                                  std::uint32_t ttl) {
    std::vector<record> rs;
    for (const auto& ip : ips) {
        const auto a = net::ip::make_address(ip);
        if (type == type_a) {
            const auto b = a.to_v4().to_bytes();
            rs.push_back({ttl, std::string(b.begin(), b.end())});
        } else {
            const auto b = a.to_v6().to_bytes();
            rs.push_back({ttl, std::string(b.begin(), b.end())});
        }
    }
    put(name, type, std::move(rs));
}

void dns_responder::put(const std::string& name, std::uint16_t type, std::vector<record> rs) {
    std::lock_guard lock(mutex_);
    table_[lower(name)][type] = std::move(rs);
}

void dns_responder::set_srv(const std::string& name, const std::vector<srv_record>& records, std::uint32_t ttl) {
    std::vector<record> rs;
    for (const auto& r : records) {
        std::string d;
        put16(d, r.priority);
        put16(d, r.weight);
        put16(d, r.port);
        d += encode_name(r.target);
        rs.push_back({ttl, d});
    }
    put(name, type_srv, std::move(rs));
}

void dns_responder::remove(const std::string& name) {
    std::lock_guard lock(mutex_);
    table_.erase(lower(name));
}

void dns_responder::serve() {
    unsigned char buf[1500];
    for (;;) {
        udp::endpoint from;
        boost::system::error_code ec;
        const std::size_t n = socket_.receive_from(net::buffer(buf), from, 0, ec);
        if (stopping_.load())
            return;
        if (ec)
            continue;
        ++queries_;
        if (mode_.load() == mode::silent)
            continue;
        const std::string out = answer(buf, n);
        if (!out.empty())
            socket_.send_to(net::buffer(out), from, 0, ec);
    }
}

// One question in, one answer out (header, the question again, the records).
std::string dns_responder::answer(const unsigned char* q, std::size_t n) {
    if (n < 12)
        return {};
    std::size_t at = 12;
    std::string name;
    while (at < n && q[at] != 0) {
        const std::size_t len = q[at];
        if (at + 1 + len > n)
            return {};
        if (!name.empty())
            name += '.';
        name.append(reinterpret_cast<const char*>(q + at + 1), len);
        at += 1 + len;
    }
    if (at + 5 > n)
        return {};
    const std::size_t question_end = at + 5;
    const auto qtype = static_cast<std::uint16_t>((q[at + 1] << 8) | q[at + 2]);
    std::vector<record> found;
    unsigned rcode = 0;
    if (mode_.load() == mode::servfail) {
        rcode = 2;
    } else {
        std::lock_guard lock(mutex_);
        const auto it = table_.find(lower(name));
        if (it == table_.end()) {
            rcode = 3; // NXDOMAIN
        } else if (const auto t = it->second.find(qtype); t != it->second.end()) {
            found = t->second;
        }
    }
    std::string out(reinterpret_cast<const char*>(q), 2); // the query's id
    put16(out, static_cast<std::uint16_t>(0x8180 | rcode)); // response, recursion desired and available
    put16(out, 1);
    put16(out, static_cast<std::uint16_t>(found.size()));
    put16(out, 0);
    put16(out, 0);
    out.append(reinterpret_cast<const char*>(q + 12), question_end - 12);
    for (const auto& r : found) {
        put16(out, 0xc00c); // the question's name
        put16(out, qtype);
        put16(out, 1); // IN
        put32(out, r.ttl);
        put16(out, static_cast<std::uint16_t>(r.rdata.size()));
        out += r.rdata;
    }
    return out;
}

} // namespace gw::test
