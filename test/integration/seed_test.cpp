// The seed's scenario end to end: one server with maxconn 1, a pool of reserve + 2
// buffers, 200 concurrent clients each POSTing a body three buffers long and
// reading a response three buffers long. With reserve 2 every exchange completes
// with the right bytes; with reserve 0 the gateway wedges (requests queued behind
// the server hold every buffer, the response that would free the server gets
// none), the test sees it within a bound, and the gateway still shuts down.
#include <boost/test/unit_test.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>

#include "test/integration/harness.hpp"

using namespace gw::test;
namespace net = boost::asio;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

namespace {

constexpr std::size_t clients = 200;
constexpr std::size_t body_size = 3 * 16 * 1024;

struct tally {
    std::size_t ok = 0;
    std::size_t wrong = 0;
};

net::awaitable<void> seed_client(std::uint16_t port, const std::string* request,
                                 const std::string* expected, tally* t) {
    constexpr auto use_tuple = net::as_tuple(net::use_awaitable);
    tcp::socket s(co_await net::this_coro::executor);
    auto [cec] = co_await s.async_connect({net::ip::make_address("127.0.0.1"), port}, use_tuple);
    if (cec)
        co_return;
    auto [wec, wn] = co_await net::async_write(s, net::buffer(*request), use_tuple);
    if (wec)
        co_return;
    boost::beast::flat_buffer buf;
    http::response_parser<http::string_body> p;
    p.body_limit(boost::none);
    auto [rec, rn] = co_await http::async_read(s, buf, p, use_tuple);
    if (rec)
        co_return;
    if (p.get().result_int() == 200 && p.get().body() == *expected)
        ++t->ok;
    else
        ++t->wrong;
}

std::shared_ptr<gw::config::gateway_config> seed_config(std::uint16_t origin, std::size_t reserve) {
    std::string toml = basic_config({origin},
                                           "[buffers]\nlimit = 4\n"
                                           "[timeouts]\nqueue = \"60s\"\nclient_head = \"60s\"\n"
                                           "server = \"60s\"\n",
                                           "maxconn = 1");
    toml.replace(toml.find("workers = 2"), 11, "workers = 1");
    auto loaded = load_config(toml);
    auto cfg = std::make_shared<gw::config::gateway_config>(*loaded);
    cfg->global.workers = 1;
    cfg->buffers.reserve = reserve; // 0 is refused by the loader on purpose; the pool takes it
    cfg->buffers.limit = reserve + 2;
    return cfg;
}

// Runs the 200 clients for at most `bound`; returns what they got.
tally run_clients(std::uint16_t port, std::chrono::seconds bound) {
    const std::string body = pattern(body_size);
    const std::string request = "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: " +
                                std::to_string(body.size()) + "\r\n\r\n" + body;
    net::io_context ioc(1);
    tally t;
    for (std::size_t i = 0; i < clients; ++i)
        net::co_spawn(ioc, seed_client(port, &request, &body, &t), net::detached);
    ioc.run_for(bound); // returns early once every client is done
    return t;
}

} // namespace

BOOST_AUTO_TEST_SUITE(seed_end_to_end)

BOOST_AUTO_TEST_CASE(reserve_two_serves_every_exchange) {
    origins origin(1);
    running_gateway gw(seed_config(origin.port(0), 2));
    const auto t = run_clients(gw.port(), std::chrono::seconds(60));
    BOOST_TEST(t.ok == clients);
    BOOST_TEST(t.wrong == 0u);
    const auto s = gw.get().pool_stats();
    BOOST_TEST_MESSAGE("waits " << s.waits_total() << " resumes " << s.resumes << " failed "
                                << s.failed_resumes << " high water " << s.high_water);
    BOOST_TEST(wait_until([&] { return gw.get().pool_stats().used == 0; }));
    BOOST_TEST(s.high_water <= 4u);
    BOOST_TEST(s.waits_total() > 0u); // the pool really was the bottleneck
    BOOST_TEST(s.failed_resumes == 0u);
}

BOOST_AUTO_TEST_CASE(reserve_zero_wedges_and_is_detected) {
    origins origin(1);
    running_gateway gw(seed_config(origin.port(0), 0));
    const auto t = run_clients(gw.port(), std::chrono::seconds(3));
    BOOST_TEST(t.ok < clients);
    const auto s = gw.get().pool_stats();
    BOOST_TEST_MESSAGE("served " << t.ok << "; used " << s.used << " waiters critical "
                                 << s.waiters[0] << " normal " << s.waiters[1]);
    BOOST_TEST(s.used == s.limit);       // every buffer held by a queued request...
    BOOST_TEST(s.waiters[0] >= 1u);      // ...while a response waits for one
    // and the gateway still shuts down cleanly (the fixture aborts and joins it)
}

BOOST_AUTO_TEST_SUITE_END()
