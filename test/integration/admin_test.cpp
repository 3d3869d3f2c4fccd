// The admin listener cannot be used to take the proxy's buffers (issue 12):
// it reads requests into memory of its own under the client deadlines, holds
// at most admin.max_connections, and takes a pool buffer only to reply.
#include <boost/test/unit_test.hpp>

#include <memory>
#include <string>
#include <vector>

#include "test/integration/harness.hpp"

using namespace gw::test;

namespace {

std::string admin_config(std::uint16_t origin, const std::string& admin_extra,
                         const std::string& extra) {
    std::string cfg = basic_config({origin}, extra);
    cfg.replace(cfg.find("[admin]\nenabled = false\n"), 24,
                "[admin]\nlisten = \"127.0.0.1:0\"\n" + admin_extra);
    return cfg;
}

// A half-sent request head: what a slow (or hostile) client leaves waiting.
constexpr const char* half_head = "GET /metrics HTTP/1.1\r\nHost: a";

} // namespace

BOOST_AUTO_TEST_SUITE(admin_limits)

// The measurement: with buffers.limit = 6, twelve clients that send half
// a head to the admin port wedged proxied traffic and /healthz for as long as
// they stayed. Now they hold no buffer, and the deadline closes them.
BOOST_AUTO_TEST_CASE(slow_admin_clients_leave_the_proxy_and_healthz_alone) {
    origins o(1);
    running_gateway gw(load_config(admin_config(
        o.port(0), "", "[buffers]\nlimit = 6\n[timeouts]\nclient_head = \"600ms\"\n")));
    std::vector<std::unique_ptr<client>> slow;
    for (int i = 0; i < 12; ++i) {
        slow.push_back(std::make_unique<client>(gw.admin_port(), std::chrono::seconds(5)));
        slow.back()->send(half_head);
    }
    // While they wait: proxied requests and the health endpoint answer.
    for (int i = 0; i < 4; ++i) {
        client c(gw.port(), std::chrono::seconds(2));
        auto r = c.get("/?size=100");
        BOOST_REQUIRE_MESSAGE(r, "a proxied request got no answer while slow admin clients wait");
        BOOST_TEST(r->result_int() == 200u);
        client h(gw.admin_port(), std::chrono::seconds(2));
        auto hr = h.get("/healthz");
        BOOST_REQUIRE_MESSAGE(hr, "/healthz got no answer while slow admin clients wait");
        BOOST_TEST(hr->body() == "ok\n");
    }
    // client_head after their first byte, each slow client is closed.
    const auto start = std::chrono::steady_clock::now();
    for (auto& c : slow)
        BOOST_TEST(c->closed());
    const auto waited = std::chrono::steady_clock::now() - start;
    BOOST_TEST((waited < std::chrono::seconds(3)));
    BOOST_TEST(metric(gw.admin_port(), "gateway_admin_timeouts_total") == 12.0);
    // No buffer is left behind by them.
    BOOST_TEST(metric(gw.admin_port(), "gateway_pool_buffers_used") <= 1.0);
}

BOOST_AUTO_TEST_CASE(a_connection_that_never_sends_is_closed_after_client_idle) {
    origins o(1);
    running_gateway gw(load_config(admin_config(o.port(0), "", "[timeouts]\nclient_idle = \"300ms\"\n")));
    client silent(gw.admin_port(), std::chrono::seconds(5));
    const auto start = std::chrono::steady_clock::now();
    BOOST_TEST(silent.closed());
    const auto waited = std::chrono::steady_clock::now() - start;
    BOOST_TEST((waited >= std::chrono::milliseconds(250)));
    BOOST_TEST((waited < std::chrono::seconds(3)));
}

BOOST_AUTO_TEST_CASE(connections_over_the_cap_are_closed_at_once) {
    origins o(1);
    running_gateway gw(load_config(admin_config(o.port(0), "max_connections = 3\n", "")));
    std::vector<std::unique_ptr<client>> held;
    for (int i = 0; i < 3; ++i) {
        held.push_back(std::make_unique<client>(gw.admin_port()));
        held.back()->send(half_head);
    }
    {
        client over(gw.admin_port(), std::chrono::seconds(2));
        const auto start = std::chrono::steady_clock::now();
        BOOST_TEST(over.closed());
        BOOST_TEST((std::chrono::steady_clock::now() - start < std::chrono::seconds(1)));
    }
    held.pop_back(); // one slot frees (once the gateway sees the close): it serves again
    std::optional<double> refused;
    int early = 0; // tries that came before the slot was free: refused too
    BOOST_TEST(wait_until([&] {
        try {
            client c(gw.admin_port(), std::chrono::seconds(1));
            auto r = c.get("/metrics");
            if (!r) {
                ++early;
                return false;
            }
            const auto at = r->body().find("\ngateway_admin_refused_total ");
            refused = std::stod(r->body().substr(at + 29));
            return true;
        } catch (...) {
            return false;
        }
    }));
    BOOST_TEST(refused.value_or(-1) == 1.0 + early);
}

BOOST_AUTO_TEST_CASE(oversized_heads_and_bodies_are_refused) {
    origins o(1);
    running_gateway gw(load_config(admin_config(o.port(0), "", "")));
    client big(gw.admin_port());
    big.send("GET /healthz HTTP/1.1\r\nHost: a\r\nX-Big: " + std::string(5000, 'x') + "\r\n\r\n");
    auto r = big.read();
    BOOST_REQUIRE(r);
    BOOST_TEST(r->result_int() == 431u);
    BOOST_TEST(big.closed());
    // Over 1 KiB of body: refused before it is read, and the connection closes.
    client post(gw.admin_port());
    post.send("PUT /api/backends/app/servers/s1 HTTP/1.1\r\nHost: a\r\nContent-Length: 5000\r\n\r\n");
    auto p = post.read();
    BOOST_REQUIRE(p);
    BOOST_TEST(p->result_int() == 413u);
    BOOST_TEST(post.closed());
    // A small body where none is taken: read whole, refused, the connection stays.
    client small(gw.admin_port());
    small.send("GET /healthz HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc");
    auto q = small.read();
    BOOST_REQUIRE(q);
    BOOST_TEST(q->result_int() == 413u);
    auto again = small.get("/healthz");
    BOOST_REQUIRE(again);
    BOOST_TEST(again->result_int() == 200u);
    // Other methods than GET and HEAD outside /api/: 405 with Allow.
    small.send("POST /healthz HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n");
    auto post_health = small.read();
    BOOST_REQUIRE(post_health);
    BOOST_TEST(post_health->result_int() == 405u);
    BOOST_TEST((*post_health)[boost::beast::http::field::allow] == "GET, HEAD");
}

BOOST_AUTO_TEST_SUITE_END()
