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
// How many of `n` requests (each released at once) each server gets.
std::map<int, int> count_picks(backend_state& b, round_robin_state& rr, int n) {
    std::map<int, int> picks;
    for (int i = 0; i < n; ++i) {
        const int s = b.try_take(rr);
        ++picks[s];
        b.release(static_cast<std::size_t>(s));
    }
    return picks;
}
} // namespace

BOOST_AUTO_TEST_SUITE(backend_suite)

BOOST_AUTO_TEST_CASE(weighted_round_robin_follows_the_weights) {
    backend_state b(make({{5, 0}, {1, 0}, {1, 0}}), endpoints(3));
    round_robin_state cursor;
    auto picks = count_picks(b, cursor, 700);
    BOOST_TEST(picks[0] == 500);
    BOOST_TEST(picks[1] == 100);
    BOOST_TEST(picks[2] == 100);
}

BOOST_AUTO_TEST_CASE(drained_and_down_servers_get_nothing) {
    backend_state b(make({{1, 0}, {0, 0}, {1, 0}}), endpoints(3));
    b.server(2).up = false;
    round_robin_state cursor;
    for (int i = 0; i < 10; ++i) {
        BOOST_TEST(b.try_take(cursor) == 0);
        b.release(0);
    }
}

BOOST_AUTO_TEST_CASE(maxconn_limits_slots_and_leastconn_balances) {
    backend_state b(make({{1, 2}, {1, 1}}, config::balance_mode::leastconn), endpoints(2));
    round_robin_state cursor;
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
    round_robin_state cursor;
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
    round_robin_state cursor;
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

BOOST_AUTO_TEST_CASE(weights_set_at_run_time_change_the_shares_at_once) {
    backend_state b(make({{1, 0}, {1, 0}}), endpoints(2));
    round_robin_state rr;
    b.set_weight(0, 3);
    auto picks = count_picks(b, rr, 400);
    BOOST_TEST(picks[0] == 300);
    BOOST_TEST(picks[1] == 100);
    b.set_weight(0, 0); // weight 0: nothing new
    for (int i = 0; i < 10; ++i) {
        BOOST_TEST(b.try_take(rr) == 1);
        b.release(1);
    }
    BOOST_TEST(b.server(0).config_weight == 1u);
}

BOOST_AUTO_TEST_CASE(drain_and_maint_take_nothing_new_and_ready_takes_again) {
    for (const auto mode : {config::balance_mode::roundrobin, config::balance_mode::leastconn}) {
        backend_state b(make({{1, 0}, {1, 0}}, mode), endpoints(2));
        round_robin_state rr;
        const int held = b.try_take(rr); // in flight: unaffected by the drain
        b.set_admin(0, server_admin::drain);
        b.set_admin(1, server_admin::maint);
        BOOST_TEST(!b.has_usable_server());
        BOOST_TEST(b.try_take(rr) == -1);
        BOOST_TEST(b.server(static_cast<std::size_t>(held)).active.load() == 1u);
        b.release(static_cast<std::size_t>(held));
        b.set_admin(1, server_admin::ready);
        BOOST_TEST(b.has_usable_server());
        for (int i = 0; i < 4; ++i) {
            BOOST_TEST(b.try_take(rr) == 1);
            b.release(1);
        }
    }
}

BOOST_AUTO_TEST_CASE(a_server_made_ready_takes_the_queued_sessions) {
    backend_state b(make({{1, 1}, {1, 1}}), endpoints(2));
    net::io_context ioc(1);
    round_robin_state rr;
    b.set_admin(1, server_admin::drain);
    BOOST_TEST(b.try_take(rr) == 0); // server 0 full, server 1 drained
    std::vector<std::size_t> granted;
    async_wait_for_server(b, net::bind_executor(ioc, [&](boost::system::error_code ec, std::size_t s) {
                              BOOST_TEST(!ec);
                              granted.push_back(s);
                          }));
    ioc.poll();
    BOOST_TEST(granted.empty());
    b.set_admin(1, server_admin::ready); // no release needed: the queue moves now
    ioc.poll();
    BOOST_TEST(granted == (std::vector<std::size_t>{1}), boost::test_tools::per_element());
    BOOST_TEST(b.queued() == 0u);
}

BOOST_AUTO_TEST_CASE(workers_with_an_offset_do_not_start_in_step) {
    backend_state b(make({{1, 0}, {1, 0}}), endpoints(2));
    round_robin_state first{{}, 0}, second{{}, 1};
    const int a = b.try_take(first);
    const int c = b.try_take(second);
    BOOST_TEST(a != c);
}

BOOST_AUTO_TEST_SUITE_END()
