// A backend riding out its servers' failures: passive health ejects a failing
// server while clients keep getting answers, ejects it again when it fails
// again, and takes it back once it serves; a passing health check ends an
// ejection early.
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <thread>
#include <vector>

#include "bench/origin/origin_server.hpp"
#include "test/integration/harness.hpp"

using namespace gw;
using namespace gw::test;
using namespace std::chrono_literals;

namespace {

// Clients on kept-alive connections asking until stopped; every answer counted.
class steady_load {
public:
    steady_load(std::uint16_t port, int clients) {
        for (int i = 0; i < clients; ++i)
            threads_.emplace_back([this, port] {
                client c(port);
                while (!stop_.load()) {
                    auto r = c.get("/?size=3");
                    if (r && r->result_int() == 200)
                        ++ok_;
                    else
                        ++failed_;
                    if (!r || !r->keep_alive())
                        return;
                }
            });
    }
    ~steady_load() { stop(); }
    void stop() {
        stop_ = true;
        for (auto& t : threads_)
            if (t.joinable())
                t.join();
    }
    int ok() const { return ok_.load(); }
    int failed() const { return failed_.load(); }

private:
    std::atomic<bool> stop_{false};
    std::atomic<int> ok_{0}, failed_{0};
    std::vector<std::thread> threads_;
};

} // namespace

BOOST_AUTO_TEST_SUITE(resilience)

BOOST_AUTO_TEST_CASE(a_failing_server_is_ejected_and_returns_under_load) {
    origins good(1);
    const std::uint16_t bad_port = closed_port();
    std::string cfg = basic_config({good.port(0), bad_port});
    cfg += "[backends.passive_health]\nfailures = 3\nejection = \"300ms\"\nmax_ejection = \"1200ms\"\n";
    running_gateway gw(load_config(cfg));
    auto& backend = *gw.get().shared().current()->backends[0];
    server_state& bad = backend.server(1);
    steady_load load(gw.port(), 3);

    // Its connects fail (each retried on the good server): ejected.
    BOOST_TEST(wait_until([&] { return bad.outlier.ejected(); }));
    const auto failures = bad.connect_failures.load();
    std::this_thread::sleep_for(100ms);
    const auto failures_later = bad.connect_failures.load();
    if (bad.outlier.ejected()) // (still within its 300 ms: nothing was sent its way)
        BOOST_TEST(failures_later == failures);
    // Back after its time, failing again: ejected again.
    BOOST_TEST(wait_until([&] { return bad.outlier.ejections_total() >= 2; }));

    // Now it serves: after its ejection it takes requests again.
    boost::asio::io_context ioc(1);
    bench::origin_server revived(ioc, "127.0.0.1", bad_port, {});
    revived.start();
    std::thread t([&] { ioc.run(); });
    BOOST_TEST(wait_until([&] { return bad.requests.load() >= 5; }));
    BOOST_TEST(!bad.outlier.ejected());
    load.stop();
    ioc.stop();
    t.join();
    BOOST_TEST(load.failed() == 0); // no client saw the failures
    BOOST_TEST(load.ok() > 0);
    const auto snap = gw.get().snapshot(); // (what /metrics shows as gateway_server_ejections_total)
    BOOST_TEST(snap.backends[0].servers[1].ejections >= 2u);
    BOOST_TEST(!snap.backends[0].servers[1].ejected);
}

BOOST_AUTO_TEST_CASE(a_passing_health_check_ends_an_ejection) {
    origins o(1);
    std::string cfg = basic_config({o.port(0)});
    cfg += "[backends.passive_health]\nfailures = 3\nejection = \"1h\"\ncount_server_errors = true\n"
           "[backends.health_check]\npath = \"/healthz\"\ninterval = \"50ms\"\ntimeout = \"40ms\"\nrise = 1\n";
    running_gateway gw(load_config(cfg));
    auto& server = gw.get().shared().current()->backends[0]->server(0);
    client c(gw.port());
    for (int i = 0; i < 3; ++i) { // 5xx from the server, relayed, and counted
        auto r = c.get("/?size=1&status=500");
        BOOST_REQUIRE(r);
        BOOST_TEST(r->result_int() == 500u);
    }
    // The one server is out (at least one may be)...
    BOOST_TEST(server.outlier.ejections_total() == 1u);
    // ... until its health check passes, long before the hour.
    BOOST_TEST(wait_until([&] { return !server.outlier.ejected(); }));
    auto r = c.get("/?size=1");
    BOOST_REQUIRE(r);
    BOOST_TEST(r->result_int() == 200u);
}

// Two servers, the first misbehaving (weight 100: nearly every first pick),
// the second a good origin; retry settings appended to the backend.
std::string two_servers(std::uint16_t bad, std::uint16_t good, const std::string& backend_extra) {
    return "[global]\nworkers = 1\n[admin]\nenabled = false\n[logging]\naccess_log = false\n"
           "[[listeners]]\nname = \"http\"\nlisten = \"127.0.0.1:0\"\ndefault_backend = \"app\"\n"
           "[[backends]]\nname = \"app\"\n" + backend_extra +
           "[[backends.servers]]\naddress = \"127.0.0.1:" + std::to_string(bad) + "\"\nweight = 100\n"
           "[[backends.servers]]\naddress = \"127.0.0.1:" + std::to_string(good) + "\"\n";
}

// The statuses of n GETs, each on a connection of its own (0: no answer).
std::vector<unsigned> statuses(std::uint16_t port, int n) {
    std::vector<unsigned> out;
    for (int i = 0; i < n; ++i)
        out.push_back(get_status(port, "/?size=3"));
    return out;
}

std::uint64_t request_retries(running_gateway& gw) {
    return gw.get().counters().backends[0].request_retries;
}

BOOST_AUTO_TEST_CASE(a_request_reset_before_its_response_is_retried_when_safe) {
    origins good(1);
    misbehaving_server bad(misbehaving_server::mode::reset_before_response);
    running_gateway gw(load_config(two_servers(bad.port(), good.port(0), "retry_header = \"Idempotency-Key\"\n")));
    auto& backend = *gw.get().shared().current()->backends[0];
    // Idempotent: every answer is the good server's, the failures retried there.
    for (int i = 0; i < 6; ++i) {
        client c(gw.port());
        auto r = c.get("/?size=4");
        BOOST_REQUIRE(r);
        BOOST_TEST(r->result_int() == 200u);
        BOOST_TEST(r->body() == pattern(4));
    }
    const auto hit_bad = static_cast<std::uint64_t>(bad.accepted());
    BOOST_TEST(hit_bad >= 1u);
    BOOST_TEST(request_retries(gw) == hit_bad);
    BOOST_TEST(backend.server(1).requests.load() == 6u);
    // A POST is not sent twice unless it says it may be.
    unsigned posts_502 = 0, keyed_200 = 0, whole_bodies_200 = 0, late_bodies_502 = 0;
    for (int i = 0; i < 6; ++i) {
        client c(gw.port());
        c.send("POST /?size=2 HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n");
        auto r = c.read();
        BOOST_REQUIRE(r);
        posts_502 += r->result_int() == 502u;
        client k(gw.port());
        k.send("POST /?size=2 HTTP/1.1\r\nHost: t\r\nIdempotency-Key: 7\r\nContent-Length: 0\r\n\r\n");
        r = k.read();
        BOOST_REQUIRE(r);
        keyed_200 += r->result_int() == 200u;
        // A body wholly in the request buffer is sent again from there...
        client b(gw.port());
        b.send("PUT /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello");
        r = b.read();
        BOOST_REQUIRE(r);
        whole_bodies_200 += r->result_int() == 200u && r->body() == "hello";
        // ... one that was still coming when the request went out is not.
        client late(gw.port());
        late.send("PUT /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\n");
        std::this_thread::sleep_for(100ms);
        late.send("hello");
        r = late.read();
        BOOST_REQUIRE(r);
        late_bodies_502 += r->result_int() == 502u;
    }
    BOOST_TEST(posts_502 >= 5u); // (the bad server has nearly every first pick)
    BOOST_TEST(keyed_200 == 6u);
    BOOST_TEST(whole_bodies_200 == 6u);
    BOOST_TEST(late_bodies_502 >= 5u);
}

BOOST_AUTO_TEST_CASE(a_retry_never_repeats_a_request_whose_response_started) {
    origins good(1);
    misbehaving_server bad(misbehaving_server::mode::reset_mid_response);
    running_gateway gw(load_config(two_servers(bad.port(), good.port(0), "retry_on = [\"reset\", \"502\", \"503\"]\n")));
    auto& backend = *gw.get().shared().current()->backends[0];
    unsigned whole = 0, cut = 0;
    for (int i = 0; i < 8; ++i) {
        client c(gw.port());
        c.send("GET /?size=1000 HTTP/1.1\r\nHost: t\r\n\r\n");
        auto r = c.read();
        if (r && r->result_int() == 200u && r->body() == pattern(1000))
            ++whole;
        else
            ++cut; // the head and 10 bytes came, then the close: nothing can be retried
    }
    BOOST_TEST(cut >= 7u);
    BOOST_TEST(whole + cut == 8u);
    BOOST_TEST(request_retries(gw) == 0u);
    BOOST_TEST(bad.accepted() == static_cast<int>(cut)); // each such request sent once
    BOOST_TEST(backend.server(1).requests.load() == whole);
}

BOOST_AUTO_TEST_CASE(a_late_head_and_a_503_are_retried_when_asked) {
    origins good(1);
    misbehaving_server silent(misbehaving_server::mode::never_answers);
    {
        running_gateway gw(load_config(
            two_servers(silent.port(), good.port(0), "retry_on = [\"timeout\"]\ntry_timeout = \"100ms\"\n")));
        BOOST_TEST(statuses(gw.port(), 4) == std::vector<unsigned>(4, 200u));
        BOOST_TEST(request_retries(gw) >= 1u);
    }
    bench::origin_options busy;
    busy.status = 503;
    origins unavailable(1, busy);
    running_gateway gw(load_config(two_servers(unavailable.port(0), good.port(0), "retry_on = [\"503\"]\n")));
    BOOST_TEST(statuses(gw.port(), 4) == std::vector<unsigned>(4, 200u));
    BOOST_TEST(request_retries(gw) >= 1u);
}

BOOST_AUTO_TEST_SUITE_END()
