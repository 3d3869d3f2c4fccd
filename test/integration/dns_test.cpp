// The DNS resolver (io/dns_resolver, c-ares on an Asio loop) against the suite's
// own DNS responder on loopback: addresses with their TTL, answers that change,
// SRV, and the failures (no such name, SERVFAIL, no answer at all).
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <optional>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "gateway/io/dns_resolver.hpp"
#include "test/integration/dns_responder.hpp"

using namespace gw;
using namespace gw::test;
namespace net = boost::asio;

namespace {

struct result {
    boost::system::error_code ec;
    dns_answer answer;
};

// Runs one query to its end on a loop of its own (bounded: the resolver's own
// timeouts end every query).
result ask(dns_resolver& r, net::io_context& ioc, const std::string& name, std::uint16_t port, bool srv = false) {
    std::optional<result> out;
    net::co_spawn(ioc, [&]() -> net::awaitable<void> {
        if (srv) {
            auto [ec, a] = co_await r.resolve_srv(name);
            out = result{ec, a};
        } else {
            auto [ec, a] = co_await r.resolve(name, port);
            out = result{ec, a};
        }
        ioc.stop(); // the resolver's sockets may stay open (and watched) after the answer
    }, net::detached);
    ioc.restart();
    ioc.run_for(std::chrono::seconds(10));
    BOOST_REQUIRE(out);
    return *out;
}

std::vector<std::string> texts(const dns_answer& a) {
    std::vector<std::string> out;
    for (const auto& ep : a.endpoints)
        out.push_back(ep.address().to_string() + ":" + std::to_string(ep.port()));
    std::sort(out.begin(), out.end());
    return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(dns)

BOOST_AUTO_TEST_CASE(addresses_come_with_their_ttl_and_follow_changes) {
    dns_responder dns;
    dns.set_a("app.test", {"127.0.0.2", "127.0.0.3"}, 30);
    dns.set_aaaa("app.test", {"::1"}, 20);
    net::io_context ioc(1);
    dns_resolver r(ioc.get_executor(), dns_options{{dns.address()}, std::chrono::milliseconds(300), 2});
    auto a = ask(r, ioc, "app.test", 8080);
    BOOST_TEST(!a.ec, a.ec.message());
    BOOST_TEST(texts(a.answer) == (std::vector<std::string>{"127.0.0.2:8080", "127.0.0.3:8080", "::1:8080"}),
               boost::test_tools::per_element());
    BOOST_TEST(a.answer.ttl.count() == 20);
    dns.set_a("app.test", {"127.0.0.4"}, 5);
    dns.set_aaaa("app.test", {}, 5);
    auto b = ask(r, ioc, "app.test", 81);
    BOOST_TEST(!b.ec, b.ec.message());
    BOOST_TEST(texts(b.answer) == (std::vector<std::string>{"127.0.0.4:81"}), boost::test_tools::per_element());
    BOOST_TEST(b.answer.ttl.count() == 5);
}

BOOST_AUTO_TEST_CASE(srv_records_give_targets_and_ports_by_priority) {
    dns_responder dns;
    dns.set_srv("_http._tcp.api.test", {{10, 1, 9002, "b.api.test"}, {0, 5, 9001, "a.api.test"}}, 60);
    dns.set_a("a.api.test", {"127.0.0.5"}, 40);
    dns.set_a("b.api.test", {"127.0.0.6"}, 50);
    net::io_context ioc(1);
    dns_resolver r(ioc.get_executor(), dns_options{{dns.address()}, std::chrono::milliseconds(300), 2});
    auto a = ask(r, ioc, "_http._tcp.api.test", 0, true);
    BOOST_TEST(!a.ec, a.ec.message());
    BOOST_REQUIRE(a.answer.endpoints.size() == 2u);
    BOOST_TEST(a.answer.endpoints[0].port() == 9001); // priority 0 first
    BOOST_TEST(a.answer.endpoints[0].address().to_string() == "127.0.0.5");
    BOOST_TEST(a.answer.endpoints[1].port() == 9002);
    BOOST_TEST(a.answer.ttl.count() == 40);
}

BOOST_AUTO_TEST_CASE(failures_are_errors_not_hangs) {
    dns_responder dns;
    net::io_context ioc(1);
    dns_resolver r(ioc.get_executor(), dns_options{{dns.address()}, std::chrono::milliseconds(200), 2});
    auto missing = ask(r, ioc, "nothing.test", 80);
    BOOST_TEST((missing.ec.category() == dns_category()));
    BOOST_TEST(missing.answer.endpoints.empty());
    dns.set_a("app.test", {"127.0.0.2"}, 30);
    dns.set_mode(dns_responder::mode::servfail);
    auto failed = ask(r, ioc, "app.test", 80);
    BOOST_TEST(!!failed.ec);
    dns.set_mode(dns_responder::mode::silent);
    const auto from = std::chrono::steady_clock::now();
    auto silent = ask(r, ioc, "app.test", 80);
    BOOST_TEST(!!silent.ec, "no answer at all must end in an error");
    BOOST_TEST((std::chrono::steady_clock::now() - from < std::chrono::seconds(5)));
    dns.set_mode(dns_responder::mode::answer); // and it recovers
    auto back = ask(r, ioc, "app.test", 80);
    BOOST_TEST(!back.ec, back.ec.message());
    BOOST_TEST(texts(back.answer) == (std::vector<std::string>{"127.0.0.2:80"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(cancel_ends_questions_and_lets_the_loop_run_out_of_work) {
    dns_responder dns;
    dns.set_a("app.test", {"127.0.0.2"}, 30);
    dns.set_mode(dns_responder::mode::silent);
    net::io_context ioc(1);
    dns_resolver r(ioc.get_executor(), dns_options{{dns.address()}, std::chrono::seconds(5), 2});
    std::optional<result> out;
    net::co_spawn(ioc, [&]() -> net::awaitable<void> {
        auto [ec, a] = co_await r.resolve("app.test", 80);
        out = result{ec, a};
    }, net::detached);
    net::steady_timer later(ioc, std::chrono::milliseconds(50));
    later.async_wait([&](boost::system::error_code) { r.cancel(); });
    const auto from = std::chrono::steady_clock::now();
    ioc.run_for(std::chrono::seconds(10)); // returns once nothing is left to do
    BOOST_TEST((std::chrono::steady_clock::now() - from < std::chrono::seconds(2)));
    BOOST_REQUIRE(out);
    BOOST_TEST(!!out->ec);
    // The resolver still works after a cancel.
    dns.set_mode(dns_responder::mode::answer);
    auto again = ask(r, ioc, "app.test", 80);
    BOOST_TEST(!again.ec, again.ec.message());
    BOOST_TEST(texts(again.answer) == (std::vector<std::string>{"127.0.0.2:80"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()
