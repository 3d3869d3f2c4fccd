// The exchange driven on its own: a session over the in-memory test transport
// (test/gateway/memory_stream), its server connections opened in memory by a
// test dialer, a scripted server behind them. No socket, no worker, no
// thread: reads and writes of a few bytes, servers that close early, and an
// error at every operation in turn on either side. Whatever happens the
// session ends by itself, gives its server slot and every buffer back, and
// the client gets the right bytes, a prefix of them, or the right error reply.
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "alloc/pool_shard.hpp"
#include "bench/corpus/strict_http.hpp"
#include "config/load.hpp"
#include "gateway/proxy/context.hpp"
#include "gateway/proxy/session.hpp"
#include "test/gateway/memory_stream.hpp"

namespace net = boost::asio;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;
using namespace gw;

namespace {

enum class server_mode { answer, close_before_answer, close_mid_body };

const std::string server_body = "hello from the server";

// The scripted server: answers each whole request it reads, or misbehaves.
// (noinline: g++ 12 inlines the coroutine's ramp into the dialer's frame and
// then misreads the frame's deallocation as -Wmismatched-new-delete.)
[[gnu::noinline]] net::awaitable<void> serve_script(transport t, server_mode mode, std::string* received) {
    std::string in;
    char buf[4096];
    std::size_t answered = 0;
    for (;;) {
        const auto got = corpus::parse_requests(in);
        while (answered < got.messages.size()) {
            ++answered;
            if (mode == server_mode::close_before_answer) {
                t.close();
                co_return;
            }
            std::string out = "HTTP/1.1 200 OK\r\nContent-Length: ";
            if (mode == server_mode::close_mid_body) {
                out += "1000\r\n\r\n0123456789";
                co_await t.write({net::buffer(out), net::const_buffer()}, false);
                t.close();
                co_return;
            }
            out += std::to_string(server_body.size()) + "\r\n\r\n" + server_body;
            auto [ec, n] = co_await t.write({net::buffer(out), net::const_buffer()}, false);
            if (ec)
                co_return;
        }
        auto [ec, n] = co_await t.read_some(net::buffer(buf));
        in.append(buf, n);
        *received = in;
        if (ec)
            co_return;
    }
}

// Opens server connections in memory, each to a new scripted server.
struct memory_dialer final : server_dialer {
    explicit memory_dialer(net::io_context& c) : ioc(c) {}
    net::awaitable<error_code> dial(transport& t, const tcp::endpoint&) override {
        ++dials;
        if (refuse)
            co_return net::error::connection_refused;
        auto s = test::make_memory_streams(ioc.get_executor());
        s.near_plan->read_max = read_max;
        s.near_plan->write_max = write_max;
        s.near_plan->fail_at = fail_at;
        plan = s.near_plan;
        t.reset(std::move(s.near));
        received.emplace_back();
        net::co_spawn(ioc,
                      serve_script(transport(ioc.get_executor(), std::move(s.far)), mode,
                                   &received.back()),
                      net::detached);
        co_return error_code{};
    }
    net::io_context& ioc;
    server_mode mode = server_mode::answer;
    bool refuse = false;
    std::size_t read_max = 1 << 20, write_max = 1 << 20, fail_at = 0; // the session's end
    std::shared_ptr<test::fault_plan> plan;
    std::deque<std::string> received; // what each server connection read
    std::string all_received() const {
        std::string out;
        for (const auto& r : received)
            out += r;
        return out;
    }
    std::size_t dials = 0;
};

std::shared_ptr<const config::gateway_config> test_config() {
    auto r = config::load_string("[global]\nworkers = 1\n[admin]\nenabled = false\n"
                                 "[timeouts]\nclient_park = \"1h\"\n"
                                 "[[listeners]]\nname = \"http\"\nlisten = \"127.0.0.1:0\"\n"
                                 "default_backend = \"app\"\n"
                                 "[[backends]]\nname = \"app\"\n"
                                 "[[backends.servers]]\naddress = \"127.0.0.1:9\"\n",
                                 "exchange_test.toml");
    BOOST_REQUIRE(r.config);
    return r.config;
}

alloc::pool_limits limits_of(const config::gateway_config& c) {
    alloc::pool_limits l;
    l.buffer_size = c.buffers.size;
    return l;
}

// A worker's worth of context for one session, on one io_context.
struct fixture final : session_host, parking_host {
    net::io_context ioc{1};
    std::shared_ptr<const config::gateway_config> cfg = test_config();
    // The one generation: its backend at 127.0.0.1:9, which the memory dialer answers.
    std::shared_ptr<generation> gen = make_generation(cfg);
    worker_counters counters{1, 1};
    alloc::pool_shard shard{limits_of(*cfg)};
    pipe_pool pipes;
    parking_lot parking{ioc.get_executor(), *this, cfg->timeouts};
    access_log log{false, false};
    memory_dialer dialer{ioc};
    proxy_context ctx{generation_holder(gen), {0, &dialer}, shard, pipes, parking, counters, log, *this};
    std::size_t live = 0, closed = 0;
    bool ended = false;
    std::string client_got;
    bool client_eof = false;
    std::shared_ptr<test::fault_plan> client_plan;

    static std::shared_ptr<generation> make_generation(std::shared_ptr<const config::gateway_config> c) {
        auto g = std::make_shared<generation>(c, 1);
        g->backends.push_back(std::make_shared<backend_state>(
            c->backends[0], std::vector<tcp::endpoint>{{net::ip::make_address("127.0.0.1"), 9}}));
        g->tls.resize(c->listeners.size());
        g->upstream_tls.resize(c->backends.size());
        for (std::size_t l = 0; l < c->listeners.size(); ++l) { // (slot l: listener l)
            g->slots.push_back(l);
            g->listener_at.push_back(l);
        }
        return g;
    }

    // session_host
    void add(session_link&) noexcept override { ++live; }
    void remove(session_link&) noexcept override { --live; }
    void connection_closed(std::size_t) override { ++closed; }
    bool draining() const noexcept override { return false; }
    // parking_host (nothing parks: client_park is an hour)
    void resume_parked(std::size_t, transport, parked_client) override {}
    void parked_closed(std::size_t, parked_client) noexcept override {}

    // The client writes `requests` at once, reads until it has `methods.size()`
    // final responses or the end, then closes; the session runs until it ends.
    void go(const std::string& requests, std::vector<std::string> methods,
            std::size_t read_max = 1 << 20, std::size_t write_max = 1 << 20, std::size_t fail_at = 0) {
        auto c = test::make_memory_pair(ioc.get_executor());
        c.near_plan->read_max = read_max;
        c.near_plan->write_max = write_max;
        c.near_plan->fail_at = fail_at;
        client_plan = c.near_plan;
        net::co_spawn(ioc, run_session(ctx, 0, std::move(c.near)),
                      [this](std::exception_ptr) {
                          ended = true;
                          ioc.stop(); // (the parking lot's watch would keep it running)
                      });
        net::co_spawn(ioc, client(std::move(c.far), requests, std::move(methods)), net::detached);
        ioc.run_for(std::chrono::seconds(10));
        ioc.restart();
        ioc.poll(); // the client sees the end the session left it
    }

    net::awaitable<void> client(transport t, std::string requests, std::vector<std::string> methods) {
        co_await t.write({net::buffer(requests), net::const_buffer()}, false);
        char buf[4096];
        while (corpus::parse_responses(client_got, methods, false).messages.size() < methods.size()) {
            auto [ec, n] = co_await t.read_some(net::buffer(buf));
            client_got.append(buf, n);
            if (ec) {
                client_eof = true;
                break;
            }
        }
        t.close();
    }

    std::vector<corpus::message> responses() const {
        return corpus::parse_responses(client_got, {"GET", "POST"}, client_eof).messages;
    }

    // What must hold after every run, whatever went wrong.
    void check_clean_end(const std::string& what) {
        BOOST_TEST(ended, what << ": the session did not end by itself");
        BOOST_TEST(live == 0u, what);
        BOOST_TEST(closed == 1u, what);
        BOOST_TEST(shard.stats().used == 0u, what << ": a buffer was not given back");
        BOOST_TEST(gen->backends[0]->server(0).active.load() == 0u, what << ": the server slot was kept");
    }
};

const std::string get_request = "GET /a HTTP/1.1\r\nHost: app.test\r\n\r\n";
const std::string post_request =
    "POST /b HTTP/1.1\r\nHost: app.test\r\nContent-Length: 11\r\n\r\nhello world";

} // namespace

BOOST_AUTO_TEST_SUITE(exchange_suite)

BOOST_AUTO_TEST_CASE(two_requests_cross_in_pieces_and_the_connection_stays_open) {
    for (std::size_t piece : {1u, 3u, 1u << 20}) {
        fixture f;
        f.dialer.read_max = f.dialer.write_max = piece;
        f.go(get_request + post_request, {"GET", "POST"}, piece, piece);
        const auto got = f.responses();
        BOOST_REQUIRE_EQUAL(got.size(), 2u);
        for (const auto& m : got) {
            BOOST_TEST(m.status == 200u);
            BOOST_TEST(m.body == server_body);
        }
        const auto sent = corpus::parse_requests(f.dialer.all_received());
        BOOST_REQUIRE_EQUAL(sent.messages.size(), 2u);
        BOOST_TEST(sent.messages[1].body == "hello world");
        BOOST_TEST(sent.messages[0].get("X-Request-Id").has_value());
        BOOST_TEST(f.dialer.dials == 2u); // (connections of this kind are not pooled)
        f.check_clean_end("piece " + std::to_string(piece));
    }
}

BOOST_AUTO_TEST_CASE(a_server_that_closes_before_answering_gets_502) {
    fixture f;
    f.dialer.mode = server_mode::close_before_answer;
    f.go(get_request, {"GET"});
    const auto got = f.responses();
    BOOST_REQUIRE_EQUAL(got.size(), 1u);
    BOOST_TEST(got[0].status == 502u);
    f.check_clean_end("close before answer");
}

BOOST_AUTO_TEST_CASE(a_server_that_closes_mid_body_closes_the_client) {
    fixture f;
    f.dialer.mode = server_mode::close_mid_body;
    f.go(get_request, {"GET"});
    BOOST_TEST(f.client_eof);
    BOOST_TEST(f.responses().empty()); // the 1000-byte body never completes
    BOOST_TEST(f.client_got.find("0123456789") != std::string::npos);
    f.check_clean_end("close mid body");
}

BOOST_AUTO_TEST_CASE(a_refused_connect_gets_502) {
    fixture f;
    f.dialer.refuse = true;
    f.go(get_request, {"GET"});
    const auto got = f.responses();
    BOOST_REQUIRE_EQUAL(got.size(), 1u);
    BOOST_TEST(got[0].status == 502u);
    f.check_clean_end("refused");
}

BOOST_AUTO_TEST_CASE(an_error_at_every_server_operation_ends_cleanly) {
    fixture clean;
    clean.dialer.read_max = clean.dialer.write_max = 5;
    clean.go(get_request + post_request, {"GET", "POST"});
    BOOST_REQUIRE_EQUAL(clean.responses().size(), 2u);
    const std::size_t total = clean.dialer.plan->operations;
    BOOST_TEST_MESSAGE("server operations of the last exchange: " << total);
    BOOST_TEST(total > 3u);
    for (std::size_t n = 1; n <= total; ++n) {
        fixture f;
        f.dialer.read_max = f.dialer.write_max = 5;
        f.dialer.fail_at = n;
        f.go(get_request + post_request, {"GET", "POST"});
        const std::string what = "server operation " + std::to_string(n);
        f.check_clean_end(what);
        // Each response is the server's, or a 502 after which nothing follows.
        const auto got = f.responses();
        for (std::size_t i = 0; i < got.size(); ++i) {
            BOOST_TEST((got[i].status == 200u || got[i].status == 502u), what);
            if (got[i].status == 502u)
                BOOST_TEST(i + 1 == got.size(), what);
        }
    }
}

BOOST_AUTO_TEST_CASE(an_error_at_every_client_operation_ends_cleanly) {
    fixture clean;
    clean.go(get_request + post_request, {"GET", "POST"}, 4, 4);
    BOOST_REQUIRE_EQUAL(clean.responses().size(), 2u);
    const std::size_t total = clean.client_plan->operations;
    BOOST_TEST_MESSAGE("client operations: " << total);
    BOOST_TEST(total > 3u);
    for (std::size_t n = 1; n <= total; ++n) {
        fixture f;
        f.go(get_request + post_request, {"GET", "POST"}, 4, 4, n);
        const std::string what = "client operation " + std::to_string(n);
        f.check_clean_end(what);
        // What the client got is the clean run's bytes cut short (or whole).
        BOOST_TEST(clean.client_got.compare(0, f.client_got.size(), f.client_got) == 0, what);
    }
}

BOOST_AUTO_TEST_SUITE_END()
