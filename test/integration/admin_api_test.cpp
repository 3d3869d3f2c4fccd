// The admin API (issue 15): servers listed as JSON; drain, maint, ready and
// weight changed while traffic runs, with the effect at once in the balancing,
// the server pool, the health checks, /metrics and /stats; writes only with the
// configured bearer token.
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "test/integration/harness.hpp"

using namespace gw::test;
namespace json = boost::json;

namespace {

constexpr const char* token = "test-token-0123456789abcdef";

// One worker, so that weighted shares are exact; the admin API on.
std::string api_config(const std::vector<std::uint16_t>& ports, const std::string& admin_extra,
                       const std::string& extra = "") {
    std::string cfg = basic_config(ports, extra);
    cfg.replace(cfg.find("workers = 2"), 11, "workers = 1");
    cfg.replace(cfg.find("[admin]\nenabled = false\n"), 24,
                "[admin]\nlisten = \"127.0.0.1:0\"\n" + admin_extra);
    return cfg;
}

std::optional<response> call(std::uint16_t admin, const std::string& method, const std::string& path,
                             const std::string& body = "", const std::string& auth = token) {
    client c(admin);
    std::string req = method + " " + path + " HTTP/1.1\r\nHost: admin\r\n";
    if (!auth.empty())
        req += "Authorization: Bearer " + auth + "\r\n";
    req += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    c.send(req);
    return c.read(method == "HEAD");
}

json::value call_json(std::uint16_t admin, const std::string& method, const std::string& path,
                      const std::string& body = "") {
    auto r = call(admin, method, path, body);
    BOOST_REQUIRE(r);
    BOOST_TEST_REQUIRE(r->result_int() == 200u, method << " " << path << ": " << r->body());
    BOOST_TEST((*r)[boost::beast::http::field::content_type] == "application/json");
    return json::parse(r->body());
}

json::value server(std::uint16_t admin, const std::string& name) {
    return call_json(admin, "GET", "/api/backends/app/servers/" + name);
}

std::uint64_t number(const json::value& v, const char* key) {
    return v.at(key).to_number<std::uint64_t>();
}

std::string text(const json::value& v, const char* key) {
    return std::string(v.at(key).as_string());
}

void send_requests(std::uint16_t port, int n) {
    client c(port);
    for (int i = 0; i < n; ++i) {
        auto r = c.get("/?size=10");
        BOOST_REQUIRE(r);
        BOOST_TEST(r->result_int() == 200u);
    }
}

std::string metrics(std::uint16_t admin) {
    client c(admin);
    auto r = c.get("/metrics");
    BOOST_REQUIRE(r);
    return r->body();
}

} // namespace

BOOST_AUTO_TEST_SUITE(admin_api)

BOOST_AUTO_TEST_CASE(servers_are_listed_as_json) {
    origins o(2);
    running_gateway gw(load_config(api_config({o.port(0), o.port(1)}, "")));
    send_requests(gw.port(), 4);
    const auto all = call_json(gw.admin_port(), "GET", "/api/servers");
    const auto& backends = all.at("backends").as_array();
    BOOST_TEST_REQUIRE(backends.size() == 1u);
    BOOST_TEST(text(backends[0], "name") == "app");
    const auto& servers = backends[0].at("servers").as_array();
    BOOST_TEST_REQUIRE(servers.size() == 2u);
    BOOST_TEST(text(servers[0], "name") == "s1");
    BOOST_TEST(text(servers[0], "address") == "127.0.0.1:" + std::to_string(o.port(0)));
    BOOST_TEST(text(servers[0], "state") == "ready");
    BOOST_TEST(text(servers[0], "health") == "up");
    BOOST_TEST(number(servers[0], "weight") == 1u);
    BOOST_TEST(number(servers[0], "requests") + number(servers[1], "requests") == 4u);
    // HEAD gives the head alone; anything but GET/HEAD on the list is 405.
    auto head = call(gw.admin_port(), "HEAD", "/api/servers");
    BOOST_REQUIRE(head);
    BOOST_TEST(head->result_int() == 200u);
    auto post = call(gw.admin_port(), "POST", "/api/servers");
    BOOST_REQUIRE(post);
    BOOST_TEST(post->result_int() == 405u);
    BOOST_TEST((*post)[boost::beast::http::field::allow] == "GET, HEAD");
}

BOOST_AUTO_TEST_CASE(writes_need_the_configured_token) {
    origins o(1);
    {
        // No token configured: the write endpoints are off, reads work.
        running_gateway gw(load_config(api_config({o.port(0)}, "")));
        auto r = call(gw.admin_port(), "PUT", "/api/backends/app/servers/s1", R"({"state":"drain"})");
        BOOST_REQUIRE(r);
        BOOST_TEST(r->result_int() == 403u);
        BOOST_TEST(text(server(gw.admin_port(), "s1"), "state") == "ready");
    }
    running_gateway gw(load_config(api_config({o.port(0)}, "token = \"" + std::string(token) + "\"\n")));
    for (const std::string& bad : {std::string(), std::string("wrong-token-0123456789abcdef"),
                                  std::string(token) + "x", std::string(token).substr(1)}) {
        auto r = call(gw.admin_port(), "PUT", "/api/backends/app/servers/s1", R"({"state":"drain"})", bad);
        BOOST_REQUIRE(r);
        BOOST_TEST(r->result_int() == 401u);
        BOOST_TEST((*r)[boost::beast::http::field::www_authenticate] == "Bearer realm=\"gateway-admin\"");
    }
    BOOST_TEST(text(server(gw.admin_port(), "s1"), "state") == "ready");
    BOOST_TEST(metrics(gw.admin_port()).find("\ngateway_admin_unauthorized_total 4\n") != std::string::npos);
    const auto changed = call_json(gw.admin_port(), "PUT", "/api/backends/app/servers/s1", R"({"state":"drain"})");
    BOOST_TEST(text(changed, "state") == "drain");
}

BOOST_AUTO_TEST_CASE(bad_changes_are_refused_with_the_reason) {
    origins o(1);
    running_gateway gw(load_config(api_config({o.port(0)}, "token = \"" + std::string(token) + "\"\n")));
    const auto admin = gw.admin_port();
    const std::vector<std::pair<std::string, unsigned>> cases = {
        {"not json", 400u},
        {"[1,2]", 400u},
        {"{}", 400u},
        {R"({"state":"sleepy"})", 400u},
        {R"({"state":3})", 400u},
        {R"({"weight":257})", 400u},
        {R"({"weight":-1})", 400u},
        {R"({"weight":"2"})", 400u},
        {R"({"colour":"red"})", 400u},
    };
    for (const auto& [body, status] : cases) {
        auto r = call(admin, "PUT", "/api/backends/app/servers/s1", body);
        BOOST_REQUIRE(r);
        BOOST_TEST(r->result_int() == status, body << " -> " << r->result_int() << " " << r->body());
        BOOST_TEST(json::parse(r->body()).at("error").is_string());
    }
    auto no_backend = call(admin, "PUT", "/api/backends/nope/servers/s1", R"({"weight":2})");
    BOOST_REQUIRE(no_backend);
    BOOST_TEST(no_backend->result_int() == 404u);
    auto no_server = call(admin, "PUT", "/api/backends/app/servers/s9", R"({"weight":2})");
    BOOST_REQUIRE(no_server);
    BOOST_TEST(no_server->result_int() == 404u);
    auto post = call(admin, "POST", "/api/backends/app/servers/s1", R"({"weight":2})");
    BOOST_REQUIRE(post);
    BOOST_TEST(post->result_int() == 405u);
    auto unknown = call(admin, "GET", "/api/nothing");
    BOOST_REQUIRE(unknown);
    BOOST_TEST(unknown->result_int() == 404u);
    const auto s1 = server(admin, "s1"); // nothing of the above changed anything
    BOOST_TEST(text(s1, "state") == "ready");
    BOOST_TEST(number(s1, "weight") == 1u);
}

BOOST_AUTO_TEST_CASE(weight_changes_the_shares_at_once) {
    origins o(2);
    running_gateway gw(load_config(api_config({o.port(0), o.port(1)}, "token = \"" + std::string(token) + "\"\n")));
    const auto admin = gw.admin_port();
    const auto changed = call_json(admin, "PUT", "/api/backends/app/servers/s1", R"({"weight":3})");
    BOOST_TEST(number(changed, "weight") == 3u);
    BOOST_TEST(number(changed, "config_weight") == 1u);
    send_requests(gw.port(), 40);
    BOOST_TEST(number(server(admin, "s1"), "requests") == 30u);
    BOOST_TEST(number(server(admin, "s2"), "requests") == 10u);
    const auto m = metrics(admin);
    BOOST_TEST(m.find("gateway_server_weight{backend=\"app\",server=\"s1\"} 3\n") != std::string::npos);
    // Weight 0: nothing new goes there.
    call_json(admin, "PUT", "/api/backends/app/servers/s2", R"({"weight":0})");
    send_requests(gw.port(), 10);
    BOOST_TEST(number(server(admin, "s1"), "requests") == 40u);
    BOOST_TEST(number(server(admin, "s2"), "requests") == 10u);
}

BOOST_AUTO_TEST_CASE(drain_sends_nothing_new_and_closes_the_pooled_connections) {
    origins o(2);
    running_gateway gw(load_config(api_config({o.port(0), o.port(1)}, "token = \"" + std::string(token) + "\"\n")));
    const auto admin = gw.admin_port();
    const auto put = [&](const char* name, const char* body) {
        return call_json(admin, "PUT", std::string("/api/backends/app/servers/") + name, body);
    };
    // Two kept-alive connections to s1 (two requests at once, s2 out of the way).
    put("s2", R"({"weight":0})");
    {
        client a(gw.port()), b(gw.port());
        a.send("GET /?size=10&delay=200 HTTP/1.1\r\nHost: a\r\n\r\n");
        b.send("GET /?size=10&delay=200 HTTP/1.1\r\nHost: a\r\n\r\n");
        BOOST_REQUIRE(a.read());
        BOOST_REQUIRE(b.read());
    }
    BOOST_TEST(number(server(admin, "s1"), "connections_opened") == 2u);
    put("s2", R"({"weight":1})");
    // A slow request in flight on s1 (on one of them) finishes after the drain.
    client slow(gw.port());
    slow.send("GET /?size=10&delay=400 HTTP/1.1\r\nHost: a\r\n\r\n");
    BOOST_REQUIRE(wait_until([&] { return number(server(admin, "s1"), "active") == 1u; }));
    BOOST_TEST(text(put("s1", R"({"state":"drain"})"), "state") == "drain");
    send_requests(gw.port(), 6);
    auto late = slow.read();
    BOOST_REQUIRE(late);
    BOOST_TEST(late->result_int() == 200u);
    BOOST_TEST(number(server(admin, "s1"), "requests") == 3u); // the two, then the slow one
    BOOST_TEST(number(server(admin, "s2"), "requests") == 6u);
    const auto m = metrics(admin);
    BOOST_TEST(m.find("gateway_server_ready{backend=\"app\",server=\"s1\"} 0\n") != std::string::npos);
    client stats(admin);
    auto page = stats.get("/stats");
    BOOST_REQUIRE(page);
    BOOST_TEST(page->body().find("UP, DRAIN") != std::string::npos);
    // Ready again: the drain closed its idle connection, and the slow request's
    // closed as it ended, so s1 opens a new one.
    put("s1", R"({"state":"ready"})");
    put("s2", R"({"weight":0})");
    send_requests(gw.port(), 1);
    BOOST_TEST(number(server(admin, "s1"), "requests") == 4u);
    BOOST_TEST(number(server(admin, "s1"), "connections_opened") == 3u);
}

BOOST_AUTO_TEST_CASE(maint_pauses_the_health_checks_and_ready_resumes_them) {
    origins o(2);
    running_gateway gw(load_config(api_config(
        {o.port(0), o.port(1)}, "token = \"" + std::string(token) + "\"\n",
        "[backends.health_check]\npath = \"/\"\ninterval = \"50ms\"\ntimeout = \"40ms\"\n")));
    const auto admin = gw.admin_port();
    BOOST_REQUIRE(wait_until([&] { return number(server(admin, "s1"), "health_checks") >= 2u; }));
    call_json(admin, "PUT", "/api/backends/app/servers/s1", R"({"state":"maint"})");
    // (A probe under way when the change came may still complete.)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const auto paused = number(server(admin, "s1"), "health_checks");
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    BOOST_TEST(number(server(admin, "s1"), "health_checks") == paused);
    BOOST_TEST(number(server(admin, "s2"), "health_checks") > paused);
    send_requests(gw.port(), 4);
    BOOST_TEST(number(server(admin, "s1"), "requests") == 0u);
    call_json(admin, "PUT", "/api/backends/app/servers/s1", R"({"state":"ready"})");
    BOOST_REQUIRE(wait_until([&] { return number(server(admin, "s1"), "health_checks") > paused; }));
    send_requests(gw.port(), 4);
    BOOST_TEST(number(server(admin, "s1"), "requests") == 2u);
}

BOOST_AUTO_TEST_SUITE_END()
