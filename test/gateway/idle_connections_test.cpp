// The idle server connection list (upstream/idle_connections): newest taken
// first, the oldest closed by age, the cap, and a ring that grows while its
// oldest entry is not at its start. Real loopback sockets: the far end of each
// tells whether the list closed it.
#include <boost/test/unit_test.hpp>

#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "gateway/upstream/idle_connections.hpp"

using namespace gw;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using clock_type = idle_connections::clock;

namespace {

// Connected pairs: `near` ends go into the list, `far` ends stay here.
struct sockets {
    net::io_context io;
    tcp::acceptor acceptor{io, tcp::endpoint(net::ip::address_v4::loopback(), 0)};
    std::vector<tcp::socket> far;

    // A new connection's near end as a transport, and its local port (its name).
    std::pair<transport, unsigned short> connect() {
        tcp::socket near(io);
        near.connect(acceptor.local_endpoint());
        far.push_back(acceptor.accept());
        const auto port = near.local_endpoint().port();
        return {transport(std::move(near)), port};
    }
    // Whether the list closed the connection whose near end is on `port`: its
    // far end reads end of stream.
    bool closed(unsigned short port) {
        for (auto& f : far)
            if (f.remote_endpoint().port() == port) {
                f.non_blocking(true);
                char c;
                boost::system::error_code ec;
                f.read_some(net::buffer(&c, 1), ec);
                return ec == net::error::eof || ec == net::error::connection_reset;
            }
        BOOST_FAIL("no such connection");
        return false;
    }
};

// Puts `n` new connections into `idle`, put back `step` apart from `first`;
// returns their ports, oldest first.
std::vector<unsigned short> put_new(sockets& s, idle_connections& idle, int n,
                                    clock_type::time_point first = clock_type::now(),
                                    std::chrono::seconds step = std::chrono::seconds(0)) {
    std::vector<unsigned short> ports;
    for (int i = 0; i < n; ++i) {
        auto [t, port] = s.connect();
        ports.push_back(port);
        idle.put(std::move(t), first + step * i);
    }
    return ports;
}

unsigned short port_of(transport& t) {
    return t.socket().local_endpoint().port();
}

} // namespace

BOOST_AUTO_TEST_SUITE(idle_connections_suite)

BOOST_AUTO_TEST_CASE(the_most_recently_used_is_taken_first) {
    sockets s;
    idle_connections idle;
    idle.limit(100);
    const auto ports = put_new(s, idle, 3);
    for (int i = 2; i >= 0; --i) {
        auto t = idle.take();
        BOOST_TEST_REQUIRE(t.has_value());
        BOOST_TEST(port_of(*t) == ports[static_cast<std::size_t>(i)]);
    }
    BOOST_TEST(!idle.take().has_value());
    BOOST_TEST(idle.size() == 0u);
}

BOOST_AUTO_TEST_CASE(connections_unused_for_the_timeout_close_oldest_first) {
    sockets s;
    idle_connections idle;
    idle.limit(100);
    const auto t0 = clock_type::now();
    const auto ports = put_new(s, idle, 3, t0, std::chrono::seconds(4)); // at 0, 4 and 8 s
    BOOST_TEST(idle.expire(t0 + std::chrono::seconds(3), std::chrono::seconds(5)) == 0u);
    // At 10 s with a 5 s timeout: the ones put at 0 and 4 s go, the one at 8 s stays.
    BOOST_TEST(idle.expire(t0 + std::chrono::seconds(10), std::chrono::seconds(5)) == 2u);
    BOOST_TEST(idle.size() == 1u);
    BOOST_TEST(s.closed(ports[0]));
    BOOST_TEST(s.closed(ports[1]));
    BOOST_TEST(!s.closed(ports[2]));
    auto t = idle.take();
    BOOST_TEST_REQUIRE(t.has_value());
    BOOST_TEST(port_of(*t) == ports[2]);
}

BOOST_AUTO_TEST_CASE(at_the_cap_a_connection_put_back_is_closed) {
    sockets s;
    idle_connections idle;
    idle.limit(2);
    const auto ports = put_new(s, idle, 3);
    BOOST_TEST(idle.size() == 2u);
    BOOST_TEST(s.closed(ports[2]));
    BOOST_TEST(!s.closed(ports[0]));
    // A lower cap (a reload) closes the oldest beyond it.
    idle.limit(1);
    BOOST_TEST(idle.size() == 1u);
    BOOST_TEST(s.closed(ports[0]));
    BOOST_TEST(!s.closed(ports[1]));
    // No cap at all: nothing is kept.
    idle.limit(0);
    BOOST_TEST(idle.size() == 0u);
    BOOST_TEST(s.closed(ports[1]));
}

BOOST_AUTO_TEST_CASE(the_ring_grows_in_order_when_its_oldest_is_not_first) {
    sockets s;
    idle_connections idle;
    idle.limit(100);
    const auto t0 = clock_type::now();
    auto ports = put_new(s, idle, 4, t0, std::chrono::seconds(1)); // at 0..3 s: fills the first ring (4)
    BOOST_TEST(idle.expire(t0 + std::chrono::seconds(2), std::chrono::seconds(1)) == 2u);
    // At 4..10 s: wraps around, then grows twice.
    const auto later = put_new(s, idle, 7, t0 + std::chrono::seconds(4), std::chrono::seconds(1));
    ports.insert(ports.end(), later.begin(), later.end());
    BOOST_TEST(idle.size() == 9u);
    // Age still decides across the growth: at 7 s the ones put at 2..6 s go.
    BOOST_TEST(idle.expire(t0 + std::chrono::seconds(7), std::chrono::seconds(1)) == 5u);
    for (std::size_t i = 10; i >= 7; --i) {
        auto t = idle.take();
        BOOST_TEST_REQUIRE(t.has_value());
        BOOST_TEST(port_of(*t) == ports[i]);
    }
    BOOST_TEST(idle.size() == 0u);
    idle.clear();
}

BOOST_AUTO_TEST_CASE(a_connection_the_server_closed_is_skipped_by_take) {
    sockets s;
    idle_connections idle;
    idle.limit(100);
    auto [kept, kept_port] = s.connect();
    auto [gone, gone_port] = s.connect();
    // Put back long enough ago that take() checks them.
    const auto then = clock_type::now() - std::chrono::seconds(1);
    idle.put(std::move(kept), then);
    idle.put(std::move(gone), then);
    s.far.back().close(); // the server closed the newest
    auto t = idle.take();
    BOOST_TEST_REQUIRE(t.has_value());
    BOOST_TEST(port_of(*t) == kept_port);
    BOOST_TEST(idle.size() == 0u);
    (void)gone_port;
}

BOOST_AUTO_TEST_SUITE_END()
