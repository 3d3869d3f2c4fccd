// Client policies end to end: access rules (403), trusted proxies and
// X-Forwarded-For, the PROXY protocol (v1, v2, LOCAL, refused when missing,
// malformed or from an untrusted source, kept across parking), connections and
// request rate per client shared by two workers (429 with Retry-After), and
// the per-client table bounded under a flood of distinct addresses.
#include <boost/test/unit_test.hpp>

#include <arpa/inet.h>
#include <crypt.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "gateway/policy/proxy_protocol.hpp"
#include "test/integration/harness.hpp"

using namespace gw;
using namespace gw::test;
using namespace std::chrono_literals;

namespace {

std::string config_with(std::uint16_t origin, const std::string& listener, const std::string& routes = "",
                        const std::string& global = "") {
    return "[global]\nworkers = 2\n" + global + "[admin]\nenabled = false\n[logging]\naccess_log = false\n"
           "[[listeners]]\nname = \"http\"\nlisten = \"127.0.0.1:0\"\ndefault_backend = \"app\"\n" + listener +
           routes + "[[backends]]\nname = \"app\"\n[[backends.servers]]\naddress = \"127.0.0.1:" +
           std::to_string(origin) + "\"\n";
}

std::string v2_header(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d, bool local = false) {
    policy::client_address src, dst;
    src.bytes[0] = a;
    src.bytes[1] = b;
    src.bytes[2] = c;
    src.bytes[3] = d;
    src.port = 41000;
    dst.bytes[0] = 127;
    dst.bytes[3] = 1;
    dst.port = 80;
    std::uint8_t buf[64];
    const auto n = policy::write_proxy_v2(src, dst, buf, sizeof buf);
    if (local)
        buf[12] = 0x20;
    return std::string(reinterpret_cast<const char*>(buf), n);
}

const std::string echo = "GET /echo-head HTTP/1.1\r\nHost: t\r\n\r\n";

std::string forwarded_for(const std::optional<response>& r) {
    if (!r)
        return "(no response)";
    const std::string head = r->body();
    const auto at = head.find("X-Forwarded-For: ");
    if (at == std::string::npos)
        return "(none)";
    const auto end = head.find("\r\n", at);
    return head.substr(at + 17, end - at - 17);
}

std::uint64_t refusals(running_gateway& gw, client_refusal r) {
    return gw.get().counters().listeners[0].client_refusals[static_cast<std::size_t>(r)];
}

} // namespace

BOOST_AUTO_TEST_SUITE(client_policy)

BOOST_AUTO_TEST_CASE(access_rules_answer_403_on_listeners_and_routes) {
    origins o(1);
    {
        running_gateway gw(load_config(config_with(o.port(0), "deny = [\"127.0.0.0/8\"]\n")));
        client c(gw.port());
        auto r = c.get("/?size=3");
        BOOST_REQUIRE(r);
        BOOST_TEST(r->result_int() == 403u);
        BOOST_TEST(!r->keep_alive());
        BOOST_TEST(c.closed());
        BOOST_TEST(refusals(gw, client_refusal::access_rule) == 1u);
    }
    {
        running_gateway gw(load_config(config_with(o.port(0), "allow = [\"10.0.0.0/8\", \"::1\"]\n")));
        BOOST_TEST(get_status(gw.port(), "/?size=3") == 403u);
    }
    {
        running_gateway gw(load_config(config_with(
            o.port(0), "allow = [\"127.0.0.1\"]\n",
            "[[routes]]\npath_prefix = \"/private\"\nbackend = \"app\"\ndeny = [\"127.0.0.0/8\"]\n")));
        client c(gw.port());
        auto r = c.get("/private/x");
        BOOST_REQUIRE(r);
        BOOST_TEST(r->result_int() == 403u);
        BOOST_TEST(r->keep_alive()); // a route's refusal keeps the connection
        r = c.get("/?size=3");
        BOOST_REQUIRE(r);
        BOOST_TEST(r->result_int() == 200u);
    }
}

BOOST_AUTO_TEST_CASE(forwarded_for_is_extended_only_from_trusted_proxies) {
    origins o(1);
    const std::string claimed = "GET /echo-head HTTP/1.1\r\nHost: t\r\nX-Forwarded-For: 203.0.113.9\r\n\r\n";
    {
        running_gateway gw(load_config(config_with(o.port(0), "trusted_proxies = [\"127.0.0.0/8\"]\n")));
        client c(gw.port());
        c.send(claimed);
        BOOST_TEST(forwarded_for(c.read()) == "203.0.113.9, 127.0.0.1");
    }
    {
        running_gateway gw(load_config(config_with(o.port(0), "trusted_proxies = [\"10.0.0.0/8\"]\n")));
        client c(gw.port());
        c.send(claimed);
        BOOST_TEST(forwarded_for(c.read()) == "127.0.0.1");
    }
}

BOOST_AUTO_TEST_CASE(proxy_protocol_gives_the_client_address_to_xff_rules_and_limits) {
    origins o(1);
    running_gateway gw(load_config(config_with(
        o.port(0), "proxy_protocol = true\nproxy_protocol_from = [\"127.0.0.1\"]\ndeny = [\"198.51.100.0/24\"]\n")));
    {
        client c(gw.port());
        c.send("PROXY TCP4 192.0.2.9 127.0.0.1 5555 80\r\n" + echo);
        BOOST_TEST(forwarded_for(c.read()) == "192.0.2.9");
        c.send(echo); // the connection keeps its client
        BOOST_TEST(forwarded_for(c.read()) == "192.0.2.9");
    }
    {
        client c(gw.port());
        c.send("PROXY TCP6 2001:db8::7 ::1 5555 80\r\n" + echo);
        BOOST_TEST(forwarded_for(c.read()) == "2001:db8::7");
    }
    {
        client c(gw.port());
        c.send(v2_header(192, 0, 2, 44) + echo);
        BOOST_TEST(forwarded_for(c.read()) == "192.0.2.44");
    }
    { // LOCAL (a balancer's health check): the peer's address stands.
        client c(gw.port());
        c.send(v2_header(192, 0, 2, 44, true) + echo);
        BOOST_TEST(forwarded_for(c.read()) == "127.0.0.1");
    }
    { // The access rules see the PROXY address.
        client c(gw.port());
        c.send(v2_header(198, 51, 100, 3) + echo);
        auto r = c.read();
        BOOST_REQUIRE(r);
        BOOST_TEST(r->result_int() == 403u);
    }
    // No header, a malformed one: closed without an answer, and counted.
    for (const std::string& bad : {echo, std::string("PROXY TCP4 192.0.2.9 127.0.0.1 5555\r\n") + echo,
                                   std::string("PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 "
                                               "18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33\r\n") + echo}) {
        client c(gw.port());
        c.send(bad);
        BOOST_TEST(!c.read());
    }
    BOOST_TEST(wait_until([&] { return refusals(gw, client_refusal::proxy_protocol) == 3; }));
}

BOOST_AUTO_TEST_CASE(proxy_v2_from_an_untrusted_source_is_refused) {
    origins o(1);
    running_gateway gw(load_config(
        config_with(o.port(0), "proxy_protocol = true\nproxy_protocol_from = [\"10.0.0.0/8\"]\n")));
    client c(gw.port());
    c.send(v2_header(192, 0, 2, 9) + echo);
    BOOST_TEST(!c.read()); // closed, unanswered
    BOOST_TEST(wait_until([&] { return refusals(gw, client_refusal::proxy_protocol) == 1; }));
    BOOST_TEST(gw.get().counters().listeners[0].requests_total == 0u); // no request was read
}

BOOST_AUTO_TEST_CASE(a_parked_proxy_connection_keeps_its_client) {
    origins o(1);
    running_gateway gw(load_config(config_with(
        o.port(0), "proxy_protocol = true\nproxy_protocol_from = [\"127.0.0.1\"]\n[timeouts]\nclient_park = \"20ms\"\n")));
    client c(gw.port());
    c.send(v2_header(192, 0, 2, 77) + echo);
    BOOST_TEST(forwarded_for(c.read()) == "192.0.2.77");
    BOOST_TEST(wait_until([&] { return gw.get().parked_count() == 1; }));
    c.send(echo);
    BOOST_TEST(forwarded_for(c.read()) == "192.0.2.77");
    BOOST_TEST(gw.get().shared().clients.in_use() == 1u);
}

BOOST_AUTO_TEST_CASE(connections_per_client_are_limited_across_workers) {
    origins o(1);
    running_gateway gw(load_config(config_with(
        o.port(0), "proxy_protocol = true\nproxy_protocol_from = [\"127.0.0.1\"]\nclient_connections = 2\n")));
    auto open = [&](std::uint8_t who) {
        auto c = std::make_unique<client>(gw.port());
        c->send(v2_header(192, 0, 2, who) + "GET /?size=2 HTTP/1.1\r\nHost: t\r\n\r\n");
        auto r = c->read();
        return std::make_pair(std::move(c), r && r->result_int() == 200);
    };
    auto a = open(1), b = open(1);
    BOOST_TEST(a.second);
    BOOST_TEST(b.second);
    BOOST_TEST(!open(1).second);  // the third of one client
    BOOST_TEST(open(2).second);   // another client
    a.first.reset();              // one closes: room again
    BOOST_TEST(wait_until([&] { return open(1).second; }));
    BOOST_TEST(refusals(gw, client_refusal::connections) >= 1u);
}

BOOST_AUTO_TEST_CASE(the_request_rate_is_shared_by_the_workers_and_answered_429) {
    origins o(1);
    running_gateway gw(load_config(config_with(o.port(0), "client_rate = 1\nclient_burst = 5\n")));
    const auto start = std::chrono::steady_clock::now();
    unsigned ok = 0, limited = 0;
    std::string retry_after;
    for (int i = 0; i < 12; ++i) { // new connections: both workers take some
        client c(gw.port());
        auto r = c.get("/?size=2");
        BOOST_REQUIRE(r);
        if (r->result_int() == 200u) {
            ++ok;
        } else {
            BOOST_TEST(r->result_int() == 429u);
            BOOST_TEST(r->keep_alive());
            retry_after = std::string((*r)["Retry-After"]);
            ++limited;
        }
    }
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start);
    BOOST_TEST(ok == 5u + static_cast<unsigned>(seconds.count())); // the burst, and one a second
    BOOST_TEST(retry_after == "1");
    BOOST_TEST(refusals(gw, client_refusal::rate) == limited);
}

BOOST_AUTO_TEST_CASE(a_flood_of_distinct_addresses_keeps_the_table_bounded) {
    origins o(1);
    running_gateway gw(load_config(config_with(
        o.port(0),
        "proxy_protocol = true\nproxy_protocol_from = [\"127.0.0.1\"]\nclient_rate = 100\nclient_connections = 1\n",
        "", "client_table_size = 1024\n")));
    // A client that keeps its one connection open.
    client held(gw.port());
    held.send(v2_header(10, 0, 0, 1) + "GET /?size=2 HTTP/1.1\r\nHost: t\r\n\r\n");
    auto r = held.read();
    BOOST_REQUIRE(r);
    BOOST_TEST(r->result_int() == 200u);
    const unsigned flood = 5000;
    for (unsigned i = 0; i < flood; ++i) {
        client c(gw.port());
        c.send(v2_header(100, static_cast<std::uint8_t>(i >> 16), static_cast<std::uint8_t>(i >> 8),
                         static_cast<std::uint8_t>(i)) +
               "GET /?size=2 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
        r = c.read();
        BOOST_REQUIRE(r);
        BOOST_REQUIRE(r->result_int() == 200u); // each its own first request
    }
    const auto& table = gw.get().shared().clients;
    BOOST_TEST(table.capacity() == 1024u);
    BOOST_TEST(table.in_use() <= 1024u);
    BOOST_TEST(table.evicted() >= flood - 1024u);
    // The held client was never dropped: a second connection is over its limit.
    client second(gw.port());
    second.send(v2_header(10, 0, 0, 1) + "GET /?size=2 HTTP/1.1\r\nHost: t\r\n\r\n");
    BOOST_TEST(!second.read());
    held.send("GET /?size=2 HTTP/1.1\r\nHost: t\r\n\r\n");
    r = held.read();
    BOOST_REQUIRE(r);
    BOOST_TEST(r->result_int() == 200u);
}

BOOST_AUTO_TEST_CASE(the_table_size_is_fixed_for_the_process) {
    origins o(1);
    running_gateway gw(load_config(config_with(o.port(0), "client_rate = 10\n", "", "client_table_size = 2048\n")));
    const auto out = gw.get().reload(load_config(config_with(o.port(0), "client_rate = 10\n", "", "client_table_size = 4096\n")));
    BOOST_TEST(!out.ok);
    BOOST_TEST(out.message.starts_with("global.client_table_size cannot change while the gateway runs"), out.message);
    BOOST_TEST(gw.get().shared().clients.capacity() == 2048u);
}

BOOST_AUTO_TEST_CASE(basic_auth_asks_checks_and_follows_a_reload) {
    origins o(1);
    const auto dir = std::filesystem::temp_directory_path() / ("gw-auth-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto users = dir / "users";
    auto write_users = [&](const char* password) {
        char salt[CRYPT_GENSALT_OUTPUT_SIZE];
        BOOST_REQUIRE(crypt_gensalt_rn("$2b$", 4, nullptr, 0, salt, sizeof salt) != nullptr);
        crypt_data data{};
        std::ofstream(users) << "alice:" << crypt_rn(password, salt, &data, sizeof data) << "\n";
    };
    write_users("wonderland");
    const std::string toml = config_with(o.port(0), "",
                                         "[[routes]]\npath_prefix = \"/admin\"\nbackend = \"app\"\n"
                                         "[routes.basic_auth]\nrealm = \"Admin area\"\nusers_file = \"" +
                                             users.string() + "\"\n");
    running_gateway gw(load_config(toml));
    client c(gw.port());
    auto r = c.get("/admin/?size=3");
    BOOST_REQUIRE(r);
    BOOST_TEST(r->result_int() == 401u);
    BOOST_TEST((*r)["WWW-Authenticate"] == "Basic realm=\"Admin area\", charset=\"UTF-8\"");
    BOOST_TEST(r->keep_alive()); // the browser asks again on the same connection
    r = c.get("/admin/?size=3", "Authorization: Basic YWxpY2U6d3Jvbmc=\r\n"); // alice:wrong
    BOOST_REQUIRE(r);
    BOOST_TEST(r->result_int() == 401u);
    r = c.get("/admin/?size=3", "Authorization: Basic YWxpY2U6d29uZGVybGFuZA==\r\n"); // alice:wonderland
    BOOST_REQUIRE(r);
    BOOST_TEST(r->result_int() == 200u);
    BOOST_TEST(r->body() == pattern(3));
    r = c.get("/?size=3"); // other routes ask nothing
    BOOST_REQUIRE(r);
    BOOST_TEST(r->result_int() == 200u);
    BOOST_TEST(refusals(gw, client_refusal::auth) == 2u);
    // A reload reads the file again: the new password works, the old one no more.
    write_users("looking-glass");
    BOOST_TEST(gw.get().reload(load_config(toml)).ok);
    r = c.get("/admin/?size=3", "Authorization: Basic YWxpY2U6d29uZGVybGFuZA==\r\n");
    BOOST_REQUIRE(r);
    BOOST_TEST(r->result_int() == 401u);
    r = c.get("/admin/?size=3", "Authorization: Basic YWxpY2U6bG9va2luZy1nbGFzcw==\r\n"); // alice:looking-glass
    BOOST_REQUIRE(r);
    BOOST_TEST(r->result_int() == 200u);
    // A users file that breaks refuses the reload; the running one stays.
    std::ofstream(users) << "alice:plain-text\n";
    const auto out = gw.get().reload(load_config(toml));
    BOOST_TEST(!out.ok);
    BOOST_TEST(out.message.find("users_file") != std::string::npos, out.message);
    r = c.get("/admin/?size=3", "Authorization: Basic YWxpY2U6bG9va2luZy1nbGFzcw==\r\n");
    BOOST_REQUIRE(r);
    BOOST_TEST(r->result_int() == 200u);
    std::filesystem::remove_all(dir);
}

// A server that answers each connection's one request with what came before
// the request line (the PROXY header the gateway sent), hex-encoded.
class preface_server {
public:
    preface_server() {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        BOOST_REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
        socklen_t len = sizeof a;
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
        port_ = ntohs(a.sin_port);
        ::listen(fd_, 16);
        thread_ = std::thread([this] { run(); });
    }
    ~preface_server() {
        stop_ = true;
        thread_.join();
        ::close(fd_);
    }
    std::uint16_t port() const { return port_; }
    int accepted() const { return accepted_.load(); }

private:
    void run() {
        while (!stop_) {
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 20) <= 0)
                continue;
            const int c = ::accept(fd_, nullptr, nullptr);
            if (c < 0)
                continue;
            ++accepted_;
            std::string in;
            char buf[2048];
            // (A v2 header starts with CRLF CRLF: the head's end is the one after "GET ".)
            auto head_done = [&] {
                const auto get = in.find("GET ");
                return get != std::string::npos && in.find("\r\n\r\n", get) != std::string::npos;
            };
            while (!head_done()) {
                pollfd r{c, POLLIN, 0};
                if (::poll(&r, 1, 2000) <= 0)
                    break;
                const ssize_t n = ::read(c, buf, sizeof buf);
                if (n <= 0)
                    break;
                in.append(buf, static_cast<std::size_t>(n));
            }
            const auto at = in.find("GET ");
            std::string hex;
            for (std::size_t i = 0; i < (at == std::string::npos ? 0 : at); ++i) {
                char h[3];
                std::snprintf(h, sizeof h, "%02x", static_cast<unsigned char>(in[i]));
                hex += h;
            }
            const std::string out = "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(hex.size()) +
                                    "\r\nConnection: keep-alive\r\n\r\n" + hex;
            (void)::write(c, out.data(), out.size());
            ::shutdown(c, SHUT_WR);
            ::close(c);
        }
    }
    int fd_ = -1;
    std::uint16_t port_ = 0;
    std::atomic<bool> stop_{false};
    std::atomic<int> accepted_{0};
    std::thread thread_;
};

std::string unhex(const std::string& hex) {
    std::string out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
        out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
    return out;
}

BOOST_AUTO_TEST_CASE(the_client_address_is_sent_to_servers_that_want_it) {
    for (const char* version : {"v1", "v2"}) {
        preface_server server;
        const std::string toml =
            "[global]\nworkers = 1\n[admin]\nenabled = false\n[logging]\naccess_log = false\n"
            "[[listeners]]\nname = \"http\"\nlisten = \"127.0.0.1:0\"\ndefault_backend = \"app\"\n"
            "proxy_protocol = true\nproxy_protocol_from = [\"127.0.0.1\"]\n"
            "[[backends]]\nname = \"app\"\nsend_proxy = \"" + std::string(version) + "\"\n"
            "[[backends.servers]]\naddress = \"127.0.0.1:" + std::to_string(server.port()) + "\"\n";
        running_gateway gw(load_config(toml));
        client c(gw.port());
        c.send(v2_header(192, 0, 2, 9) + echo);
        auto r = c.read();
        BOOST_REQUIRE(r);
        const std::string got = unhex(r->body());
        if (std::string(version) == "v1") {
            BOOST_TEST(got == "PROXY TCP4 192.0.2.9 127.0.0.1 41000 80\r\n");
        } else {
            const auto h = policy::parse_proxy_v2(reinterpret_cast<const std::uint8_t*>(got.data()), got.size());
            BOOST_TEST(h.valid);
            BOOST_TEST(h.has_address);
            BOOST_TEST(h.source.bytes[0] == 192);
            BOOST_TEST(h.source.bytes[3] == 9);
            BOOST_TEST(h.source.port == 41000);
            BOOST_TEST(h.destination.port == 80);
        }
        // A second request of the same client: a new server connection (one
        // that carried a client's address is never pooled for another).
        c.send(echo);
        r = c.read();
        BOOST_REQUIRE(r);
        BOOST_TEST(server.accepted() == 2);
    }
}

BOOST_AUTO_TEST_SUITE_END()
