// Configuration reload while the gateway runs (gateway::reload): routes,
// backends, servers and weights change for new exchanges; what keeps its name
// keeps its objects and counters; an exchange in flight finishes on the
// generation it started with and its kept-alive connection stays open;
// listeners come and go (a removed one's connections finish); a file that
// changes a setting fixed for the process is refused whole.
#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <future>
#include <string>
#include <thread>

#include <unistd.h>

#include "test/integration/harness.hpp"

using namespace gw;
using namespace gw::test;

namespace {

// The file's start, before its listeners.
std::string preamble(unsigned workers, const std::string& extra = "") {
    return "[global]\nworkers = " + std::to_string(workers) +
           "\n[admin]\nenabled = false\n[logging]\naccess_log = false\n" + extra;
}

std::string listener(const std::string& name, const std::string& listen = "127.0.0.1:0") {
    return "[[listeners]]\nname = \"" + name + "\"\nlisten = \"" + listen + "\"\ndefault_backend = \"app\"\n";
}

// One worker unless told: round-robin counts are then exact.
std::string head(unsigned workers = 1) {
    return preamble(workers) + listener("http");
}

std::string server(std::uint16_t port, const std::string& name, const std::string& extra = "") {
    return "[[backends.servers]]\nname = \"" + name + "\"\naddress = \"127.0.0.1:" + std::to_string(port) + "\"\n" +
           extra;
}

server_ptr find(gateway& g, const std::string& backend, const std::string& name) {
    const auto gen = g.shared().current();
    for (std::size_t b = 0; b < gen->backends.size(); ++b)
        if (gen->config->backends[b].name == backend)
            for (const auto set = gen->backends[b]->servers(); const auto& s : set->servers)
                if (s->name == name)
                    return s;
    return nullptr;
}

// Nothing listens on 127.0.0.1:port.
bool connection_refused(std::uint16_t port) {
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::socket s(ioc);
    boost::system::error_code ec;
    s.connect({boost::asio::ip::make_address("127.0.0.1"), port}, ec);
    return ec == boost::asio::error::connection_refused;
}

} // namespace

BOOST_AUTO_TEST_SUITE(reload)

BOOST_AUTO_TEST_CASE(routes_backends_and_servers_change_and_what_stays_carries_on) {
    origins o(3);
    running_gateway gw(load_config(head() + "[[backends]]\nname = \"app\"\n" + server(o.port(0), "s1") +
                                   server(o.port(1), "s2")));
    for (int i = 0; i < 4; ++i)
        BOOST_TEST(get_status(gw.port(), "/?size=10") == 200u);
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
        BOOST_TEST(get_status(gw.port(), "/?size=10") == 200u);
    BOOST_TEST(s1->requests.load() == 2u + 6u); // weight 3 of 4
    BOOST_TEST(s3->requests.load() == 2u);
    BOOST_TEST(s2->requests.load() == 2u); // nothing more
    BOOST_TEST(get_status(gw.port(), "/api/x?size=10") == 200u);
    BOOST_TEST(a1->requests.load() == 1u);
    BOOST_TEST(gw.get().shared().reloads.load() == 1u);
    // s1's maxconn changes: a new object in its place, whose counters go on
    // from the old one's (a name's metrics never go back).
    const auto again = gw.get().reload(load_config(
        head() + "[[backends]]\nname = \"app\"\n" + server(o.port(0), "s1", "maxconn = 10\n") + server(o.port(2), "s3")));
    BOOST_TEST(again.ok, again.message);
    const auto s1b = find(gw.get(), "app", "s1");
    BOOST_REQUIRE(s1b);
    BOOST_TEST((s1b != s1));
    BOOST_TEST(s1->retired.load());
    BOOST_TEST(s1b->maxconn == 10u);
    BOOST_TEST(s1b->requests.load() == 8u);
    BOOST_TEST((find(gw.get(), "app", "s3") == s3)); // unchanged: the same object
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
    BOOST_TEST(get_status(gw.port(), "/?size=10") == 200u);
    BOOST_TEST(find(gw.get(), "app", "s1")->requests.load() == 1u);
}

BOOST_AUTO_TEST_CASE(a_draining_gateway_refuses_a_reload_at_once) {
    origins o(1);
    running_gateway gw(load_config(head() + "[[backends]]\nname = \"app\"\n" + server(o.port(0), "s1")));
    gw.get().drain();
    const auto from = std::chrono::steady_clock::now();
    const auto out = gw.get().reload(load_config(head() + "[[backends]]\nname = \"app\"\n" + server(o.port(0), "s2")));
    BOOST_TEST(!out.ok);
    BOOST_TEST(out.message == "the gateway is draining");
    BOOST_TEST((std::chrono::steady_clock::now() - from < std::chrono::seconds(2)));
    BOOST_TEST(gw.get().shared().current()->number == 1u);
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

BOOST_AUTO_TEST_CASE(listeners_added_and_removed_by_a_reload) {
    origins o(1);
    const auto backend = "[[backends]]\nname = \"app\"\n" + server(o.port(0), "s1");
    // Two workers: a new listener is bound on each. Idle connections park after 50 ms.
    const auto start = preamble(2, "[timeouts]\nclient_park = \"50ms\"\n");
    running_gateway gw(load_config(start + listener("http") + backend));
    const auto http_port = gw.port(0);

    // Added: serving as the reload returns; "http" keeps its sockets.
    auto out = gw.get().reload(load_config(start + listener("http") + listener("extra") + backend));
    BOOST_TEST(out.ok, out.message);
    const auto extra_port = gw.port(1);
    BOOST_TEST(gw.port(0) == http_port);
    BOOST_TEST(extra_port != http_port);
    for (int i = 0; i < 8; ++i)
        BOOST_TEST(get_status(extra_port, "/?size=10") == 200u);
    BOOST_TEST(get_status(http_port, "/?size=10") == 200u);
    auto counts = gw.get().counters();
    BOOST_REQUIRE(counts.listeners.size() == 2u);
    BOOST_TEST(counts.listeners[0].requests_total == 1u);
    BOOST_TEST(counts.listeners[1].requests_total == 8u);

    // Removed: it stops accepting; a parked connection closes at once, an
    // exchange in flight finishes (Connection: close) and its connection closes.
    client idle(extra_port);
    BOOST_REQUIRE(idle.get("/?size=10"));
    BOOST_TEST(wait_until([&] { return gw.get().parked_count() == 1u; }));
    client busy(extra_port);
    busy.send("GET /?size=1000&delay=500 HTTP/1.1\r\nHost: x\r\n\r\n");
    const auto s1 = find(gw.get(), "app", "s1");
    BOOST_TEST(wait_until([&] { return s1->active.load() == 1u; }));
    out = gw.get().reload(load_config(start + listener("http") + backend));
    BOOST_TEST(out.ok, out.message);
    BOOST_TEST(idle.closed());
    BOOST_TEST(connection_refused(extra_port)); // nothing listens there
    const auto r = busy.read();
    BOOST_REQUIRE(r);
    BOOST_TEST(r->result_int() == 200u);
    BOOST_TEST(r->body() == pattern(1000));
    BOOST_TEST(!r->keep_alive());
    BOOST_TEST(busy.closed());
    BOOST_TEST(get_status(http_port, "/?size=10") == 200u);
    BOOST_TEST(wait_until([&] { return gw.get().session_count() == 0u; }));
    counts = gw.get().counters();
    BOOST_REQUIRE(counts.listeners.size() == 1u);
    BOOST_TEST(counts.listeners[0].requests_total == 2u);

    // Back under its name and address: bound anew, its counters go on.
    out = gw.get().reload(load_config(start + listener("http") + listener("extra") + backend));
    BOOST_TEST(out.ok, out.message);
    BOOST_TEST(get_status(gw.port(1), "/?size=10") == 200u);
    counts = gw.get().counters();
    BOOST_REQUIRE(counts.listeners.size() == 2u);
    BOOST_TEST(counts.listeners[1].requests_total == 8u + 2u + 1u);
    BOOST_TEST(gw.get().shared().current()->number == 4u);
}

BOOST_AUTO_TEST_CASE(listeners_reordered_keep_their_sockets_and_an_address_taken_refuses_the_reload) {
    origins o(1);
    const auto backend = "[[backends]]\nname = \"app\"\n" + server(o.port(0), "s1");
    running_gateway gw(load_config(preamble(1) + listener("a") + listener("b") + backend));
    const auto a = gw.port(0), b = gw.port(1);
    BOOST_TEST(get_status(a, "/?size=10") == 200u);
    auto out = gw.get().reload(load_config(preamble(1) + listener("b") + listener("a") + backend));
    BOOST_TEST(out.ok, out.message);
    BOOST_TEST(gw.port(0) == b);
    BOOST_TEST(gw.port(1) == a);
    BOOST_TEST(get_status(b, "/?size=10") == 200u);
    BOOST_TEST(get_status(b, "/?size=10") == 200u);
    auto counts = gw.get().counters(); // (by name: in the order of the file running now)
    BOOST_TEST(counts.listeners[0].requests_total == 2u);
    BOOST_TEST(counts.listeners[1].requests_total == 1u);

    // An address something else listens on (without SO_REUSEPORT): refused whole.
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::acceptor taken(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
    const auto port = std::to_string(taken.local_endpoint().port());
    out = gw.get().reload(load_config(preamble(1) + listener("b") + listener("a") +
                                      listener("c", "127.0.0.1:" + port) + backend));
    BOOST_TEST(!out.ok);
    BOOST_TEST(out.message == "listener 'c': cannot listen on 127.0.0.1:" + port + ": Address already in use",
               out.message);
    BOOST_TEST(gw.get().shared().current()->number == 2u);
    BOOST_TEST(get_status(a, "/?size=10") == 200u);
    BOOST_TEST(get_status(b, "/?size=10") == 200u);

    // Renamed on the same port: a new listener (new counters) takes the port
    // over from the old one (both bind it with SO_REUSEPORT for the moment between).
    const auto at_a = "127.0.0.1:" + std::to_string(a);
    out = gw.get().reload(load_config(preamble(1) + listener("b") + listener("renamed", at_a) + backend));
    BOOST_TEST(out.ok, out.message);
    BOOST_TEST(gw.port(1) == a);
    BOOST_TEST(get_status(a, "/?size=10") == 200u);
    counts = gw.get().counters();
    BOOST_TEST(counts.listeners[1].requests_total == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

// POST /api/reload and SIGHUP share gateway::reload_file: the file as it is now.
BOOST_AUTO_TEST_SUITE(reload_endpoint)

namespace {

constexpr const char* token = "reload-token-0123456789abcdef";

std::optional<response> post_reload(std::uint16_t admin, const std::string& auth) {
    client c(admin);
    std::string req = "POST /api/reload HTTP/1.1\r\nHost: admin\r\nContent-Length: 0\r\n";
    if (!auth.empty())
        req += "Authorization: Bearer " + auth + "\r\n";
    c.send(req + "\r\n");
    return c.read();
}

std::string file_config(std::uint16_t origin, const std::string& backend_extra) {
    return "[global]\nworkers = 1\n[admin]\nlisten = \"127.0.0.1:0\"\ntoken = \"" + std::string(token) +
           "\"\n[logging]\naccess_log = false\n[[listeners]]\nname = \"http\"\nlisten = \"127.0.0.1:0\"\n"
           "default_backend = \"app\"\n[[backends]]\nname = \"app\"\n" + backend_extra +
           "[[backends.servers]]\nname = \"s1\"\naddress = \"127.0.0.1:" + std::to_string(origin) + "\"\n";
}

struct temp_file {
    std::string path = "/tmp/gw-reload-test-" + std::to_string(::getpid()) + ".toml";
    void write(const std::string& text) {
        std::FILE* f = std::fopen(path.c_str(), "wb");
        BOOST_REQUIRE(f != nullptr);
        std::fwrite(text.data(), 1, text.size(), f);
        std::fclose(f);
    }
    ~temp_file() { std::remove(path.c_str()); }
};

// A started gateway that knows its file (what POST /api/reload and the watch read).
struct file_gateway {
    gateway g;
    file_gateway(std::shared_ptr<const config::gateway_config> cfg, const std::string& path) : g(std::move(cfg)) {
        g.set_config_path(path);
        g.start();
    }
    ~file_gateway() {
        g.abort();
        g.wait();
    }
};


} // namespace

BOOST_AUTO_TEST_CASE(post_reload_applies_the_file_and_refuses_a_broken_one) {
    origins o(1);
    temp_file file;
    file.write(file_config(o.port(0), ""));
    file_gateway running(load_config(file_config(o.port(0), "")), file.path);
    gateway& g = running.g;
    const auto admin = g.admin_endpoint()->port();

    auto r = post_reload(admin, "");
    BOOST_REQUIRE(r);
    BOOST_TEST(r->result_int() == 401u);
    BOOST_TEST(g.shared().current()->number == 1u);

    file.write(file_config(o.port(0), "retries = 1\n"));
    r = post_reload(admin, token);
    BOOST_REQUIRE(r);
    BOOST_TEST(r->result_int() == 200u, r->body());
    BOOST_TEST(r->body() == "{\"result\":\"reloaded\",\"generation\":2}\n");
    BOOST_TEST(g.shared().current()->config->backends[0].retries == 1u);

    // A broken file: refused whole, 422 with the first error at its place.
    file.write(file_config(o.port(0), "retries = 11\n"));
    r = post_reload(admin, token);
    BOOST_REQUIRE(r);
    BOOST_TEST(r->result_int() == 422u);
    BOOST_TEST(r->body().find(R"("result":"refused","generation":2)") != std::string::npos, r->body());
    BOOST_TEST(r->body().find(file.path + ":14:11: backends[0].retries must be at most 10 (got 11)") !=
                   std::string::npos,
               r->body());
    BOOST_TEST(g.shared().current()->number == 2u);
    client c(g.listener_endpoint(0).port());
    auto ok = c.get("/?size=10");
    BOOST_REQUIRE(ok);
    BOOST_TEST(ok->result_int() == 200u);

    BOOST_TEST(metric(admin, "gateway_config_generation") == 2.0);
    BOOST_TEST(metric(admin, "gateway_config_reloads_total{result=\"ok\"}") == 1.0);
    BOOST_TEST(metric(admin, "gateway_config_reloads_total{result=\"failed\"}") == 1.0);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(reload_watch)

using namespace reload_endpoint; // (its file helpers)

BOOST_AUTO_TEST_CASE(a_watched_file_reloads_when_it_changes_and_not_when_unwatched) {
    origins o(1);
    temp_file file;
    const std::string on = "[global]\nworkers = 1\nwatch_config = true\n";
    const std::string off = "[global]\nworkers = 1\nwatch_config = false\n";
    auto text = [&](const std::string& global, unsigned retries) {
        std::string t = file_config(o.port(0), "retries = " + std::to_string(retries) + "\n");
        t.replace(t.find("[global]\nworkers = 1\n"), 21, global);
        return t;
    };
    file.write(text(on, 2));
    file_gateway running(load_config(text(on, 2)), file.path);
    gateway& g = running.g;
    // (Another size: a write within the clock tick of the first keeps its mtime.)
    file.write(text(on, 10));
    BOOST_TEST(wait_until([&] { return g.shared().current()->number == 2u; }, std::chrono::seconds(10)));
    BOOST_TEST(g.shared().current()->config->backends[0].retries == 10u);
    // A broken file is refused (once), the running one stays.
    file.write(text(on, 11));
    BOOST_TEST(wait_until([&] { return g.shared().reload_failures.load() == 1u; }, std::chrono::seconds(10)));
    BOOST_TEST(g.shared().current()->number == 2u);
    // The watch turned off by a reload: later changes wait for SIGHUP or the API.
    file.write(text(off, 0));
    BOOST_TEST(wait_until([&] { return g.shared().current()->number == 3u; }, std::chrono::seconds(10)));
    file.write(text(off, 3));
    BOOST_TEST(!wait_until([&] { return g.shared().current()->number != 3u; }, std::chrono::milliseconds(3000)));
    BOOST_TEST(g.shared().current()->config->backends[0].retries == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
