// A pool buffer is held only while it holds bytes (issue 17): a session
// waiting for its server's response holds none, and neither does one whose
// response body goes socket to socket with splice while the client is slow,
// one whose client uploads slowly, or an idle WebSocket tunnel.
// Read through /metrics (gateway_pool_buffers_used counts buffers handed out;
// the admin listener's own reply buffer is taken after the snapshot).
#include <boost/test/unit_test.hpp>

#include <string>

#include "test/integration/harness.hpp"

using namespace gw::test;

namespace {

std::string one_worker_config(std::uint16_t origin) {
    std::string cfg = basic_config({origin});
    cfg.replace(cfg.find("workers = 2"), 11, "workers = 1");
    cfg.replace(cfg.find("[admin]\nenabled = false\n"), 24, "[admin]\nlisten = \"127.0.0.1:0\"\n");
    return cfg;
}

const std::string used = "gateway_pool_buffers_used";
const std::string active = "gateway_server_active{backend=\"app\",server=\"s1\"}";

} // namespace

BOOST_AUTO_TEST_SUITE(buffer_hold)

BOOST_AUTO_TEST_CASE(a_request_waiting_for_its_server_holds_no_buffer) {
    origins origin(1);
    running_gateway gw(load_config(one_worker_config(origin.port(0))));
    const auto admin = gw.admin_port();
    BOOST_TEST(metric(admin, used) == 0.0);
    client c(gw.port());
    c.send("GET /?size=100&delay=1500 HTTP/1.1\r\nHost: t\r\n\r\n");
    // The request is with the server (its buffer went back once sent) ...
    BOOST_TEST_REQUIRE(wait_until([&] { return metric(admin, active) == 1.0; }));
    // ... and the response's buffer is not taken before the server answers.
    BOOST_TEST(metric(admin, used) == 0.0);
    auto r = c.read();
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(r->result_int() == 200u);
    BOOST_TEST(r->body() == pattern(100));
}

BOOST_AUTO_TEST_CASE(a_body_spliced_to_a_slow_client_holds_no_buffer) {
    origins origin(1);
    running_gateway gw(load_config(one_worker_config(origin.port(0))));
    const auto admin = gw.admin_port();
    constexpr std::size_t size = 8 << 20; // far more than the sockets hold
    client c(gw.port());
    c.send("GET /?size=" + std::to_string(size) + " HTTP/1.1\r\nHost: t\r\n\r\n");
    // The client reads nothing: the splice stalls with the response under way.
    BOOST_TEST_REQUIRE(wait_until([&] { return metric(admin, "gateway_spliced_bytes_total") > 0.0; }));
    BOOST_TEST(metric(admin, active) == 1.0);
    BOOST_TEST(metric(admin, used) == 0.0);
    auto r = c.read();
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(r->result_int() == 200u);
    BOOST_TEST(r->body().size() == size);
    BOOST_TEST((r->body() == pattern(size)));
    // The next exchange on the connection takes a buffer again, as usual.
    auto again = c.get("/?size=100");
    BOOST_TEST_REQUIRE(again.has_value());
    BOOST_TEST(again->body() == pattern(100));
}

BOOST_AUTO_TEST_CASE(a_slow_upload_holds_no_buffer_between_its_pieces) {
    origins origin(1);
    running_gateway gw(load_config(one_worker_config(origin.port(0))));
    const auto admin = gw.admin_port();
    const std::string body = pattern(3000);
    client c(gw.port());
    c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3000\r\n\r\n" + body.substr(0, 1000));
    // The head and the first piece are with the server, which waits for the rest.
    BOOST_TEST_REQUIRE(wait_until([&] { return metric(admin, active) == 1.0; }));
    BOOST_TEST_REQUIRE(wait_until([&] { return metric(admin, used) == 0.0; }));
    c.send(body.substr(1000, 1000));
    BOOST_TEST(wait_until([&] { return metric(admin, used) == 0.0; }));
    c.send(body.substr(2000));
    auto r = c.read();
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(r->result_int() == 200u);
    BOOST_TEST((r->body() == body));
}

BOOST_AUTO_TEST_CASE(an_idle_websocket_holds_no_buffer) {
    misbehaving_server ws(misbehaving_server::mode::upgrade_echo);
    running_gateway gw(load_config(one_worker_config(ws.port())));
    const auto admin = gw.admin_port();
    client c(gw.port());
    c.send("GET /chat HTTP/1.1\r\nHost: t\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n");
    auto r = c.read();
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(r->result_int() == 101u);
    BOOST_TEST(c.read_exactly(5) == "hello");
    // Open, quiet: neither direction holds a buffer ...
    BOOST_TEST(wait_until([&] { return metric(admin, used) == 0.0; }));
    // ... and bytes still pass both ways, in pieces larger than a buffer.
    for (const std::string& msg : {std::string("ping"), pattern(100000)}) {
        c.send(msg);
        BOOST_TEST((c.read_exactly(msg.size()) == msg));
        BOOST_TEST(wait_until([&] { return metric(admin, used) == 0.0; }));
    }
}

BOOST_AUTO_TEST_SUITE_END()
