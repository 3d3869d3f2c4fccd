// A route's rules end to end: its prefix rewrite and field rules on what the
// server receives (the origin's /echo-head sends back the head it got), its
// field rules on what the client receives, and the answers a route gives
// itself (a fixed response, a redirect), kept alive like any other.
#include <boost/test/unit_test.hpp>

#include <string>

#include "test/integration/harness.hpp"

using namespace gw;
using namespace gw::test;

namespace {

std::string rules_config(std::uint16_t origin) {
    return "[global]\nworkers = 1\n[admin]\nenabled = false\n[logging]\naccess_log = false\n"
           "[[listeners]]\nname = \"http\"\nlisten = \"127.0.0.1:0\"\ndefault_backend = \"app\"\n"
           // The API under /api, which its server does not know.
           "[[routes]]\npath_prefix = \"/api\"\nbackend = \"app\"\nstrip_prefix = true\n"
           "[routes.request_headers]\n"
           "set = { \"X-Client\" = \"%{client_address}\", \"X-Path\" = \"%{path} on %{host} (%{scheme}) 100%%\" }\n"
           "add = { \"X-Tag\" = \"a\" }\nremove = [\"X-Debug\"]\n"
           "[[routes]]\npath_prefix = \"/old/\"\nbackend = \"app\"\nreplace_prefix = \"/\"\n"
           "[[routes]]\npath_prefix = \"/healthz\"\n"
           "[routes.respond]\nstatus = 200\nbody = \"ok\\n\"\ncontent_type = \"text/plain\"\n"
           "[routes.response_headers]\nset = { \"Cache-Control\" = \"no-store\" }\n"
           "[[routes]]\nhost = \"docs.test\"\n"
           "[routes.redirect]\nstatus = 301\nscheme = \"https\"\nhost = \"www.test:8443\"\npath = \"/docs/\"\n"
           "[[routes]]\npath_prefix = \"/go\"\n[routes.redirect]\nstatus = 308\n"
           "[[routes]]\npath_prefix = \"/site\"\nbackend = \"app\"\n"
           "[routes.response_headers]\nset = { \"X-Frame-Options\" = \"DENY\" }\nadd = { \"Via\" = \"gw\" }\n"
           "remove = [\"Content-Type\"]\n"
           "[[backends]]\nname = \"app\"\n[[backends.servers]]\naddress = \"127.0.0.1:" +
           std::to_string(origin) + "\"\n";
}

} // namespace

BOOST_AUTO_TEST_SUITE(route_rules)

BOOST_AUTO_TEST_CASE(the_server_gets_the_rewritten_path_and_fields) {
    origins o(1);
    running_gateway gw(load_config(rules_config(o.port(0))));
    client c(gw.port());
    auto r = c.get("/api/echo-head?x=1", "X-Debug: 1\r\nX-Tag: client\r\n");
    BOOST_REQUIRE(r);
    BOOST_TEST(r->result_int() == 200u);
    const std::string got = r->body();
    BOOST_TEST(got.starts_with("GET /echo-head?x=1 HTTP/1.1\r\n"), got);
    BOOST_TEST(got.find("X-Client: 127.0.0.1\r\n") != std::string::npos, got);
    BOOST_TEST(got.find("X-Path: /api/echo-head on test (http) 100%\r\n") != std::string::npos, got);
    BOOST_TEST(got.find("X-Tag: client\r\nX-Tag: a\r\n") != std::string::npos, got); // (added after)
    BOOST_TEST(got.find("X-Debug") == std::string::npos, got);
    // Replaced: "/old/" becomes "/".
    r = c.get("/old/echo-head");
    BOOST_REQUIRE(r);
    BOOST_TEST(std::string(r->body()).starts_with("GET /echo-head HTTP/1.1\r\n"));
    // A route without rules: the head goes as it came.
    r = c.get("/echo-head", "X-Debug: 1\r\n");
    BOOST_REQUIRE(r);
    BOOST_TEST(std::string(r->body()).find("X-Debug: 1\r\n") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_client_gets_the_response_fields_the_route_sets) {
    origins o(1);
    running_gateway gw(load_config(rules_config(o.port(0))));
    client c(gw.port());
    auto r = c.get("/site?size=10");
    BOOST_REQUIRE(r);
    BOOST_TEST(r->result_int() == 200u);
    BOOST_TEST((*r)["X-Frame-Options"] == "DENY");
    BOOST_TEST((*r)["Via"] == "gw");
    BOOST_TEST((r->find(boost::beast::http::field::content_type) == r->end()));
    BOOST_TEST(r->body() == pattern(10));
    r = c.get("/?size=10"); // the default backend: untouched
    BOOST_REQUIRE(r);
    BOOST_TEST((r->find("X-Frame-Options") == r->end()));
    BOOST_TEST((r->find(boost::beast::http::field::content_type) != r->end()));
}

BOOST_AUTO_TEST_CASE(a_route_answers_itself_and_the_connection_stays) {
    origins o(1);
    running_gateway gw(load_config(rules_config(o.port(0))));
    client c(gw.port());
    auto r = c.get("/healthz");
    BOOST_REQUIRE(r);
    BOOST_TEST(r->result_int() == 200u);
    BOOST_TEST(r->body() == "ok\n");
    BOOST_TEST((*r)[boost::beast::http::field::content_type] == "text/plain");
    BOOST_TEST((*r)[boost::beast::http::field::cache_control] == "no-store");
    BOOST_TEST(r->keep_alive());
    c.send("HEAD /healthz HTTP/1.1\r\nHost: test\r\n\r\n");
    r = c.read(true);
    BOOST_REQUIRE(r);
    BOOST_TEST((*r)[boost::beast::http::field::content_length] == "3");
    client d(gw.port());
    d.send("GET /old-docs/page?q=1 HTTP/1.1\r\nHost: docs.test\r\n\r\n");
    r = d.read();
    BOOST_REQUIRE(r);
    BOOST_TEST(r->result_int() == 301u);
    BOOST_TEST((*r)[boost::beast::http::field::location] == "https://www.test:8443/docs/?q=1");
    r = d.get("/go/here?a=b"); // scheme, host and path of the request
    BOOST_REQUIRE(r);
    BOOST_TEST(r->result_int() == 308u);
    BOOST_TEST((*r)[boost::beast::http::field::location] == "http://test/go/here?a=b");
    BOOST_TEST(r->keep_alive());
    // (Counted as the exchange ends, just after the client has its answer.)
    BOOST_TEST(wait_until([&] { return gw.get().counters().listeners[0].responses_by_class[2] == 2u; })); // 3xx
    BOOST_TEST(gw.get().counters().listeners[0].responses_by_class[1] == 2u); // 2xx: GET and HEAD /healthz
}

BOOST_AUTO_TEST_CASE(a_request_with_a_body_gets_the_answer_and_its_connection_closes) {
    origins o(1);
    running_gateway gw(load_config(rules_config(o.port(0))));
    client c(gw.port());
    c.send("POST /healthz HTTP/1.1\r\nHost: test\r\nContent-Length: 5\r\n\r\nhello");
    const auto r = c.read();
    BOOST_REQUIRE(r);
    BOOST_TEST(r->result_int() == 200u);
    BOOST_TEST(!r->keep_alive());
    BOOST_TEST(c.closed());
}

BOOST_AUTO_TEST_SUITE_END()
