// Configuration reload while the gateway runs (gateway::reload): routes,
// backends, servers and weights change for new exchanges; what keeps its name
// keeps its objects and counters; an exchange in flight finishes on the
// generation it started with and its kept-alive connection stays open; a
// file that changes a setting fixed for the process is refused whole.
#include <boost/test/unit_test.hpp>

#include <future>
#include <string>
#include <thread>

#include "test/integration/harness.hpp"

using namespace gw;
using namespace gw::test;

namespace {

// One worker unless told: round-robin counts are then exact.
std::string head(unsigned workers = 1) {
    return "[global]\nworkers = " + std::to_string(workers) +
           "\n[admin]\nenabled = false\n[logging]\naccess_log = false\n" +
           "[[listeners]]\nname = \"http\"\nlisten = \"127.0.0.1:0\"\ndefault_backend = \"app\"\n";
}

std::string server(std::uint16_t port, const std::string& name, const std::string& extra = "") {
    return "[[backends.servers]]\nname = \"" + name + "\"\naddress = \"127.0.0.1:" + std::to_string(port) + "\"\n" +
           extra;
}

server_ptr find(gateway& g, const std::string& backend, const std::string& name) {
    const auto gen = g.shared().current();
    for (std::size_t b = 0; b < gen->backends.size(); ++b)
        if (gen->config->backends[b].name == backend)
            for (const auto& s : gen->backends[b]->servers()->servers)
                if (s->name == name)
                    return s;
    return nullptr;
}

unsigned status_of(std::uint16_t port, const std::string& target) {
    client c(port);
    auto r = c.get(target);
    return r ? r->result_int() : 0;
}

} // namespace

BOOST_AUTO_TEST_SUITE(reload)

BOOST_AUTO_TEST_CASE(routes_backends_and_servers_change_and_what_stays_carries_on) {
    origins o(3);
    running_gateway gw(load_config(head() + "[[backends]]\nname = \"app\"\n" + server(o.port(0), "s1") +
                                   server(o.port(1), "s2")));
    for (int i = 0; i < 4; ++i)
        BOOST_TEST(status_of(gw.port(), "/?size=10") == 200u);
    const auto s1 = find(gw.get(), "app", "s1");
    const auto s2 = find(gw.get(), "app", "s2");
    BOOST_REQUIRE(s1);
    BOOST_TEST(s1->requests.load() == 2u);
    // s2 leaves, s3 comes, s1's weight changes; a new backend "api" gets /api/.
    const auto out = gw.get().reload(load_config(
        head() + "[[routes]]\npath_prefix = \"/api/\"\nbackend = \"api\"\n" + "[[backends]]\nname = \"app\"\n" +
        server(o.port(0), "s1", "weight = 3\n") + server(o.port(2), "s3") + "[[backends]]\nname = \"api\"\n" +
        server(o.port(2), "a1")));
    BOOST_TEST(out.ok, out.message);
    BOOST_TEST(out.generation == 2u);
    BOOST_TEST(gw.get().shared().current()->number == 2u);
    BOOST_TEST((find(gw.get(), "app", "s1") == s1)); // the same object: its counters go on
    BOOST_TEST(s1->config_weight.load() == 3u);
    BOOST_TEST(s1->weight.load() == 3u);
    BOOST_TEST(s2->retired.load());
    BOOST_TEST(!find(gw.get(), "app", "s2"));
    const auto s3 = find(gw.get(), "app", "s3");
    const auto a1 = find(gw.get(), "api", "a1");
    BOOST_REQUIRE(s3);
    BOOST_REQUIRE(a1);
    for (int i = 0; i < 8; ++i)
        BOOST_TEST(status_of(gw.port(), "/?size=10") == 200u);
    BOOST_TEST(s1->requests.load() == 2u + 6u); // weight 3 of 4
    BOOST_TEST(s3->requests.load() == 2u);
    BOOST_TEST(s2->requests.load() == 2u); // nothing more
    BOOST_TEST(status_of(gw.port(), "/api/x?size=10") == 200u);
    BOOST_TEST(a1->requests.load() == 1u);
    BOOST_TEST(gw.get().shared().reloads.load() == 1u);
}

BOOST_AUTO_TEST_CASE(an_exchange_in_flight_finishes_on_its_generation_and_its_connection_stays) {
    origins o(2);
    running_gateway gw(load_config(head() + "[[backends]]\nname = \"app\"\n" + server(o.port(0), "old")));
    client c(gw.port());
    // A slow response on the old server while the reload takes it away.
    auto slow = std::async(std::launch::async, [&] { return c.get("/?size=1000&delay=500"); });
    BOOST_TEST(wait_until([&] { return find(gw.get(), "app", "old")->active.load() == 1u; }));
    const auto old = find(gw.get(), "app", "old");
    const auto out = gw.get().reload(
        load_config(head() + "[[backends]]\nname = \"app\"\n" + server(o.port(1), "new")));
    BOOST_TEST(out.ok, out.message);
    BOOST_TEST(old->retired.load());
    auto r = slow.get();
    BOOST_REQUIRE(r);
    BOOST_TEST(r->result_int() == 200u);
    BOOST_TEST(r->body().size() == 1000u);
    BOOST_TEST(wait_until([&] { return old->active.load() == 0u; })); // (released just after the last byte)
    // The same kept-alive connection: its next request runs on the new generation.
    auto next = c.get("/?size=10");
    BOOST_REQUIRE(next);
    BOOST_TEST(next->result_int() == 200u);
    BOOST_TEST(find(gw.get(), "app", "new")->requests.load() == 1u);
    BOOST_TEST(old->requests.load() == 1u);
}

BOOST_AUTO_TEST_CASE(a_setting_fixed_for_the_process_refuses_the_whole_file) {
    origins o(2);
    running_gateway gw(load_config(head() + "[[backends]]\nname = \"app\"\n" + server(o.port(0), "s1")));
    const auto before = gw.get().shared().current();
    // (A route change in the same file: nothing of it may take effect.)
    const auto out = gw.get().reload(load_config(head(3) +
                                                 "[[backends]]\nname = \"app\"\n" + server(o.port(1), "other")));
    BOOST_TEST(!out.ok);
    BOOST_TEST(out.message.starts_with("global.workers cannot change while the gateway runs"), out.message);
    BOOST_TEST(out.generation == 1u);
    BOOST_TEST((gw.get().shared().current() == before));
    BOOST_TEST(gw.get().shared().reload_failures.load() == 1u);
    BOOST_TEST(status_of(gw.port(), "/?size=10") == 200u);
    BOOST_TEST(find(gw.get(), "app", "s1")->requests.load() == 1u);
}

BOOST_AUTO_TEST_CASE(many_reloads_under_load_lose_nothing) {
    origins o(2);
    auto config_for = [&](int i) {
        return load_config(head() + "[timeouts]\nserver = \"" + std::to_string(10 + i % 5) + "s\"\n" +
                           "[[backends]]\nname = \"app\"\n" + server(o.port(0), "s1") +
                           (i % 2 == 0 ? server(o.port(1), "s2") : std::string()));
    };
    running_gateway gw(config_for(0));
    std::atomic<bool> stop{false};
    std::atomic<unsigned> ok{0}, failed{0};
    std::vector<std::thread> clients;
    for (int t = 0; t < 3; ++t)
        clients.emplace_back([&] {
            client c(gw.port());
            while (!stop.load()) {
                auto r = c.get("/?size=100");
                (r && r->result_int() == 200 ? ok : failed)++;
                if (!r)
                    return;
            }
        });
    for (int i = 1; i <= 30; ++i) {
        const auto out = gw.get().reload(config_for(i));
        BOOST_TEST(out.ok, out.message);
    }
    stop = true;
    for (auto& t : clients)
        t.join();
    BOOST_TEST(failed.load() == 0u);
    BOOST_TEST(ok.load() > 0u);
    BOOST_TEST(gw.get().shared().current()->number == 31u);
}

BOOST_AUTO_TEST_SUITE_END()
