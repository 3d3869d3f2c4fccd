// The body relays (gateway/relay/) driven on their own, without a session:
// a source and a sink on loopback sockets, the relay between them, bytes sent
// in pieces. What the sink receives is read back with the strict reader.
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <csignal>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "bench/corpus/strict_http.hpp"
#include "gateway/relay/body.hpp"
#include "gateway/relay/head_reader.hpp"
#include "test/gateway/swapping_buffer.hpp"

namespace net = boost::asio;
using tcp = net::ip::tcp;
using namespace gw;

namespace {

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

// Two connected loopback sockets.
std::pair<tcp::socket, tcp::socket> socket_pair(net::io_context& ioc) {
    tcp::acceptor a(ioc, {net::ip::make_address("127.0.0.1"), 0});
    tcp::socket client(ioc);
    client.connect(a.local_endpoint());
    tcp::socket server = a.accept();
    client.set_option(tcp::no_delay(true));
    server.set_option(tcp::no_delay(true));
    return {std::move(client), std::move(server)};
}

struct no_owner final : deadline::owner {
    void on_deadline() noexcept override {}
};

// One relay run: `input` written into the source in pieces of `piece` bytes
// (then closed when `close_source`), the head read and the body relayed to
// the sink, whose bytes are collected until it sees the relay's end.
struct run {
    net::io_context ioc{1};
    no_owner owner;
    deadline dl{ioc.get_executor(), owner};
    pipe_pool pipes;
    pool_buffer in;
    test::swapping_buffer held{in, 16384, 15 * 1024};
    std::uint64_t bytes_in = 0, bytes_out = 0, spliced = 0;
    std::optional<body_result> result;
    std::size_t head_size = 0;
    std::string front; // the buffer's first head_size bytes once the head was read
    std::string sink_bytes;
    std::size_t left_in_buffer = 0;
    bool sink_open = true;

    void go(const std::string& input, std::size_t piece, bool close_source, bool splice,
            bool close_sink_first = false) {
        std::signal(SIGPIPE, SIG_IGN); // as gateway/main.cpp: splice(2) has no MSG_NOSIGNAL
        auto [writer, from_socket] = socket_pair(ioc);
        auto [to_socket, reader] = socket_pair(ioc);
        transport from(std::move(from_socket)), to(std::move(to_socket));
        sink_open = !close_sink_first;
        if (close_sink_first)
            reader.close();
        net::co_spawn(ioc, write_pieces(writer, input, piece, close_source), net::detached);
        net::co_spawn(ioc, relay(from, to, splice), net::detached);
        if (!close_sink_first)
            net::co_spawn(ioc, drain(reader), net::detached);
        ioc.run_for(std::chrono::seconds(10));
    }

    net::awaitable<void> write_pieces(tcp::socket& w, std::string input, std::size_t piece,
                                      bool close) {
        net::steady_timer t(w.get_executor());
        for (std::size_t at = 0; at < input.size(); at += piece) {
            const auto n = std::min(piece, input.size() - at);
            auto [ec, k] = co_await net::async_write(w, net::buffer(input.data() + at, n), use_tuple);
            if (ec)
                break;
            t.expires_after(std::chrono::milliseconds(1));
            co_await t.async_wait(use_tuple);
        }
        if (close)
            w.shutdown(tcp::socket::shutdown_send);
        // (keeps the socket open otherwise until the run ends)
        t.expires_after(std::chrono::seconds(30));
        co_await t.async_wait(use_tuple);
    }

    net::awaitable<void> relay(transport& from, transport& to, bool splice) {
        request_parser p;
        p.header_limit(15 * 1024);
        p.body_limit(boost::none);
        dl.start();
        auto [ec, n] = co_await read_head(from, in, p);
        head_size = n;
        front = std::string(held.data(), n); // (the body's bytes may go there next)
        if (!ec) {
            const leg l{&from, &to, &in, &held, 15 * 1024, 1024, &dl,
                        std::chrono::seconds(5), deadline_kind::client_head, std::chrono::seconds(5),
                        &bytes_in, &bytes_out, splice ? &pipes : nullptr, &spliced};
            result = co_await relay_body(p, l);
        }
        left_in_buffer = in.size();
        to.close(true); // the sink sees the end
        co_await dl.stop();
        if (!sink_open)
            ioc.stop(); // (else the sink's drain stops the run at its end of stream)
    }

    net::awaitable<void> drain(tcp::socket& r) {
        char buf[65536];
        for (;;) {
            auto [ec, n] = co_await r.async_read_some(net::buffer(buf), use_tuple);
            sink_bytes.append(buf, n);
            if (ec)
                break;
        }
        ioc.stop();
    }
};

std::string post_head(std::size_t length) {
    return "POST /up HTTP/1.1\r\nHost: relay.test\r\nContent-Length: " + std::to_string(length) +
           "\r\n\r\n";
}

} // namespace

BOOST_AUTO_TEST_SUITE(relay_suite)

BOOST_AUTO_TEST_CASE(a_content_length_body_goes_whole_and_stops_at_its_end) {
    for (std::size_t piece : {1u, 7u, 4096u}) {
        run r;
        const std::string next = "GET /next HTTP/1.1\r\nHost: relay.test\r\n\r\n";
        r.go(post_head(10) + "0123456789" + next, piece, false, false);
        BOOST_REQUIRE(r.result);
        BOOST_TEST((r.result->stage == body_result::failed::nothing), "piece " << piece);
        const auto got = corpus::parse_requests(r.sink_bytes);
        BOOST_TEST(got.oddities.empty());
        BOOST_REQUIRE_EQUAL(got.messages.size(), 1u);
        BOOST_TEST(got.messages[0].body == "0123456789");
        BOOST_TEST(got.consumed == r.sink_bytes.size()); // nothing of the next request
        BOOST_TEST(r.bytes_out == r.sink_bytes.size());
    }
}

BOOST_AUTO_TEST_CASE(pipelined_bytes_that_arrived_with_the_body_stay_in_the_buffer) {
    run r;
    const std::string next = "GET /next HTTP/1.1\r\nHost: relay.test\r\n\r\n";
    r.go(post_head(10) + "0123456789" + next, 4096, false, false);
    BOOST_REQUIRE(r.result);
    BOOST_TEST(r.left_in_buffer == next.size());
}

BOOST_AUTO_TEST_CASE(a_chunked_body_is_rechunked_and_forbidden_trailers_are_dropped) {
    run r;
    const std::string input = "POST /up HTTP/1.1\r\nHost: relay.test\r\nTransfer-Encoding: chunked\r\n\r\n"
                              "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Sum: 1\r\nHost: evil.test\r\n"
                              "Cookie: a=b\r\n\r\n";
    r.go(input, 5, false, false);
    BOOST_REQUIRE(r.result);
    BOOST_TEST((r.result->stage == body_result::failed::nothing));
    const auto got = corpus::parse_requests(r.sink_bytes);
    BOOST_TEST(got.oddities.empty(), (got.oddities.empty() ? "" : got.oddities.front()));
    BOOST_REQUIRE_EQUAL(got.messages.size(), 1u);
    BOOST_TEST(got.messages[0].body == "hello world");
    BOOST_REQUIRE_EQUAL(got.messages[0].trailers.size(), 1u);
    BOOST_TEST(got.messages[0].trailers[0].name == "X-Sum");
    // The chunks came 5 bytes at a time: the buffer went back between them.
    BOOST_TEST(r.held.given_back > 0);
}

// Beast reads a trailer's Content-Length as a second framing field: the body
// ends there as a read failure (the session closes), never relayed.
BOOST_AUTO_TEST_CASE(a_content_length_trailer_ends_the_relay) {
    run r;
    r.go("POST /up HTTP/1.1\r\nHost: relay.test\r\nTransfer-Encoding: chunked\r\n\r\n"
         "5\r\nhello\r\n0\r\nContent-Length: 99\r\n\r\n",
         4096, false, false);
    BOOST_REQUIRE(r.result);
    BOOST_TEST((r.result->stage == body_result::failed::read));
    BOOST_TEST(r.sink_bytes.find("Content-Length: 99") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_source_that_closes_early_is_a_read_failure) {
    for (bool splice : {false, true}) {
        run r;
        r.go(post_head(100000) + std::string(20000, 'x'), 4096, true, splice);
        BOOST_REQUIRE(r.result);
        BOOST_TEST((r.result->stage == body_result::failed::read), "splice " << splice);
        // What arrived went on; nothing more was invented.
        BOOST_TEST(r.sink_bytes.size() <= post_head(100000).size() + 20000 + 200);
    }
}

BOOST_AUTO_TEST_CASE(a_sink_that_is_gone_is_a_write_failure) {
    for (bool splice : {false, true}) {
        run r;
        r.go(post_head(8 << 20) + std::string(8 << 20, 'y'), 1 << 20, false, splice,
             /*close_sink_first=*/true);
        BOOST_REQUIRE(r.result);
        BOOST_TEST((r.result->stage == body_result::failed::write), "splice " << splice);
    }
}

BOOST_AUTO_TEST_CASE(a_large_body_moves_with_splice_byte_for_byte) {
    run r;
    std::string body(1 << 20, '\0');
    for (std::size_t i = 0; i < body.size(); ++i)
        body[i] = static_cast<char>('a' + i % 26);
    r.go(post_head(body.size()) + body, 65536, false, true);
    BOOST_REQUIRE(r.result);
    BOOST_TEST((r.result->stage == body_result::failed::nothing));
    const auto got = corpus::parse_requests(r.sink_bytes);
    BOOST_REQUIRE_EQUAL(got.messages.size(), 1u);
    BOOST_TEST((got.messages[0].body == body));
    BOOST_TEST(r.spliced > 0u);
}

// Issue 17: a relay waiting for bytes with an empty buffer gives it back and
// takes one again when they come (the test's buffer hands out other memory
// each time and scribbles over what went back: stale pointers would show).
BOOST_AUTO_TEST_CASE(a_trickling_body_holds_no_buffer_while_it_waits) {
    std::string body(3000, '\0');
    for (std::size_t i = 0; i < body.size(); ++i)
        body[i] = static_cast<char>('a' + i % 26);
    run r;
    r.go(post_head(body.size()) + body, 100, false, false);
    BOOST_REQUIRE(r.result);
    BOOST_TEST((r.result->stage == body_result::failed::nothing));
    const auto got = corpus::parse_requests(r.sink_bytes);
    BOOST_REQUIRE_EQUAL(got.messages.size(), 1u);
    BOOST_TEST((got.messages[0].body == body));
    // 30 pieces 1 ms apart: most reads found nothing and waited without it.
    BOOST_TEST(r.held.given_back >= 10);
    BOOST_TEST(r.held.taken == r.held.given_back); // it ended holding the last piece's
    BOOST_TEST(r.held.cancelled == 0);
}

BOOST_AUTO_TEST_CASE(a_spliced_body_gives_its_buffer_back_and_takes_none) {
    run r;
    const std::string body(1 << 20, 's');
    r.go(post_head(body.size()) + body, 65536, false, true);
    BOOST_REQUIRE(r.result);
    BOOST_TEST((r.result->stage == body_result::failed::nothing));
    BOOST_TEST(r.spliced > 0u);
    BOOST_TEST(r.held.given_back == 1);
    BOOST_TEST(r.held.taken == 0);
}

BOOST_AUTO_TEST_CASE(a_head_arriving_byte_by_byte_is_read_whole_at_the_front) {
    run r;
    const std::string head = post_head(3);
    r.go(head + "abc", 1, false, false);
    BOOST_REQUIRE(r.result);
    BOOST_TEST(r.head_size == head.size());
    BOOST_TEST(r.front == head);
}

BOOST_AUTO_TEST_SUITE_END()
