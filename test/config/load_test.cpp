// Valid configurations: every value lands in the right field, and defaults fill the rest.
#include "config/check.hpp"
#include "config/load.hpp"
#include "config/units.hpp"

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace gw::config;
using std::chrono::milliseconds;

namespace {

const std::string full = R"(
[global]
workers = 4
shutdown_timeout = "45s"

[admin]
enabled = false
listen = "[::1]:9404"

[buffers]
size = "32KiB"
memory = "3MiB"
reserve = 3
maxrewrite = "4KiB"
wake = "per-release"

[timeouts]
client_head = "11s"
client_idle = "2m"
connect = "250ms"
server = "31s"
queue = "12s"
tunnel = "2h"
send = "33s"

[logging]
access_log = false
format = "json"
level = "warning"

[[listeners]]
name = "http"
listen = "*:8080"
default_backend = "app"
max_connections = 1000
body_limit = "10MiB"

[[listeners]]
name = "internal"
listen = "127.0.0.1:0"

[[routes]]
listener = "http"
host = "API.Example.com"
path_prefix = "/v1"
backend = "api"

[[routes]]
host = "*.example.com"
backend = "app"

[[backends]]
name = "app"
balance = "leastconn"
retries = 0
queue_limit = 100
keepalive_pool = 8
keepalive_timeout = "2s"

[[backends.servers]]
address = "127.0.0.1:9001"

[[backends.servers]]
name = "second"
address = "origin.local:9002"
weight = 0
maxconn = 10

[[backends]]
name = "api"

[backends.health_check]
path = "/ready"
interval = "5s"
timeout = "500ms"
rise = 1
fall = 5
expect_status = 204

[[backends.servers]]
address = "[2001:db8::7]:443"
weight = 256
maxconn = 1
)";

const std::string minimal = R"(
[[listeners]]
name = "http"
listen = "0.0.0.0:8080"

[[backends]]
name = "app"
[[backends.servers]]
address = "127.0.0.1:9000"
)";

std::shared_ptr<const gateway_config> load_ok(const std::string& text) {
    auto result = load_string(text, "test.toml");
    for (const auto& e : result.errors) {
        BOOST_TEST_MESSAGE(to_string(e));
    }
    BOOST_TEST_REQUIRE(result.errors.empty());
    BOOST_TEST_REQUIRE(result.config != nullptr);
    return result.config;
}

} // namespace

BOOST_AUTO_TEST_SUITE(load)

BOOST_AUTO_TEST_CASE(a_full_config_loads_every_value) {
    const auto c = load_ok(full);
    BOOST_TEST(c->global.workers == 4u);
    BOOST_TEST(c->global.shutdown_timeout.count() == 45'000);
    BOOST_TEST(!c->admin.enabled);
    BOOST_TEST(to_string(c->admin.listen) == "[::1]:9404");

    BOOST_TEST(c->buffers.size == 32u * 1024);
    BOOST_TEST(c->buffers.memory == 3u * 1024 * 1024);
    BOOST_TEST(c->buffers.limit == 96u); // memory / size
    BOOST_TEST(c->buffers.reserve == 3u);
    BOOST_TEST(c->buffers.maxrewrite == 4u * 1024);
    BOOST_TEST((c->buffers.wake == wake_strategy::per_release));

    BOOST_TEST(c->timeouts.client_head.count() == 11'000);
    BOOST_TEST(c->timeouts.client_idle.count() == 120'000);
    BOOST_TEST(c->timeouts.connect.count() == 250);
    BOOST_TEST(c->timeouts.server.count() == 31'000);
    BOOST_TEST(c->timeouts.queue.count() == 12'000);
    BOOST_TEST(c->timeouts.tunnel.count() == 7'200'000);
    BOOST_TEST(c->timeouts.send.count() == 33'000);

    BOOST_TEST(!c->logging.access_log);
    BOOST_TEST((c->logging.format == log_format::json));
    BOOST_TEST((c->logging.level == log_level::warning));

    BOOST_TEST_REQUIRE(c->listeners.size() == 2u);
    BOOST_TEST(c->listeners[0].name == "http");
    BOOST_TEST((c->listeners[0].listen.kind == host_kind::any));
    BOOST_TEST(c->listeners[0].listen.port == 8080);
    BOOST_TEST(c->listeners[0].default_backend == "app");
    BOOST_TEST(c->listeners[0].max_connections == 1000u);
    BOOST_TEST(c->listeners[0].body_limit == 10u * 1024 * 1024);
    BOOST_TEST(c->listeners[1].name == "internal");
    BOOST_TEST(c->listeners[1].listen.port == 0);
    BOOST_TEST(c->listeners[1].default_backend.empty());

    BOOST_TEST_REQUIRE(c->routes.size() == 2u);
    BOOST_TEST(c->routes[0].listener == "http");
    BOOST_TEST(c->routes[0].host == "api.example.com"); // matched case-insensitively
    BOOST_TEST(c->routes[0].path_prefix == "/v1");
    BOOST_TEST(c->routes[0].backend == "api");
    BOOST_TEST(c->routes[1].listener.empty());
    BOOST_TEST(c->routes[1].host == "*.example.com");
    BOOST_TEST(c->routes[1].path_prefix == "/");

    BOOST_TEST_REQUIRE(c->backends.size() == 2u);
    const auto& app = c->backends[0];
    BOOST_TEST(app.name == "app");
    BOOST_TEST((app.balance == balance_mode::leastconn));
    BOOST_TEST(app.retries == 0u);
    BOOST_TEST(app.queue_limit == 100u);
    BOOST_TEST(app.keepalive_pool == 8u);
    BOOST_TEST((app.keepalive_timeout == std::chrono::seconds{2}));
    BOOST_TEST(!app.health_check.has_value());
    BOOST_TEST_REQUIRE(app.servers.size() == 2u);
    BOOST_TEST(app.servers[0].name == "s1");
    BOOST_TEST(to_string(app.servers[0].address) == "127.0.0.1:9001");
    BOOST_TEST(app.servers[0].weight == 1u);
    BOOST_TEST(app.servers[0].maxconn == 0u);
    BOOST_TEST(app.servers[1].name == "second");
    BOOST_TEST((app.servers[1].address.kind == host_kind::hostname));
    BOOST_TEST(app.servers[1].weight == 0u);
    BOOST_TEST(app.servers[1].maxconn == 10u);

    const auto& api = c->backends[1];
    BOOST_TEST_REQUIRE(api.health_check.has_value());
    BOOST_TEST(api.health_check->path == "/ready");
    BOOST_TEST(api.health_check->interval.count() == 5'000);
    BOOST_TEST(api.health_check->timeout.count() == 500);
    BOOST_TEST(api.health_check->rise == 1u);
    BOOST_TEST(api.health_check->fall == 5u);
    BOOST_TEST(api.health_check->expect_status == 204u);
    BOOST_TEST_REQUIRE(api.servers.size() == 1u);
    BOOST_TEST(api.servers[0].name == "s1");
    BOOST_TEST((api.servers[0].address.kind == host_kind::ipv6));
    BOOST_TEST(api.servers[0].weight == 256u);
    BOOST_TEST(api.servers[0].maxconn == 1u);
}

BOOST_AUTO_TEST_CASE(a_minimal_config_gets_every_default) {
    const auto c = load_ok(minimal);
    const gateway_config d; // the documented defaults
    BOOST_TEST(c->global.workers == 0u);
    BOOST_TEST(c->global.shutdown_timeout.count() == 30'000);
    BOOST_TEST(c->admin.enabled);
    BOOST_TEST(to_string(c->admin.listen) == "127.0.0.1:8404");
    BOOST_TEST(c->buffers.size == 16u * 1024);
    BOOST_TEST(c->buffers.limit == 0u);
    BOOST_TEST(c->buffers.memory == 0u);
    BOOST_TEST(c->buffers.reserve == 2u);
    BOOST_TEST(c->buffers.maxrewrite == 8u * 1024);
    BOOST_TEST((c->buffers.wake == wake_strategy::reserve_aware));
    BOOST_TEST(c->timeouts.client_head.count() == 10'000);
    BOOST_TEST(c->timeouts.client_idle.count() == 60'000);
    BOOST_TEST(c->timeouts.connect.count() == 5'000);
    BOOST_TEST(c->timeouts.server.count() == 30'000);
    BOOST_TEST(c->timeouts.queue.count() == 10'000);
    BOOST_TEST(c->timeouts.tunnel.count() == 3'600'000);
    BOOST_TEST(c->timeouts.send.count() == 30'000);
    BOOST_TEST(c->logging.access_log);
    BOOST_TEST((c->logging.format == log_format::text));
    BOOST_TEST((c->logging.level == log_level::info));
    BOOST_TEST(c->listeners[0].max_connections == 0u);
    BOOST_TEST(c->listeners[0].body_limit == 0u);
    BOOST_TEST(c->routes.empty());
    const auto& b = c->backends[0];
    BOOST_TEST((b.balance == balance_mode::roundrobin));
    BOOST_TEST(b.retries == 2u);
    BOOST_TEST(b.queue_limit == 0u);
    BOOST_TEST(b.keepalive_pool == 10'000u);
    BOOST_TEST((b.keepalive_timeout == std::chrono::seconds{10}));
    BOOST_TEST(!b.health_check);
    BOOST_TEST(b.servers[0].name == "s1");
    BOOST_TEST(b.servers[0].weight == 1u);
    BOOST_TEST(b.servers[0].maxconn == 0u);
    BOOST_TEST(c->buffers.maxrewrite == d.buffers.maxrewrite);
}

BOOST_AUTO_TEST_CASE(health_check_defaults_apply_to_an_empty_table) {
    const auto c = load_ok(minimal + "[backends.health_check]\n");
    const auto& h = c->backends[0].health_check;
    BOOST_TEST_REQUIRE(h.has_value());
    BOOST_TEST(h->path == "/healthz");
    BOOST_TEST(h->interval.count() == 2'000);
    BOOST_TEST(h->timeout.count() == 1'000);
    BOOST_TEST(h->rise == 2u);
    BOOST_TEST(h->fall == 3u);
    BOOST_TEST(h->expect_status == 200u);
}

BOOST_AUTO_TEST_CASE(maxrewrite_defaults_to_half_the_size) {
    const auto c = load_ok("[buffers]\nsize = \"4KiB\"\n" + minimal);
    BOOST_TEST(c->buffers.maxrewrite == 2048u);
}

BOOST_AUTO_TEST_CASE(sizes_may_be_plain_integers) {
    const auto c = load_ok("[buffers]\nsize = 4096\nmaxrewrite = 0\nlimit = 3\n" + minimal);
    BOOST_TEST(c->buffers.size == 4096u);
    BOOST_TEST(c->buffers.maxrewrite == 0u);
    BOOST_TEST(c->buffers.limit == 3u);
}

BOOST_AUTO_TEST_CASE(inline_tables_and_dotted_keys_are_plain_toml) {
    const auto c = load_ok(R"(
buffers.reserve = 4
listeners = [{ name = "a", listen = "*:1" }]
backends = [{ name = "b", servers = [{ address = "h:1" }, { address = "h:2" }] }]
)");
    BOOST_TEST(c->buffers.reserve == 4u);
    BOOST_TEST(c->listeners[0].name == "a");
    BOOST_TEST(c->backends[0].servers[1].name == "s2");
}

BOOST_AUTO_TEST_CASE(port_zero_listeners_do_not_conflict) {
    const auto c = load_ok(minimal + "[[listeners]]\nname = \"b\"\nlisten = \"*:0\"\n"
                                     "[[listeners]]\nname = \"c\"\nlisten = \"*:0\"\n");
    BOOST_TEST(c->listeners.size() == 3u);
}

BOOST_AUTO_TEST_CASE(different_addresses_on_one_port_do_not_conflict) {
    load_ok(minimal + "[[listeners]]\nname = \"v6\"\nlisten = \"[::1]:8080\"\n"
                      "[[listeners]]\nname = \"lo\"\nlisten = \"127.0.0.1:9090\"\n"
                      "[admin]\nlisten = \"127.0.0.2:9090\"\n");
}

BOOST_AUTO_TEST_CASE(a_disabled_admin_may_share_a_listener_address) {
    load_ok(minimal + "[admin]\nenabled = false\nlisten = \"0.0.0.0:8080\"\n");
}

BOOST_AUTO_TEST_CASE(limit_at_exactly_the_minimum_is_accepted) {
    load_ok("[global]\nworkers = 4\n[buffers]\nlimit = 12\n" + minimal);         // 4 x (2 + 1)
    load_ok("[global]\nworkers = 2\n[buffers]\nmemory = \"96KiB\"\n" + minimal); // 6 x 16KiB
    load_ok("[buffers]\nlimit = 3\n" + minimal); // workers = 0: 1 worker
}

BOOST_AUTO_TEST_CASE(load_file_reads_from_disk) {
    const auto path = std::filesystem::temp_directory_path() / "gw_config_load_test.toml";
    {
        std::ofstream out(path);
        out << minimal;
    }
    const auto result = load_file(path.string());
    std::filesystem::remove(path);
    BOOST_TEST(result.errors.empty());
    BOOST_TEST(result.config != nullptr);
}

BOOST_AUTO_TEST_CASE(run_check_prints_a_summary_and_returns_0) {
    const auto path = std::filesystem::temp_directory_path() / "gw_config_check_ok.toml";
    {
        std::ofstream out(path);
        out << full;
    }
    std::ostringstream out, err;
    const int status = run_check(path.string(), out, err);
    std::filesystem::remove(path);
    BOOST_TEST(status == 0);
    BOOST_TEST(err.str().empty());
    const std::string summary = out.str();
    BOOST_TEST_MESSAGE(summary);
    BOOST_TEST(summary.find(": configuration OK\n") != std::string::npos);
    BOOST_TEST(summary.find("workers: 4\n") != std::string::npos);
    BOOST_TEST(summary.find("admin: disabled\n") != std::string::npos);
    BOOST_TEST(summary.find(
                   "buffers: 32KiB each, limit 96 (from memory 3MiB), reserve 3, maxrewrite 4KiB, "
                   "wake per-release\n") != std::string::npos);
    BOOST_TEST(summary.find("listener http: *:8080 (default backend app)\n") != std::string::npos);
    BOOST_TEST(summary.find("listener internal: 127.0.0.1:0\n") != std::string::npos);
    BOOST_TEST(summary.find("backend app (leastconn, 2 servers): s1=127.0.0.1:9001 weight 1, "
                            "second=origin.local:9002 weight 0 maxconn 10\n") != std::string::npos);
    BOOST_TEST(summary.find(
                   "backend api (roundrobin, 1 server, health check /ready): s1=[2001:db8::7]:443 "
                   "weight 256 maxconn 1\n") != std::string::npos);
    BOOST_TEST(summary.find("routes: 2\n") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
