// The parking lot owns what it parks: a TLS connection's OpenSSL state is
// freed with its descriptor, whether the connection is closed by a drain
// (close_all) or still parked when the worker's lot is destroyed.
#include <atomic>
#include <chrono>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/test/unit_test.hpp>

#include <openssl/crypto.h>
#include <openssl/ssl.h>

#include "gateway/io/parking.hpp"
#include "gateway/io/transport.hpp"

namespace net = boost::asio;
using tcp = net::ip::tcp;
using namespace gw;

namespace {

// Counts the SSL objects OpenSSL frees, through an ex_data free callback.
std::atomic<int> ssl_freed{0};
int freed_index() {
    static const int index = CRYPTO_get_ex_new_index(
        CRYPTO_EX_INDEX_SSL, 0, nullptr, nullptr, nullptr,
        [](void*, void*, CRYPTO_EX_DATA*, int, long, void*) { ++ssl_freed; });
    return index;
}

struct host final : parking_host {
    int closed = 0;
    void resume_parked(std::size_t, transport, parked_client) override {}
    void parked_closed(std::size_t, parked_client) noexcept override { ++closed; }
};

// A connected loopback pair whose accepted end carries a (never handshaken) SSL.
struct tls_pair {
    tcp::socket client;
    transport server;
    explicit tls_pair(net::io_context& ioc, SSL_CTX* ctx) : client(ioc), server(ioc.get_executor()) {
        tcp::acceptor a(ioc, {net::ip::make_address("127.0.0.1"), 0});
        client.connect(a.local_endpoint());
        server.socket() = a.accept();
        SSL* ssl = SSL_new(ctx);
        SSL_set_ex_data(ssl, freed_index(), ssl); // (any non-null value: the callback counts)
        server.start_tls(ssl);
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(parking_lot_suite)

BOOST_AUTO_TEST_CASE(parked_tls_state_is_freed_by_a_drain_and_by_the_lots_end) {
    SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
    net::io_context ioc;
    host h;
    config::timeouts_config t;
    const auto later = std::chrono::steady_clock::now() + std::chrono::hours(1);
    {
        parking_lot lot(ioc.get_executor(), h, t);
        tls_pair a(ioc, ctx), b(ioc, ctx);
        ssl_freed = 0;
        lot.park(std::move(a.server), 0, true, later, {});
        lot.park(std::move(b.server), 0, false, later, {});
        BOOST_TEST(lot.parked() == 2u);
        BOOST_TEST(ssl_freed == 0); // parked, kept
        lot.close_all();
        BOOST_TEST(ssl_freed == 2);
        BOOST_TEST(h.closed == 2);
    }
    {
        auto lot = std::make_unique<parking_lot>(ioc.get_executor(), h, t);
        tls_pair c(ioc, ctx);
        ssl_freed = 0;
        lot->park(std::move(c.server), 0, true, later, {});
        BOOST_TEST(ssl_freed == 0);
        lot.reset(); // the worker ends with the connection still parked
        BOOST_TEST(ssl_freed == 1);
    }
    SSL_CTX_free(ctx);
}

BOOST_AUTO_TEST_SUITE_END()
