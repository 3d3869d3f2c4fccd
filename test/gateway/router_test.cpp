// Routing by listener, host and path prefix.
#include <boost/test/unit_test.hpp>

#include "config/load.hpp"
#include "gateway/proxy/router.hpp"

using namespace gw;

namespace {
std::shared_ptr<const config::gateway_config> load(const char* toml) {
    auto r = config::load_string(toml, "test.toml");
    for (auto& e : r.errors)
        BOOST_TEST_MESSAGE(config::to_string(e));
    BOOST_REQUIRE(r.config);
    return r.config;
}
} // namespace

BOOST_AUTO_TEST_SUITE(router_suite)

BOOST_AUTO_TEST_CASE(first_match_in_order_then_default) {
    auto cfg = load(R"(
[[listeners]]
name = "public"
listen = "127.0.0.1:0"
default_backend = "web"
[[listeners]]
name = "internal"
listen = "127.0.0.1:0"
[[routes]]
host = "api.example.com"
path_prefix = "/v2"
backend = "api2"
[[routes]]
host = "*.example.com"
backend = "api"
[[routes]]
listener = "internal"
path_prefix = "/admin"
backend = "admin"
[[backends]]
name = "web"
[[backends.servers]]
address = "127.0.0.1:1"
[[backends]]
name = "api"
[[backends.servers]]
address = "127.0.0.1:2"
[[backends]]
name = "api2"
[[backends.servers]]
address = "127.0.0.1:3"
[[backends]]
name = "admin"
[[backends.servers]]
address = "127.0.0.1:4"
)");
    router r(*cfg);
    BOOST_TEST(r.route(0, "api.example.com", "/v2/users")->backend == 2u);
    BOOST_TEST(r.route(0, "API.Example.com:8080", "/v2/users")->backend == 2u);
    BOOST_TEST(r.route(0, "api.example.com", "/v1/users")->backend == 1u);
    BOOST_TEST(r.route(0, "www.example.com", "/")->backend == 1u);
    BOOST_TEST(r.route(0, "example.com", "/")->backend == 0u); // wildcard needs a label: default
    BOOST_TEST(r.route(1, "other", "/admin/x")->backend == 3u);
    BOOST_TEST(!r.route(0, "other", "/admin/x").has_value() == false); // listener 0 has a default
    BOOST_TEST(r.route(0, "other", "/admin/x")->backend == 0u);
    BOOST_TEST(!r.route(1, "other", "/").has_value()); // no route, no default: 404
}

BOOST_AUTO_TEST_CASE(host_wildcards) {
    BOOST_TEST(router::host_matches("*.example.com", "a.example.com"));
    BOOST_TEST(router::host_matches("*.example.com", "a.b.example.com"));
    BOOST_TEST(!router::host_matches("*.example.com", "example.com"));
    BOOST_TEST(!router::host_matches("*.example.com", "badexample.com"));
    BOOST_TEST(router::host_matches("Example.COM", "example.com"));
}

BOOST_AUTO_TEST_SUITE_END()
