// The relays over the test transport (test/gateway/memory_stream): reads and
// writes of a few bytes at a time, an error at every operation in turn on
// either side, a source that closes early, a sink that is gone. Whatever
// happens, the relay ends (never hangs), says which side failed, and what
// reached the sink is a prefix of the right bytes, never more.
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <optional>
#include <string>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "bench/corpus/strict_http.hpp"
#include "gateway/relay/body.hpp"
#include "gateway/relay/head_reader.hpp"
#include "test/gateway/memory_stream.hpp"
#include "test/gateway/swapping_buffer.hpp"

namespace net = boost::asio;
using namespace gw;

namespace {

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

struct no_owner final : deadline::owner {
    void on_deadline() noexcept override {}
};

struct faults {
    std::size_t read_max = 1 << 20, write_max = 1 << 20;
    std::size_t source_fail_at = 0, sink_fail_at = 0; // operations of the relay's two ends
    bool close_source = true;                         // the peer writes all, then closes
    bool sink_gone = false;                           // the sink closed before anything
};

// One relay over two memory pairs: the test writes `input` into the source's
// far end, the relay reads the head and relays the body to the sink, whose far
// end the test reads until the relay closes it.
struct memory_run {
    net::io_context ioc{1};
    no_owner owner;
    deadline dl{ioc.get_executor(), owner};
    pool_buffer in;
    test::swapping_buffer held{in, 16384, 15 * 1024};
    std::uint64_t bytes_in = 0, bytes_out = 0, spliced = 0;
    std::optional<boost::system::error_code> head_error;
    std::optional<body_result> result;
    std::string sink_bytes;
    std::size_t source_operations = 0, sink_operations = 0;
    bool source_failed = false, sink_failed = false;

    void go(const std::string& input, const faults& f) {
        auto src = test::make_memory_pair(ioc.get_executor());
        auto snk = test::make_memory_pair(ioc.get_executor());
        src.near_plan->read_max = f.read_max;
        src.near_plan->fail_at = f.source_fail_at;
        snk.near_plan->write_max = f.write_max;
        snk.near_plan->fail_at = f.sink_fail_at;
        if (f.sink_gone)
            snk.far.close();
        net::co_spawn(ioc, feed(src.far, input, f.close_source), net::detached);
        net::co_spawn(ioc, relay(src.near, snk.near), net::detached);
        if (!f.sink_gone)
            net::co_spawn(ioc, collect(snk.far), net::detached);
        ioc.run_for(std::chrono::seconds(10));
        source_operations = src.near_plan->operations;
        sink_operations = snk.near_plan->operations;
        source_failed = src.near_plan->failed;
        sink_failed = snk.near_plan->failed;
    }

    static net::awaitable<void> feed(transport& t, std::string input, bool close) {
        co_await t.write({net::buffer(input), net::const_buffer()}, false);
        if (close)
            t.close();
    }

    net::awaitable<void> relay(transport& from, transport& to) {
        request_parser p;
        p.header_limit(15 * 1024);
        p.body_limit(boost::none);
        dl.start();
        auto [ec, n] = co_await read_head(from, in, p);
        head_error = ec;
        if (!ec) {
            const leg l{&from, &to, &in, &held, 15 * 1024, 1024, &dl,
                        std::chrono::seconds(5), deadline_kind::client_head, std::chrono::seconds(5),
                        &bytes_in, &bytes_out, nullptr, &spliced};
            result = co_await relay_body(p, l);
        }
        to.close(); // the sink sees the end
        from.close();
        co_await dl.stop();
    }

    net::awaitable<void> collect(transport& t) {
        char buf[4096];
        for (;;) {
            auto [ec, n] = co_await t.read_some(net::buffer(buf));
            sink_bytes.append(buf, n);
            if (ec)
                break;
        }
        ioc.stop();
    }
};

const std::string chunked_input =
    "POST /up HTTP/1.1\r\nHost: relay.test\r\nTransfer-Encoding: chunked\r\n\r\n"
    "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Sum: 1\r\n\r\n";

std::string length_input(std::size_t n) {
    std::string body(n, '\0');
    for (std::size_t i = 0; i < n; ++i)
        body[i] = static_cast<char>('a' + i % 26);
    return "POST /up HTTP/1.1\r\nHost: relay.test\r\nContent-Length: " + std::to_string(n) +
           "\r\n\r\n" + body;
}

// The body the strict reader finds in what reached the sink ("" if none whole).
std::string body_at_sink(const memory_run& r) {
    const auto got = corpus::parse_requests(r.sink_bytes);
    return got.messages.size() == 1 ? got.messages[0].body : std::string();
}

} // namespace

BOOST_AUTO_TEST_SUITE(memory_relay)

BOOST_AUTO_TEST_CASE(reads_and_writes_of_a_few_bytes_move_every_body_whole) {
    for (std::size_t read_max : {1u, 3u, 64u})
        for (std::size_t write_max : {1u, 5u, 1000u}) {
            memory_run a;
            a.go(length_input(3000), {read_max, write_max});
            BOOST_REQUIRE(a.result);
            BOOST_TEST((a.result->stage == body_result::failed::nothing),
                       "read " << read_max << " write " << write_max);
            BOOST_TEST(body_at_sink(a) == length_input(3000).substr(length_input(3000).size() - 3000));
            BOOST_TEST(a.bytes_out == a.sink_bytes.size());

            memory_run c;
            c.go(chunked_input, {read_max, write_max});
            BOOST_REQUIRE(c.result);
            BOOST_TEST((c.result->stage == body_result::failed::nothing));
            BOOST_TEST(body_at_sink(c) == "hello world");
        }
}

// An error at the Nth operation of the source, for every N the whole relay
// takes: a read failure (or a head error), never a hang, never a write failure.
BOOST_AUTO_TEST_CASE(an_error_at_every_source_operation_is_a_read_failure) {
    for (const std::string& input : {length_input(2000), chunked_input}) {
        memory_run clean;
        clean.go(input, {7, 1 << 20});
        BOOST_REQUIRE(clean.result);
        const std::size_t total = clean.source_operations;
        BOOST_TEST_MESSAGE("source operations: " << total);
        BOOST_TEST(total > 3u);
        for (std::size_t n = 1; n <= total; ++n) {
            memory_run r;
            faults f{7, 1 << 20};
            f.source_fail_at = n;
            r.go(input, f);
            BOOST_REQUIRE_MESSAGE(r.head_error.has_value(), "operation " << n << ": the relay hung");
            if (*r.head_error) {
                BOOST_TEST(!r.result.has_value());
                continue;
            }
            BOOST_REQUIRE_MESSAGE(r.result.has_value(), "operation " << n << ": the relay hung");
            // (The last operation may be a read that would have seen the end.)
            BOOST_TEST((r.result->stage != body_result::failed::write), "operation " << n);
            if (r.result->stage == body_result::failed::nothing)
                BOOST_TEST(body_at_sink(r) == body_at_sink(clean));
            BOOST_TEST(r.sink_bytes.size() <= clean.sink_bytes.size());
            BOOST_TEST(clean.sink_bytes.compare(0, r.sink_bytes.size(), r.sink_bytes) == 0,
                       "operation " << n << ": the sink got bytes that are not a prefix");
        }
    }
}

BOOST_AUTO_TEST_CASE(an_error_at_every_sink_operation_is_a_write_failure) {
    for (const std::string& input : {length_input(2000), chunked_input}) {
        memory_run clean;
        clean.go(input, {1 << 20, 9});
        BOOST_REQUIRE(clean.result);
        const std::size_t total = clean.sink_operations;
        BOOST_TEST_MESSAGE("sink operations: " << total);
        BOOST_TEST(total > 3u);
        for (std::size_t n = 1; n <= total; ++n) {
            memory_run r;
            faults f{1 << 20, 9};
            f.sink_fail_at = n;
            r.go(input, f);
            BOOST_REQUIRE_MESSAGE(r.result.has_value(), "operation " << n << ": the relay hung");
            BOOST_TEST((r.result->stage == body_result::failed::write), "operation " << n);
            BOOST_TEST(r.sink_failed);
            BOOST_TEST(clean.sink_bytes.compare(0, r.sink_bytes.size(), r.sink_bytes) == 0);
        }
    }
}

BOOST_AUTO_TEST_CASE(a_source_that_closes_early_is_a_read_failure) {
    const std::string whole = length_input(5000);
    for (std::size_t cut : {whole.size() - 5000 + 1, whole.size() - 2500, whole.size() - 1}) {
        memory_run r;
        r.go(whole.substr(0, cut), {13, 1 << 20});
        BOOST_REQUIRE(r.result);
        BOOST_TEST((r.result->stage == body_result::failed::read), "cut at " << cut);
        BOOST_TEST(r.sink_bytes.size() <= cut); // nothing invented
    }
}

BOOST_AUTO_TEST_CASE(a_sink_that_is_gone_is_a_write_failure) {
    memory_run r;
    faults f;
    f.sink_gone = true;
    r.go(length_input(3000), f);
    BOOST_REQUIRE(r.result);
    BOOST_TEST((r.result->stage == body_result::failed::write));
}

BOOST_AUTO_TEST_SUITE_END()
