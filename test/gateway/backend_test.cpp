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
// The index (in the set now) of a server; -1 for none.
int index_of(backend_state& b, const server_state* s) {
    const auto set = b.servers();
    for (std::size_t i = 0; i < set->servers.size(); ++i)
        if (set->servers[i].get() == s)
            return static_cast<int>(i);
    return -1;
}
// Takes a slot as worker `w` would: the server's index, or -1.
int take(backend_state& b, std::size_t w = 0, int exclude = -1) {
    const server_state* ex = exclude >= 0 ? &b.server(static_cast<std::size_t>(exclude)) : nullptr;
    return index_of(b, b.try_take(w, ex).get());
}
void give(backend_state& b, int i) {
    b.release(b.server(static_cast<std::size_t>(i)));
}
// How many of `n` requests (each released at once) each server gets.
std::map<int, int> count_picks(backend_state& b, int n) {
    std::map<int, int> picks;
    for (int i = 0; i < n; ++i) {
        const int s = take(b);
        ++picks[s];
        give(b, s);
    }
    return picks;
}
} // namespace

BOOST_AUTO_TEST_SUITE(backend_suite)

BOOST_AUTO_TEST_CASE(weighted_round_robin_follows_the_weights) {
    backend_state b(make({{5, 0}, {1, 0}, {1, 0}}), endpoints(3));
    auto picks = count_picks(b, 700);
    BOOST_TEST(picks[0] == 500);
    BOOST_TEST(picks[1] == 100);
    BOOST_TEST(picks[2] == 100);
}

BOOST_AUTO_TEST_CASE(drained_and_down_servers_get_nothing) {
    backend_state b(make({{1, 0}, {0, 0}, {1, 0}}), endpoints(3));
    b.server(2).up = false;
    for (int i = 0; i < 10; ++i) {
        BOOST_TEST(take(b) == 0);
        give(b, 0);
    }
}

BOOST_AUTO_TEST_CASE(maxconn_limits_slots_and_leastconn_balances) {
    backend_state b(make({{1, 2}, {1, 1}}, config::balance_mode::leastconn), endpoints(2));
    const int a = take(b);
    const int c = take(b);
    BOOST_TEST(a != c); // least connections: one each
    const int d = take(b);
    BOOST_TEST(d == 0); // server 1 is full (maxconn 1)
    BOOST_TEST(take(b) == -1);
    BOOST_TEST(b.server(0).active.load() == 2u);
    BOOST_TEST(b.server(1).active.load() == 1u);
}

BOOST_AUTO_TEST_CASE(queue_is_fifo_and_a_release_hands_the_slot_over) {
    backend_state b(make({{1, 1}}), endpoints(1));
    net::io_context ioc(1);
    BOOST_TEST(take(b) == 0);
    std::vector<int> order;
    for (int i = 0; i < 3; ++i)
        async_wait_for_server(b, net::bind_executor(ioc, [&order, i](boost::system::error_code ec,
                                                                     server_ptr) {
                                  BOOST_TEST(!ec);
                                  order.push_back(i);
                              }));
    BOOST_TEST(b.queued() == 3u);
    BOOST_TEST(take(b) == -1); // newcomers do not overtake the queue
    for (int i = 0; i < 3; ++i) {
        give(b, 0); // the slot goes straight to the oldest waiter
        ioc.poll();
        BOOST_TEST(b.server(0).active.load() == 1u);
    }
    BOOST_TEST(order == (std::vector<int>{0, 1, 2}), boost::test_tools::per_element());
    BOOST_TEST(b.queued() == 0u);
}

BOOST_AUTO_TEST_CASE(queue_limit_and_cancellation) {
    backend_state b(make({{1, 1}}, config::balance_mode::roundrobin, 1), endpoints(1));
    net::io_context ioc(1);
    BOOST_TEST(take(b) == 0);
    net::cancellation_signal cancel;
    boost::system::error_code first, second;
    async_wait_for_server(b, net::bind_cancellation_slot(
                                 cancel.slot(), net::bind_executor(ioc, [&](auto ec, server_ptr) {
                                     first = ec;
                                 })));
    async_wait_for_server(b, net::bind_executor(ioc, [&](auto ec, server_ptr) { second = ec; }));
    ioc.poll();
    BOOST_TEST((second == net::error::no_buffer_space)); // queue full: 503
    cancel.emit(net::cancellation_type::terminal);        // the queue timeout
    ioc.poll();
    BOOST_TEST((first == net::error::operation_aborted));
    BOOST_TEST(b.queued() == 0u);
    give(b, 0);
    BOOST_TEST(b.server(0).active.load() == 0u); // nobody took the slot
}

BOOST_AUTO_TEST_CASE(weights_set_at_run_time_change_the_shares_at_once) {
    backend_state b(make({{1, 0}, {1, 0}}), endpoints(2));
    b.set_weight(b.server(0), 3);
    auto picks = count_picks(b, 400);
    BOOST_TEST(picks[0] == 300);
    BOOST_TEST(picks[1] == 100);
    b.set_weight(b.server(0), 0); // weight 0: nothing new
    for (int i = 0; i < 10; ++i) {
        BOOST_TEST(take(b) == 1);
        give(b, 1);
    }
    BOOST_TEST(b.server(0).config_weight.load() == 1u);
}

BOOST_AUTO_TEST_CASE(drain_and_maint_take_nothing_new_and_ready_takes_again) {
    for (const auto mode : {config::balance_mode::roundrobin, config::balance_mode::leastconn}) {
        backend_state b(make({{1, 0}, {1, 0}}, mode), endpoints(2));
        const int held = take(b); // in flight: unaffected by the drain
        b.set_admin(b.server(0), server_admin::drain);
        b.set_admin(b.server(1), server_admin::maint);
        BOOST_TEST(!b.has_usable_server(0));
        BOOST_TEST(take(b) == -1);
        BOOST_TEST(b.server(static_cast<std::size_t>(held)).active.load() == 1u);
        give(b, held);
        b.set_admin(b.server(1), server_admin::ready);
        BOOST_TEST(b.has_usable_server(0));
        for (int i = 0; i < 4; ++i) {
            BOOST_TEST(take(b) == 1);
            give(b, 1);
        }
    }
}

BOOST_AUTO_TEST_CASE(a_server_made_ready_takes_the_queued_sessions) {
    backend_state b(make({{1, 1}, {1, 1}}), endpoints(2));
    net::io_context ioc(1);
    b.set_admin(b.server(1), server_admin::drain);
    BOOST_TEST(take(b) == 0); // server 0 full, server 1 drained
    std::vector<int> granted;
    async_wait_for_server(b, net::bind_executor(ioc, [&](boost::system::error_code ec, server_ptr s) {
                              BOOST_TEST(!ec);
                              granted.push_back(index_of(b, s.get()));
                          }));
    ioc.poll();
    BOOST_TEST(granted.empty());
    b.set_admin(b.server(1), server_admin::ready); // no release needed: the queue moves now
    ioc.poll();
    BOOST_TEST(granted == (std::vector<int>{1}), boost::test_tools::per_element());
    BOOST_TEST(b.queued() == 0u);
}

BOOST_AUTO_TEST_CASE(workers_with_an_offset_do_not_start_in_step) {
    backend_state b(make({{1, 0}, {1, 0}}), endpoints(2), 2);
    const int a = take(b, 0);
    const int c = take(b, 1);
    BOOST_TEST(a != c);
}

BOOST_AUTO_TEST_CASE(servers_replaced_while_running_retire_the_ones_that_left) {
    backend_state b(make({{1, 0}, {1, 0}}), endpoints(2), 2);
    net::io_context ioc(1);
    const auto first = b.servers();
    const server_ptr s1 = first->servers[0], s2 = first->servers[1];
    const server_ptr held = b.try_take(0); // an exchange in flight on the old set
    BOOST_REQUIRE(held);
    s1->idle(1).put(transport(ioc.get_executor())); // worker 1 keeps a connection to s1
    config::server_config c3;
    c3.name = "s3";
    const server_ptr s3 = make_server(c3, {}, 2, 8);
    b.replace_servers({s2, s3});
    BOOST_TEST(s1->retired.load());
    BOOST_TEST(!s2->retired.load());
    BOOST_TEST(!s1->serving());
    BOOST_TEST(b.server_count() == 2u);
    // A worker sees the new set at its next pick, without waiting for the
    // adopt() posted to it: never only departed servers.
    int on_s3 = 0;
    for (int i = 0; i < 4; ++i) {
        const auto t = b.try_take(0);
        BOOST_REQUIRE(t);
        BOOST_TEST((t != s1));
        on_s3 += t == s3;
        b.release(*t);
    }
    BOOST_TEST(on_s3 == 2);
    // Worker 1 picked nothing: its idle connection to s1 stays until it adopts.
    BOOST_TEST(s1->idle(1).size() == 1u);
    b.adopt(1);
    BOOST_TEST(s1->idle(1).size() == 0u); // closed as worker 1 adopted the set
    b.release(*held); // the exchange on the departed server ends normally
    BOOST_TEST(s1->active.load() == 0u);
}

BOOST_AUTO_TEST_CASE(a_new_server_set_takes_the_queued_sessions) {
    backend_state b(make({{1, 1}}), endpoints(1));
    net::io_context ioc(1);
    const server_ptr old = b.try_take(0);
    BOOST_REQUIRE(old);
    server_ptr granted;
    async_wait_for_server(b, net::bind_executor(ioc, [&](boost::system::error_code ec, server_ptr s) {
                              BOOST_TEST(!ec);
                              granted = std::move(s);
                          }));
    ioc.poll();
    BOOST_TEST(!granted);
    config::server_config c2;
    c2.name = "s2";
    c2.maxconn = 1;
    const server_ptr fresh = make_server(c2, {}, 1, 8);
    b.replace_servers({fresh}); // no release needed: the queue moves to the new server now
    ioc.poll();
    BOOST_TEST((granted == fresh));
    BOOST_TEST(fresh->active.load() == 1u);
    b.release(*old);
    BOOST_TEST(old->active.load() == 0u);
    BOOST_TEST(b.queued() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
