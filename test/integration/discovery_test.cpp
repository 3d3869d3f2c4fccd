// Servers found by DNS (config [dns], discover, srv) against the suite's own DNS
// responder: traffic follows answers that change under load and no request
// fails; a failing name keeps its servers for dns.hold, then they leave; SRV
// targets on their ports; a name missing at start comes later; an "off" name
// that fails stops the start.
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "bench/origin/origin_server.hpp"
#include "gateway/app/snapshot.hpp"
#include "gateway/observe/metrics.hpp"
#include "test/integration/dns_responder.hpp"
#include "test/integration/harness.hpp"

using namespace gw;
using namespace gw::test;
namespace net = boost::asio;

namespace {

// Origins on chosen loopback addresses (127.0.0.2, 127.0.0.3, ...), all on one
// port, as the pods of a headless Service are.
class pods {
public:
    explicit pods(const std::vector<std::string>& hosts) : work_(ioc_.get_executor()) {
        for (int attempt = 0; attempt < 20 && servers_.empty(); ++attempt) {
            try {
                std::uint16_t port = 0;
                for (const auto& h : hosts) {
                    servers_.push_back(std::make_unique<bench::origin_server>(ioc_, h, port, bench::origin_options{}));
                    port = servers_.back()->port();
                }
            } catch (const boost::system::system_error&) {
                servers_.clear(); // the port was taken on another address: try another
            }
        }
        BOOST_REQUIRE(!servers_.empty());
        for (auto& s : servers_)
            s->start();
        thread_ = std::thread([this] { ioc_.run(); });
    }
    ~pods() {
        for (auto& s : servers_)
            s->stop();
        work_.reset();
        ioc_.stop();
        thread_.join();
    }
    std::uint16_t port() const { return servers_.front()->port(); }
    std::uint64_t requests(std::size_t i) const { return servers_.at(i)->counters().requests; }

private:
    net::io_context ioc_{1};
    net::executor_work_guard<net::io_context::executor_type> work_;
    std::vector<std::unique_ptr<bench::origin_server>> servers_;
    std::thread thread_;
};

std::string dns_config(const dns_responder& dns, const std::string& servers, const std::string& hold = "500ms") {
    return "[admin]\nenabled = false\n"
           "[logging]\naccess_log = false\n"
           "[dns]\nnameservers = [\"" + dns.address() + "\"]\ntimeout = \"200ms\"\ntries = 2\n"
           "min_ttl = \"100ms\"\nmax_ttl = \"200ms\"\nhold = \"" + hold + "\"\n"
           "[[listeners]]\nname = \"http\"\nlisten = \"127.0.0.1:0\"\ndefault_backend = \"app\"\n"
           "[[backends]]\nname = \"app\"\nretries = 0\n" + servers;
}

std::set<std::string> server_names(gateway& g) {
    std::set<std::string> out;
    // (Each shared_ptr held while used: the gateway may replace them meanwhile.)
    const auto gen = g.shared().current();
    for (const auto set = gen->backends[0]->servers(); const auto& s : set->servers)
        out.insert(s->name);
    return out;
}

// Keep-alive clients sending GETs until stopped; every answer must be a 200.
class load {
public:
    load(std::uint16_t port, int clients) {
        for (int i = 0; i < clients; ++i)
            threads_.emplace_back([this, port] {
                std::unique_ptr<client> c;
                while (!stop_.load()) {
                    if (!c)
                        c = std::make_unique<client>(port);
                    auto r = c->get("/?size=100");
                    if (r && r->result_int() == 200) {
                        ++ok_;
                    } else {
                        if (failed_++ == 0) {
                            std::lock_guard lock(mutex_);
                            first_failure_ = r ? std::to_string(r->result_int()) + " " + r->body() : "no response";
                        }
                        c.reset();
                    }
                }
            });
    }
    ~load() { finish(); }
    void finish() {
        stop_ = true;
        for (auto& t : threads_)
            if (t.joinable())
                t.join();
    }
    std::uint64_t ok() const { return ok_.load(); }
    std::uint64_t failed() const { return failed_.load(); }
    std::string first_failure() {
        std::lock_guard lock(mutex_);
        return first_failure_;
    }

private:
    std::atomic<bool> stop_{false};
    std::atomic<std::uint64_t> ok_{0}, failed_{0};
    std::vector<std::thread> threads_;
    std::mutex mutex_;
    std::string first_failure_;
};

} // namespace

BOOST_AUTO_TEST_SUITE(discovery)

BOOST_AUTO_TEST_CASE(servers_follow_changing_answers_under_load_and_nothing_fails) {
    pods p({"127.0.0.2", "127.0.0.3", "127.0.0.4"});
    dns_responder dns;
    dns.set_a("app.test", {"127.0.0.2", "127.0.0.3"}, 1);
    const std::string a2 = "pods@127.0.0.2:" + std::to_string(p.port());
    const std::string a3 = "pods@127.0.0.3:" + std::to_string(p.port());
    const std::string a4 = "pods@127.0.0.4:" + std::to_string(p.port());
    running_gateway gw(load_config(dns_config(
        dns, "[[backends.servers]]\nname = \"pods\"\naddress = \"app.test:" + std::to_string(p.port()) +
                 "\"\ndiscover = \"all\"\n") + "[global]\nworkers = 2\n"));
    BOOST_TEST((server_names(gw.get()) == std::set<std::string>{a2, a3}));
    auto find = [&](const std::string& name) {
        const auto gen = gw.get().shared().current();
        for (const auto set = gen->backends[0]->servers(); const auto& s : set->servers)
            if (s->name == name)
                return s;
        return server_ptr{};
    };
    const auto kept = find(a3);
    BOOST_REQUIRE(kept);

    load traffic(gw.port(), 4);
    BOOST_TEST(wait_until([&] { return p.requests(0) > 50 && p.requests(1) > 50; }));
    // The pod at .2 goes, one at .4 comes; .3 stays.
    dns.set_a("app.test", {"127.0.0.3", "127.0.0.4"}, 1);
    BOOST_TEST(wait_until([&] { return server_names(gw.get()) == std::set<std::string>{a3, a4}; }));
    const auto left_at = p.requests(0);
    const auto new_at = p.requests(2);
    BOOST_TEST(wait_until([&] { return p.requests(2) > new_at + 100; }));
    // Both workers adopted the new set: nothing more went to the pod that left
    // (a request that was already on its way may have finished meanwhile).
    BOOST_TEST(p.requests(0) <= left_at + 4);
    // The server that stayed is the same object: its counters carried on.
    BOOST_TEST(find(a3) == kept);
    // Twice more, then every address at once.
    dns.set_a("app.test", {"127.0.0.2"}, 1);
    BOOST_TEST(wait_until([&] { return server_names(gw.get()) == std::set<std::string>{a2}; }));
    dns.set_a("app.test", {"127.0.0.2", "127.0.0.3", "127.0.0.4"}, 1);
    BOOST_TEST(wait_until([&] { return server_names(gw.get()).size() == 3u; }));
    const auto before = p.requests(1) + p.requests(2);
    BOOST_TEST(wait_until([&] { return p.requests(1) + p.requests(2) > before + 100; }));
    traffic.finish();
    BOOST_TEST(traffic.failed() == 0u, traffic.first_failure());
    BOOST_TEST(traffic.ok() > 400u);

    const auto snap = gw.get().snapshot();
    BOOST_REQUIRE(snap.dns.size() == 1u);
    BOOST_TEST(snap.dns[0].name == "app.test");
    BOOST_TEST(snap.dns[0].addresses.size() == 3u);
    BOOST_TEST(snap.dns[0].resolutions >= 4u);
    BOOST_TEST(snap.dns[0].failures == 0u);
    BOOST_TEST(snap.dns[0].last_success > 0);
    // /metrics shows each address of the name.
    const auto metrics = render_metrics(snap, *snap.config);
    for (const auto* host : {"127.0.0.2", "127.0.0.3", "127.0.0.4"})
        BOOST_TEST(metrics.find("gateway_dns_address{backend=\"app\",server=\"pods\",name=\"app.test\",address=\"" +
                                std::string(host) + ":" + std::to_string(p.port()) + "\"} 1\n") != std::string::npos,
                   host);
    BOOST_TEST(metrics.find("gateway_dns_addresses{backend=\"app\",server=\"pods\",name=\"app.test\"} 3\n") !=
               std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_failing_name_keeps_its_servers_for_the_hold_then_they_leave) {
    pods p({"127.0.0.2"});
    dns_responder dns;
    dns.set_a("app.test", {"127.0.0.2"}, 1);
    running_gateway gw(load_config(dns_config(
        dns, "[[backends.servers]]\nname = \"pods\"\naddress = \"app.test:" + std::to_string(p.port()) + "\"\n",
        "1500ms")));
    BOOST_TEST((server_names(gw.get()) == std::set<std::string>{"pods"})); // "one": the entry's name
    dns.set_mode(dns_responder::mode::servfail);
    // Failures are counted, and the last answer still serves meanwhile.
    BOOST_TEST(wait_until([&] { return gw.get().snapshot().dns.at(0).failures >= 2; }));
    BOOST_TEST(get_status(gw.port(), "/?size=10") == 200u);
    // After the hold, the server leaves: 503 at once.
    BOOST_TEST(wait_until([&] { return server_names(gw.get()).empty(); }));
    BOOST_TEST(get_status(gw.port(), "/?size=10") == 503u);
    BOOST_TEST(gw.get().snapshot().dns.at(0).last_error != "");
    // DNS answers again: the server is back.
    dns.set_mode(dns_responder::mode::answer);
    BOOST_TEST(wait_until([&] { return server_names(gw.get()).size() == 1u; }));
    BOOST_TEST(get_status(gw.port(), "/?size=10") == 200u);
}

BOOST_AUTO_TEST_CASE(srv_targets_become_servers_on_their_ports) {
    origins o(2);
    dns_responder dns;
    dns.set_srv("_http._tcp.app.test", {{0, 10, o.port(0), "a.app.test"}, {0, 10, o.port(1), "b.app.test"}}, 1);
    dns.set_a("a.app.test", {"127.0.0.1"}, 1);
    dns.set_a("b.app.test", {"127.0.0.1"}, 1);
    running_gateway gw(load_config(
        dns_config(dns, "[[backends.servers]]\nname = \"api\"\nsrv = \"_http._tcp.app.test\"\n")));
    const std::string s0 = "api@127.0.0.1:" + std::to_string(o.port(0));
    const std::string s1 = "api@127.0.0.1:" + std::to_string(o.port(1));
    BOOST_TEST((server_names(gw.get()) == std::set<std::string>{s0, s1}));
    for (int i = 0; i < 4; ++i)
        BOOST_TEST(get_status(gw.port(), "/?size=10") == 200u);
    const auto gen = gw.get().shared().current();
    for (const auto set = gen->backends[0]->servers(); const auto& s : set->servers) {
        BOOST_TEST(s->requests.load() == 2u); // round-robin over both targets
        BOOST_TEST(s->tls_server_name.ends_with(".app.test")); // each target's own name
    }
    dns.set_srv("_http._tcp.app.test", {{0, 10, o.port(1), "b.app.test"}}, 1);
    BOOST_TEST(wait_until([&] { return server_names(gw.get()) == std::set<std::string>{s1}; }));
}

BOOST_AUTO_TEST_CASE(a_name_missing_at_start_is_served_once_it_resolves) {
    origins o(1);
    dns_responder dns;
    running_gateway gw(load_config(dns_config(
        dns, "[[backends.servers]]\nname = \"late\"\naddress = \"late.test:" + std::to_string(o.port(0)) + "\"\n")));
    BOOST_TEST(get_status(gw.port(), "/?size=10") == 503u);
    dns.set_a("late.test", {"127.0.0.1"}, 1);
    BOOST_TEST(wait_until([&] { return server_names(gw.get()).size() == 1u; }));
    BOOST_TEST(get_status(gw.port(), "/?size=10") == 200u);
}

BOOST_AUTO_TEST_CASE(an_off_name_that_fails_stops_the_start) {
    dns_responder dns;
    try {
        gateway g(load_config(dns_config(
            dns, "[[backends.servers]]\nname = \"fixed\"\naddress = \"gone.test:80\"\ndiscover = \"off\"\n")));
        BOOST_FAIL("the gateway started");
    } catch (const std::runtime_error& e) {
        const std::string what = e.what();
        BOOST_TEST(what.starts_with("backend app: server fixed: cannot resolve gone.test:80: "), what);
    }
}

BOOST_AUTO_TEST_SUITE_END()
