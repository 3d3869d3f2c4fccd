// Server selection, maxconn slots and the backend queue (without sockets).
#include <boost/test/unit_test.hpp>

#include <map>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>

#include "gateway/upstream/backend.hpp"

using namespace gw;
namespace net = boost::asio;

namespace {
config::backend_config make(std::vector<std::pair<unsigned, std::size_t>> servers,
                            config::balance_mode mode = config::balance_mode::roundrobin,
                            std::size_t queue_limit = 0) {
    config::backend_config b;
    b.name = "b";
    b.balance = mode;
    b.queue_limit = queue_limit;
    for (std::size_t i = 0; i < servers.size(); ++i) {
        config::server_config s;
        s.name = "s" + std::to_string(i + 1);
        s.weight = servers[i].first;
        s.maxconn = servers[i].second;
        b.servers.push_back(s);
    }
    return b;
}
std::vector<net::ip::tcp::endpoint> endpoints(std::size_t n) {
    return std::vector<net::ip::tcp::endpoint>(n);
}
} // namespace

BOOST_AUTO_TEST_SUITE(backend_suite)

BOOST_AUTO_TEST_CASE(weighted_round_robin_follows_the_weights) {
    backend_state b(make({{5, 0}, {1, 0}, {1, 0}}), endpoints(3));
    std::size_t cursor = 0;
    std::map<int, int> picks;
    for (int i = 0; i < 700; ++i) {
        const int s = b.try_take(cursor);
        ++picks[s];
        b.release(static_cast<std::size_t>(s));
    }
    BOOST_TEST(picks[0] == 500);
    BOOST_TEST(picks[1] == 100);
    BOOST_TEST(picks[2] == 100);
}

BOOST_AUTO_TEST_CASE(drained_and_down_servers_get_nothing) {
    backend_state b(make({{1, 0}, {0, 0}, {1, 0}}), endpoints(3));
    b.server(2).up = false;
    std::size_t cursor = 0;
    for (int i = 0; i < 10; ++i) {
        BOOST_TEST(b.try_take(cursor) == 0);
        b.release(0);
    }
}

BOOST_AUTO_TEST_CASE(maxconn_limits_slots_and_leastconn_balances) {
    backend_state b(make({{1, 2}, {1, 1}}, config::balance_mode::leastconn), endpoints(2));
    std::size_t cursor = 0;
    const int a = b.try_take(cursor);
    const int c = b.try_take(cursor);
    BOOST_TEST(a != c); // least connections: one each
    const int d = b.try_take(cursor);
    BOOST_TEST(d == 0); // server 1 is full (maxconn 1)
    BOOST_TEST(b.try_take(cursor) == -1);
    BOOST_TEST(b.server(0).active.load() == 2u);
    BOOST_TEST(b.server(1).active.load() == 1u);
}

BOOST_AUTO_TEST_CASE(queue_is_fifo_and_a_release_hands_the_slot_over) {
    backend_state b(make({{1, 1}}), endpoints(1));
    net::io_context ioc(1);
    std::size_t cursor = 0;
    BOOST_TEST(b.try_take(cursor) == 0);
    std::vector<int> order;
    for (int i = 0; i < 3; ++i)
        async_wait_for_server(b, net::bind_executor(ioc, [&order, i](boost::system::error_code ec,
                                                                     std::size_t) {
                                  BOOST_TEST(!ec);
                                  order.push_back(i);
                              }));
    BOOST_TEST(b.queued() == 3u);
    BOOST_TEST(b.try_take(cursor) == -1); // newcomers do not overtake the queue
    for (int i = 0; i < 3; ++i) {
        b.release(0); // the slot goes straight to the oldest waiter
        ioc.poll();
        BOOST_TEST(b.server(0).active.load() == 1u);
    }
    BOOST_TEST(order == (std::vector<int>{0, 1, 2}), boost::test_tools::per_element());
    BOOST_TEST(b.queued() == 0u);
}

BOOST_AUTO_TEST_CASE(queue_limit_and_cancellation) {
    backend_state b(make({{1, 1}}, config::balance_mode::roundrobin, 1), endpoints(1));
    net::io_context ioc(1);
    std::size_t cursor = 0;
    BOOST_TEST(b.try_take(cursor) == 0);
    net::cancellation_signal cancel;
    boost::system::error_code first, second;
    async_wait_for_server(b, net::bind_cancellation_slot(
                                 cancel.slot(), net::bind_executor(ioc, [&](auto ec, std::size_t) {
                                     first = ec;
                                 })));
    async_wait_for_server(b, net::bind_executor(ioc, [&](auto ec, std::size_t) { second = ec; }));
    ioc.poll();
    BOOST_TEST((second == net::error::no_buffer_space)); // queue full: 503
    cancel.emit(net::cancellation_type::terminal);        // the queue timeout
    ioc.poll();
    BOOST_TEST((first == net::error::operation_aborted));
    BOOST_TEST(b.queued() == 0u);
    b.release(0);
    BOOST_TEST(b.server(0).active.load() == 0u); // nobody took the slot
}

BOOST_AUTO_TEST_SUITE_END()
