// TLS listeners end to end (issue 14): real handshakes against the gateway
// in-process, with certificates made at test time, an OpenSSL client of the
// test's own, and curl and Python's ssl module as the clients users have.
#include "test/integration/harness.hpp"
#include "test/integration/tls_support.hpp"

#include <array>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include <boost/test/unit_test.hpp>

#include "bench/gwbench/load.hpp"
#include "gateway/app/tls_contexts.hpp"

using namespace gw::test;

namespace {

// A TLS listener (listener 0) over one origin; `tls` is the body of
// [listeners.tls] and its [[listeners.tls.certificates]] tables.
std::string tls_config(std::uint16_t origin, const std::string& tls, const std::string& extra = "") {
    return "[global]\nworkers = 2\n[admin]\nenabled = false\n" + extra +
           "[[listeners]]\nname = \"https\"\nlisten = \"127.0.0.1:0\"\ndefault_backend = \"app\"\n"
           "[listeners.tls]\n" + tls +
           "\n[[backends]]\nname = \"app\"\n[[backends.servers]]\naddress = \"127.0.0.1:" +
           std::to_string(origin) + "\"\n";
}

std::string certificate(const test_pki& pki, const std::string& stem) {
    return "[[listeners.tls.certificates]]\ncert = \"" + pki.path(stem + ".crt") + "\"\nkey = \"" +
           pki.path(stem + ".key") + "\"\n";
}

const std::string get_root = "GET /?size=5 HTTP/1.1\r\nHost: a.test\r\n\r\n";

std::string names_for(std::uint16_t port, const std::string& sni) {
    tls_client c(port, {.sni = sni});
    BOOST_TEST_REQUIRE(c.handshake_ok(), c.error());
    return c.peer_names();
}

// Whether listener 0's count of handshake failures for `why` reaches `n` soon
// (the gateway counts it on its worker after the client has seen the end).
bool counted(running_gateway& gw, gw::tls_failure why, std::uint64_t n) {
    return wait_until([&] { return gw.get().counters().listeners[0].tls_failures[static_cast<std::size_t>(why)] == n; });
}

// Runs a shell command, returning its exit status and standard output.
std::pair<int, std::string> run(const std::string& command) {
    std::string out;
    FILE* p = ::popen(command.c_str(), "r");
    BOOST_TEST_REQUIRE(p != nullptr);
    char buf[4096];
    while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
    const int status = ::pclose(p);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

} // namespace

BOOST_AUTO_TEST_SUITE(tls)

BOOST_AUTO_TEST_CASE(sni_picks_the_exact_name_then_a_one_label_wildcard_then_the_default) {
    test_pki pki;
    pki.issue("a", {"a.test", "www.a.test"});
    pki.issue("b", {"b.test"});
    pki.issue("w", {"*.w.test"});
    origins o(1);
    running_gateway gw(load_config(tls_config(
        o.port(0), certificate(pki, "a") + certificate(pki, "b") + certificate(pki, "w"))));
    const auto port = gw.port();
    BOOST_TEST(names_for(port, "a.test") == "a.test,www.a.test");
    BOOST_TEST(names_for(port, "WWW.A.TEST.") == "a.test,www.a.test"); // any case, a trailing dot
    BOOST_TEST(names_for(port, "b.test") == "b.test");
    BOOST_TEST(names_for(port, "x.w.test") == "*.w.test");
    BOOST_TEST(names_for(port, "y.x.w.test") == "a.test,www.a.test"); // two labels: not the wildcard
    BOOST_TEST(names_for(port, "w.test") == "a.test,www.a.test");     // the bare domain neither
    BOOST_TEST(names_for(port, "unknown.test") == "a.test,www.a.test");
    BOOST_TEST(names_for(port, "") == "a.test,www.a.test"); // no SNI: the default
    tls_client c(port, {.sni = "b.test", .ca = pki.ca()});
    BOOST_TEST_REQUIRE(c.handshake_ok(), c.error()); // the chain verifies against the CA
    BOOST_TEST(c.send(get_root));
    const auto r = c.read_response();
    BOOST_TEST(status_of(r) == 200);
    BOOST_TEST(body_of(r) == pattern(5));
}

BOOST_AUTO_TEST_CASE(an_rsa_and_an_ecdsa_certificate_for_the_same_names_serve_each_client_its_kind) {
    test_pki pki;
    pki.issue("rsa", {"a.test"}, "rsa");
    pki.issue("ec", {"a.test"}, "ec");
    origins o(1);
    running_gateway gw(load_config(tls_config(o.port(0), certificate(pki, "rsa") + certificate(pki, "ec"))));
    for (const char* sni : {"a.test", ""}) { // by name, and as the default
        tls_client ec(gw.port(), {.sni = sni, .sigalgs = "ECDSA+SHA256"});
        BOOST_TEST_REQUIRE(ec.handshake_ok(), ec.error());
        BOOST_TEST(ec.peer_key_type() == "ec");
        tls_client rsa(gw.port(), {.sni = sni, .sigalgs = "RSA-PSS+SHA256:RSA+SHA256"});
        BOOST_TEST_REQUIRE(rsa.handshake_ok(), rsa.error());
        BOOST_TEST(rsa.peer_key_type() == "rsa");
    }
}

BOOST_AUTO_TEST_CASE(a_session_ticket_resumes_on_any_worker) {
    test_pki pki;
    pki.issue("a", {"a.test"});
    origins o(1);
    running_gateway gw(load_config(tls_config(o.port(0), certificate(pki, "a"))));
    SSL_SESSION* session = nullptr;
    {
        tls_client first(gw.port(), {.sni = "a.test"});
        BOOST_TEST_REQUIRE(first.handshake_ok(), first.error());
        BOOST_TEST(first.send(get_root)); // (TLS 1.3 tickets come after the handshake)
        BOOST_TEST(status_of(first.read_response()) == 200);
        session = first.session();
    }
    // Two workers share the port (SO_REUSEPORT spreads connections by their
    // source port): 16 resumptions that all succeed land on both with
    // certainty but for 2^-15.
    int resumed = 0;
    for (int i = 0; i < 16; ++i) {
        tls_client again(gw.port(), {.sni = "a.test", .session = session});
        BOOST_TEST_REQUIRE(again.handshake_ok(), again.error());
        resumed += again.reused() ? 1 : 0;
        BOOST_TEST(again.send(get_root));
        BOOST_TEST(status_of(again.read_response()) == 200);
        SSL_SESSION_free(session);
        session = again.session(); // TLS 1.3 tickets are for one use
    }
    SSL_SESSION_free(session);
    BOOST_TEST(resumed == 16);
    const auto c = gw.get().counters();
    BOOST_TEST(c.listeners[0].tls_handshakes == 1u);
    BOOST_TEST(c.listeners[0].tls_resumed == 16u);
}

BOOST_AUTO_TEST_CASE(without_tickets_nothing_resumes) {
    test_pki pki;
    pki.issue("a", {"a.test"});
    origins o(1);
    running_gateway gw(load_config(tls_config(o.port(0), "session_tickets = false\n" + certificate(pki, "a"))));
    tls_client first(gw.port(), {.sni = "a.test"});
    BOOST_TEST_REQUIRE(first.handshake_ok());
    BOOST_TEST(first.send(get_root));
    BOOST_TEST(status_of(first.read_response()) == 200);
    SSL_SESSION* session = first.session();
    tls_client again(gw.port(), {.sni = "a.test", .session = session});
    BOOST_TEST(again.handshake_ok());
    BOOST_TEST(!again.reused());
    SSL_SESSION_free(session);
}

BOOST_AUTO_TEST_CASE(plain_http_on_a_tls_port_gets_400_and_is_counted) {
    test_pki pki;
    pki.issue("a", {"a.test"});
    origins o(1);
    running_gateway gw(load_config(tls_config(o.port(0), certificate(pki, "a"))));
    client c(gw.port());
    const auto r = c.get("/");
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(r->result_int() == 400);
    BOOST_TEST(r->body().find("HTTPS") != std::string::npos);
    BOOST_TEST(c.closed());
    const auto counts = gw.get().counters().listeners[0];
    BOOST_TEST(counts.tls_failures[static_cast<std::size_t>(gw::tls_failure::plain_http)] == 1u);
    BOOST_TEST(counts.responses_by_class[3] == 1u);
}

BOOST_AUTO_TEST_CASE(a_handshake_that_stalls_ends_at_client_head) {
    test_pki pki;
    pki.issue("a", {"a.test"});
    origins o(1);
    running_gateway gw(
        load_config(tls_config(o.port(0), certificate(pki, "a"), "[timeouts]\nclient_head = \"300ms\"\n")));
    client c(gw.port(), std::chrono::seconds(3));
    c.send(std::string("\x16\x03\x01\x00\xc8", 5)); // a record header promising a client hello
    const auto start = std::chrono::steady_clock::now();
    BOOST_TEST(c.closed());
    BOOST_TEST((std::chrono::steady_clock::now() - start < std::chrono::seconds(2)));
    BOOST_TEST(counted(gw, gw::tls_failure::timeout, 1));
}

BOOST_AUTO_TEST_CASE(a_client_below_min_version_fails_and_is_counted_as_protocol) {
    test_pki pki;
    pki.issue("a", {"a.test"});
    origins o(1);
    running_gateway gw(load_config(tls_config(o.port(0), "min_version = \"1.3\"\n" + certificate(pki, "a"))));
    tls_client old(gw.port(), {.sni = "a.test", .max_version = TLS1_2_VERSION});
    BOOST_TEST(!old.handshake_ok());
    tls_client current(gw.port(), {.sni = "a.test"});
    BOOST_TEST(current.handshake_ok());
    BOOST_TEST(current.version() == "TLSv1.3");
    BOOST_TEST(counted(gw, gw::tls_failure::protocol, 1));
}

BOOST_AUTO_TEST_CASE(requests_over_tls_say_https_and_bodies_cross_both_ways) {
    test_pki pki;
    pki.issue("a", {"a.test"});
    origins o(1);
    running_gateway gw(load_config(tls_config(o.port(0), certificate(pki, "a"))));
    tls_client c(gw.port(), {.sni = "a.test"});
    BOOST_TEST_REQUIRE(c.handshake_ok());
    BOOST_TEST(c.send("GET /echo-head HTTP/1.1\r\nHost: a.test\r\nX-Forwarded-Proto: http\r\n\r\n"));
    const auto head = body_of(c.read_response());
    BOOST_TEST(head.find("X-Forwarded-Proto: https\r\n") != std::string::npos, head);
    BOOST_TEST(head.find("X-Forwarded-Proto: http\r\n") == std::string::npos, head);
    // A response larger than the buffer and than a TLS record, on the same connection.
    BOOST_TEST(c.send("GET /?size=300000 HTTP/1.1\r\nHost: a.test\r\n\r\n"));
    const auto big = c.read_response();
    BOOST_TEST(status_of(big) == 200);
    BOOST_TEST((body_of(big) == pattern(300000)));
    // A request body larger than the buffer, echoed.
    const std::string body = pattern(200000);
    BOOST_TEST(c.send("POST /echo HTTP/1.1\r\nHost: a.test\r\nContent-Length: 200000\r\n\r\n" + body));
    const auto echoed = c.read_response();
    BOOST_TEST(status_of(echoed) == 200);
    BOOST_TEST((body_of(echoed) == body));
}

BOOST_AUTO_TEST_CASE(client_certificates_required) {
    test_pki pki;
    pki.issue("a", {"a.test"});
    pki.issue("alice", {"alice.client"});
    pki.issue("mallory", {"mallory.client"}, "ec", 30, true); // not from the CA
    origins o(1);
    running_gateway gw(load_config(tls_config(
        o.port(0), "client_ca = \"" + pki.ca() + "\"\nclient_subject_header = \"X-Client-Subject\"\n" +
                       certificate(pki, "a"))));
    {
        tls_client c(gw.port(), {.sni = "a.test", .cert = pki.path("alice.crt"), .key = pki.path("alice.key")});
        BOOST_TEST_REQUIRE(c.handshake_ok(), c.error());
        BOOST_TEST(c.send("GET /echo-head HTTP/1.1\r\nHost: a.test\r\nX-Client-Subject: CN=root\r\n\r\n"));
        const auto head = body_of(c.read_response());
        BOOST_TEST(head.find("X-Client-Subject: CN=alice.client\r\n") != std::string::npos, head);
        BOOST_TEST(head.find("CN=root") == std::string::npos, head);
    }
    for (const char* who : {"", "mallory"}) { // none, and one the CA did not sign
        tls_client_options opts{.sni = "a.test"};
        if (*who != '\0') {
            opts.cert = pki.path(std::string(who) + ".crt");
            opts.key = pki.path(std::string(who) + ".key");
        }
        tls_client c(gw.port(), opts);
        // In TLS 1.3 the client learns of the refusal on its first read.
        const bool served = c.handshake_ok() && c.send(get_root) && status_of(c.read_response()) == 200;
        BOOST_TEST(!served, who);
    }
    BOOST_TEST(counted(gw, gw::tls_failure::client_certificate, 2));
}

BOOST_AUTO_TEST_CASE(client_certificates_optional) {
    test_pki pki;
    pki.issue("a", {"a.test"});
    pki.issue("bob", {"bob.client"});
    origins o(1);
    running_gateway gw(load_config(tls_config(
        o.port(0), "client_ca = \"" + pki.ca() +
                       "\"\nclient_verify = \"optional\"\nclient_subject_header = \"X-Client-Subject\"\n" +
                       certificate(pki, "a"))));
    tls_client anonymous(gw.port(), {.sni = "a.test"});
    BOOST_TEST_REQUIRE(anonymous.handshake_ok(), anonymous.error());
    BOOST_TEST(anonymous.send("GET /echo-head HTTP/1.1\r\nHost: a.test\r\nX-Client-Subject: CN=bob.client\r\n\r\n"));
    const auto head = body_of(anonymous.read_response());
    BOOST_TEST(head.find("X-Client-Subject") == std::string::npos, head); // a forged one goes
    tls_client bob(gw.port(), {.sni = "a.test", .cert = pki.path("bob.crt"), .key = pki.path("bob.key")});
    BOOST_TEST_REQUIRE(bob.handshake_ok(), bob.error());
    BOOST_TEST(bob.send("GET /echo-head HTTP/1.1\r\nHost: a.test\r\n\r\n"));
    BOOST_TEST(body_of(bob.read_response()).find("X-Client-Subject: CN=bob.client\r\n") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_idle_tls_connection_parks_and_comes_back) {
    test_pki pki;
    pki.issue("a", {"a.test"});
    origins o(1);
    running_gateway gw(
        load_config(tls_config(o.port(0), certificate(pki, "a"), "[timeouts]\nclient_park = \"20ms\"\n")));
    std::vector<std::unique_ptr<tls_client>> clients;
    for (int i = 0; i < 20; ++i) {
        clients.push_back(std::make_unique<tls_client>(gw.port(), tls_client_options{.sni = "a.test"}));
        BOOST_TEST_REQUIRE(clients.back()->handshake_ok());
        BOOST_TEST(clients.back()->send(get_root));
        BOOST_TEST(status_of(clients.back()->read_response()) == 200);
    }
    BOOST_TEST(wait_until([&] { return gw.get().parked_count() == 20; }));
    for (int round = 0; round < 2; ++round) // back from the parking lot, then parked again
        for (auto& c : clients) {
            BOOST_TEST(c->send(get_root));
            BOOST_TEST(status_of(c->read_response()) == 200);
        }
    BOOST_TEST(wait_until([&] { return gw.get().parked_count() == 20; }));
    clients.clear();
    BOOST_TEST(wait_until([&] { return gw.get().session_count() == 0; }));
}

BOOST_AUTO_TEST_CASE(check_and_start_name_the_setting_the_file_and_the_reason) {
    test_pki pki;
    pki.issue("a", {"a.test"});
    pki.issue("b", {"b.test"});
    struct bad_case {
        std::string cert, key, expected;
    };
    const std::vector<bad_case> cases = {
        {pki.path("a.crt"), pki.path("b.key"), "the key does not match the certificate"},
        {pki.path("a.crt"), pki.path("missing.key"), "No such file or directory"},
        {pki.path("a.key"), pki.path("a.key"), "no PEM certificate"},
        {pki.path("a.crt"), pki.path("a.crt"), "no unencrypted PEM private key"},
    };
    for (const auto& bad : cases) {
        const auto cfg = load_config(tls_config(
            9, "[[listeners.tls.certificates]]\ncert = \"" + bad.cert + "\"\nkey = \"" + bad.key + "\"\n"));
        std::ostringstream out, err;
        BOOST_TEST(!gw::check_tls(*cfg, out, err));
        const auto line = err.str();
        BOOST_TEST(line.find("listeners[0].tls.certificates[0].") != std::string::npos, line);
        BOOST_TEST(line.find(bad.expected) != std::string::npos, line);
        BOOST_TEST(std::count(line.begin(), line.end(), '\n') == 1, line);
        BOOST_CHECK_THROW(gw::gateway g(cfg), std::runtime_error);
    }
}

BOOST_AUTO_TEST_CASE(the_access_log_shows_version_cipher_and_sni) {
    test_pki pki;
    pki.issue("a", {"a.test"});
    origins o(1);
    for (const char* format : {"text", "json"}) {
        log_pipe log;
        running_gateway gw(load_config(tls_config(o.port(0), certificate(pki, "a"),
                                                  "[logging]\nformat = \"" + std::string(format) + "\"\n")),
                           log.write_end());
        tls_client c(gw.port(), {.sni = "a.test", .max_version = TLS1_2_VERSION});
        BOOST_TEST_REQUIRE(c.handshake_ok());
        BOOST_TEST(c.send(get_root));
        BOOST_TEST(status_of(c.read_response()) == 200);
        std::vector<std::string> lines;
        BOOST_TEST_REQUIRE(wait_until([&] { return !(lines = log.lines()).empty(); }));
        const auto& line = lines.front();
        if (std::string(format) == "text")
            BOOST_TEST(line.ends_with(" TLSv1.2/ECDHE-ECDSA-AES256-GCM-SHA384/a.test"), line);
        else
            BOOST_TEST(line.ends_with(",\"tls_version\":\"TLSv1.2\",\"tls_cipher\":\"ECDHE-ECDSA-AES256-GCM-SHA384\","
                                      "\"sni\":\"a.test\"}"),
                       line);
    }
}

BOOST_AUTO_TEST_CASE(a_certificate_reload_takes_effect_for_new_handshakes_and_a_bad_one_is_refused) {
    test_pki pki;
    pki.issue("site", {"old.test"});
    origins o(1);
    running_gateway gw(load_config(tls_config(o.port(0), certificate(pki, "site"))));
    tls_client before(gw.port(), {.sni = "old.test"});
    BOOST_TEST_REQUIRE(before.handshake_ok());
    BOOST_TEST(before.peer_names() == "old.test");
    // Replaced on disk: the watch (every second) picks it up, SIGHUP's reload at once.
    pki.issue("site", {"new.test"});
    BOOST_TEST(gw.get().reload_certificates() == 0u);
    BOOST_TEST(names_for(gw.port(), "new.test") == "new.test");
    BOOST_TEST(before.send(get_root)); // the open connection is untouched
    BOOST_TEST(status_of(before.read_response()) == 200);
    // A broken key: refused, the listener keeps serving the last good certificate.
    {
        std::ofstream(pki.path("site.key")) << "-----BEGIN PRIVATE KEY-----\nnot a key\n";
    }
    BOOST_TEST(gw.get().reload_certificates() == 1u);
    BOOST_TEST(names_for(gw.port(), "new.test") == "new.test");
    const auto snap = gw.get().snapshot();
    BOOST_TEST(snap.tls_reloads[0] >= 1u); // (the file watch may have been first)
    BOOST_TEST(snap.tls_reload_failures[0] >= 1u);
    // Written anew: the file watch reloads by itself (within about two seconds).
    pki.issue("site", {"newer.test"});
    BOOST_TEST(wait_until([&] { return gw.get().snapshot().tls_reloads[0] > snap.tls_reloads[0]; },
                          std::chrono::seconds(5)));
    BOOST_TEST(names_for(gw.port(), "newer.test") == "newer.test");
}

BOOST_AUTO_TEST_CASE(a_tls_listener_added_by_a_reload_serves_and_its_files_are_watched) {
    test_pki pki;
    pki.issue("site", {"a.test"});
    origins o(1);
    const std::string plain = "[global]\nworkers = 2\n[admin]\nenabled = false\n"
                              "[[listeners]]\nname = \"http\"\nlisten = \"127.0.0.1:0\"\ndefault_backend = \"app\"\n";
    const std::string backend =
        "[[backends]]\nname = \"app\"\n[[backends.servers]]\naddress = \"127.0.0.1:" + std::to_string(o.port(0)) + "\"\n";
    running_gateway gw(load_config(plain + backend)); // (no TLS listener at start)
    const auto out = gw.get().reload(load_config(plain + "[[listeners]]\nname = \"https\"\nlisten = \"127.0.0.1:0\"\n"
                                                 "default_backend = \"app\"\n[listeners.tls]\n" +
                                                 certificate(pki, "site") + backend));
    BOOST_TEST_REQUIRE(out.ok, out.message);
    tls_client c(gw.port(1), {.sni = "a.test", .ca = pki.ca()});
    BOOST_TEST_REQUIRE(c.handshake_ok(), c.error());
    BOOST_TEST(c.send(get_root));
    BOOST_TEST(status_of(c.read_response()) == 200);
    BOOST_TEST(gw.get().snapshot().tls_reloads[1] == 0u); // (its files as the reload read them)
    // Its files rewritten: the watch, started with the gateway, reloads them.
    pki.issue("site", {"b.test"});
    BOOST_TEST(wait_until([&] { return gw.get().snapshot().tls_reloads[1] == 1u; }, std::chrono::seconds(5)));
    BOOST_TEST(names_for(gw.port(1), "b.test") == "b.test");
}

BOOST_AUTO_TEST_CASE(certificates_reloaded_under_load_fail_no_request) {
    test_pki pki;
    pki.issue("site", {"a.test"});
    origins o(1);
    running_gateway gw(load_config(tls_config(o.port(0), certificate(pki, "site"))));
    // New connections (a handshake per request) and kept-alive ones, at once.
    auto load = [&](bool per_request) {
        gw::bench::load_options opts;
        opts.url = "https://127.0.0.1:" + std::to_string(gw.port()) + "/?size=1000";
        opts.connections = 4;
        opts.duration = std::chrono::milliseconds(1500);
        if (per_request) opts.headers = {"Connection: close"};
        return gw::bench::run_load(opts);
    };
    gw::bench::load_result handshaking, kept;
    std::thread a([&] { handshaking = load(true); });
    std::thread b([&] { kept = load(false); });
    for (int i = 0; i < 10; ++i) {
        pki.issue("site", {"a.test"}, i % 2 ? "rsa" : "ec"); // a new key each time, RSA and ECDSA
        BOOST_TEST(gw.get().reload_certificates() == 0u);
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    a.join();
    b.join();
    BOOST_TEST(handshaking.all_2xx());
    BOOST_TEST(handshaking.errors_total() == 0u);
    BOOST_TEST(handshaking.tls_handshakes > 20u);
    BOOST_TEST(kept.all_2xx());
    BOOST_TEST(kept.errors_total() == 0u);
}

BOOST_AUTO_TEST_CASE(a_plain_listener_with_redirect_https_sends_every_request_to_https) {
    origins o(1);
    auto config = [&](const std::string& port_line) {
        return load_config("[global]\nworkers = 1\n[admin]\nenabled = false\n"
                           "[[listeners]]\nname = \"http\"\nlisten = \"127.0.0.1:0\"\nredirect_https = true\n" +
                           port_line + "[[backends]]\nname = \"app\"\n[[backends.servers]]\naddress = \"127.0.0.1:" +
                           std::to_string(o.port(0)) + "\"\n");
    };
    running_gateway gw(config("https_port = 8443\n"));
    client c(gw.port());
    c.send("GET /a/b?x=1&y=%20 HTTP/1.1\r\nHost: Example.com:8080\r\n\r\n");
    auto r = c.read();
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(r->result_int() == 308);
    BOOST_TEST((*r)["Location"] == "https://Example.com:8443/a/b?x=1&y=%20");
    // Kept alive; an absolute-form target and an IPv6 literal; HEAD gets no body.
    c.send("HEAD http://[::1]:80/p HTTP/1.1\r\nHost: [::1]:80\r\n\r\n");
    r = c.read(true);
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(r->result_int() == 308);
    BOOST_TEST((*r)["Location"] == "https://[::1]:8443/p");
    // HTTP/1.0 without Host: there is no URL to send it to.
    c.send("GET / HTTP/1.0\r\n\r\n");
    r = c.read();
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(r->result_int() == 400);
    running_gateway standard(config(""));
    client d(standard.port());
    r = d.get("/x");
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST((*r)["Location"] == "https://test/x"); // 443: no port
    // (Counted by the worker once the reply is out: possibly after the client read it.)
    BOOST_TEST(wait_until([&] { return standard.get().counters().listeners[0].responses_by_class[2] == 1u; }));
}

BOOST_AUTO_TEST_CASE(gwbench_loads_https_kept_alive_and_with_a_handshake_per_request) {
    test_pki pki;
    pki.issue("a", {"a.test"});
    origins o(1);
    running_gateway gw(load_config(tls_config(o.port(0), certificate(pki, "a"))));
    gw::bench::load_options opts;
    opts.url = "https://127.0.0.1:" + std::to_string(gw.port()) + "/?size=100";
    opts.connections = 4;
    opts.requests = 400;
    auto r = gw::bench::run_load(opts);
    BOOST_TEST(r.all_2xx());
    BOOST_TEST(r.requests == 400u);
    BOOST_TEST(r.tls_handshakes == 4u); // kept alive: one per connection
    // A connection per request: resumed after each connection's first.
    opts.headers = {"Connection: close"};
    opts.requests = 40;
    r = gw::bench::run_load(opts);
    BOOST_TEST(r.all_2xx());
    BOOST_TEST(r.tls_handshakes == 40u);
    BOOST_TEST(r.tls_resumed == 36u);
    opts.tls_resume = false;
    r = gw::bench::run_load(opts);
    BOOST_TEST(r.all_2xx());
    BOOST_TEST(r.tls_resumed == 0u);
}

BOOST_AUTO_TEST_CASE(metrics_show_handshakes_failures_reloads_and_expiry) {
    test_pki pki;
    pki.issue("a", {"a.test"});
    origins o(1);
    auto text = tls_config(o.port(0), certificate(pki, "a"));
    text.replace(text.find("[admin]\nenabled = false\n"), 24, "[admin]\nlisten = \"127.0.0.1:0\"\n");
    running_gateway gw(load_config(text));
    {
        tls_client c(gw.port(), {.sni = "a.test"});
        BOOST_TEST_REQUIRE(c.handshake_ok());
        BOOST_TEST(c.send(get_root));
        BOOST_TEST(status_of(c.read_response()) == 200);
    }
    client plain(gw.port());
    BOOST_TEST(plain.get("/").has_value()); // plain HTTP on the TLS port
    BOOST_TEST(gw.get().reload_certificates() == 0u);
    BOOST_TEST(counted(gw, gw::tls_failure::plain_http, 1));
    client admin(gw.admin_port());
    const auto r = admin.get("/metrics");
    BOOST_TEST_REQUIRE(r.has_value());
    const auto& m = r->body();
    for (const std::string& line : std::vector<std::string>{
             "gateway_tls_handshakes_total{listener=\"https\",resumed=\"false\"} 1\n",
             "gateway_tls_handshakes_total{listener=\"https\",resumed=\"true\"} 0\n",
             "gateway_tls_handshake_failures_total{listener=\"https\",reason=\"plain_http\"} 1\n",
             "gateway_tls_handshake_failures_total{listener=\"https\",reason=\"timeout\"} 0\n",
             "gateway_tls_certificate_reloads_total{listener=\"https\",result=\"ok\"} 1\n",
             "gateway_tls_certificate_reloads_total{listener=\"https\",result=\"failed\"} 0\n",
             "gateway_tls_kernel_offload_available ",
             "gateway_tls_certificate_expiry_seconds{listener=\"https\",file=\"" + pki.path("a.crt") +
                 "\",name=\"a.test\",key_type=\"ecdsa\"} ",
         })
        BOOST_TEST(m.find(line) != std::string::npos, line);
}

BOOST_AUTO_TEST_CASE(curl_and_python_are_served) {
    test_pki pki;
    pki.issue("a", {"a.test"});
    origins o(1);
    running_gateway gw(load_config(tls_config(o.port(0), certificate(pki, "a"))));
    const auto port = std::to_string(gw.port());
    const auto [curl_status, curl_out] =
        run("curl -sS --cacert " + pki.ca() + " --resolve a.test:" + port + ":127.0.0.1 -w ' %{http_code}' "
            "'https://a.test:" + port + "/?size=7' 2>&1");
    BOOST_TEST(curl_status == 0, curl_out);
    BOOST_TEST(curl_out == pattern(7) + " 200");
    const auto [py_status, py_out] = run(
        "python3 -c \"import ssl, http.client\n"
        "ctx = ssl.create_default_context(cafile='" + pki.ca() + "')\n"
        "c = http.client.HTTPSConnection('127.0.0.1', " + port + ", context=ctx)\n"
        "ctx.check_hostname = False\n"
        "c.request('GET', '/?size=9', headers={'Host': 'a.test'})\n"
        "r = c.getresponse()\n"
        "print(r.status, r.read().decode(), c.sock.version())\" 2>&1");
    BOOST_TEST(py_status == 0, py_out);
    BOOST_TEST(py_out == "200 " + pattern(9) + " TLSv1.3\n");
}

BOOST_AUTO_TEST_CASE(a_reload_keeps_an_unchanged_tls_context_and_builds_a_changed_one) {
    test_pki pki;
    pki.issue("a", {"a.test"});
    pki.issue("b", {"b.test"});
    origins o(1);
    running_gateway gw(load_config(tls_config(o.port(0), certificate(pki, "a"))));
    const auto before = gw.get().shared().current()->tls.at(0);
    SSL_SESSION* session = nullptr;
    {
        tls_client first(gw.port(), {.sni = "a.test"});
        BOOST_TEST_REQUIRE(first.handshake_ok(), first.error());
        BOOST_TEST(first.send(get_root));
        BOOST_TEST(status_of(first.read_response()) == 200);
        session = first.session();
    }
    // The same TLS settings (another timeout): the same context, so
    // a ticket issued before the reload resumes after it.
    auto out = gw.get().reload(
        load_config(tls_config(o.port(0), certificate(pki, "a"), "[timeouts]\nserver = \"20s\"\n")));
    BOOST_TEST(out.ok, out.message);
    BOOST_TEST((gw.get().shared().current()->tls.at(0) == before));
    {
        tls_client again(gw.port(), {.sni = "a.test", .session = session});
        BOOST_TEST_REQUIRE(again.handshake_ok(), again.error());
        BOOST_TEST(again.reused());
        BOOST_TEST(again.send(get_root));
        BOOST_TEST(status_of(again.read_response()) == 200);
    }
    SSL_SESSION_free(session);
    // Another certificate: a new context; new handshakes get it.
    out = gw.get().reload(load_config(tls_config(o.port(0), certificate(pki, "b"))));
    BOOST_TEST(out.ok, out.message);
    BOOST_TEST((gw.get().shared().current()->tls.at(0) != before));
    tls_client c(gw.port(), {.sni = "b.test"});
    BOOST_TEST_REQUIRE(c.handshake_ok(), c.error());
    BOOST_TEST(c.peer_names() == "b.test");
    // A certificate file that is missing refuses the reload; "b" stays.
    out = gw.get().reload(load_config(tls_config(o.port(0), "[[listeners.tls.certificates]]\ncert = \"" +
                                                                pki.path("missing.crt") + "\"\nkey = \"" +
                                                                pki.path("b.key") + "\"\n")));
    BOOST_TEST(!out.ok);
    BOOST_TEST(out.message.find("missing.crt") != std::string::npos, out.message);
    BOOST_TEST(out.generation == 3u);
    tls_client still(gw.port(), {.sni = "b.test"});
    BOOST_TEST_REQUIRE(still.handshake_ok(), still.error());
    BOOST_TEST(still.peer_names() == "b.test");
}

BOOST_AUTO_TEST_SUITE_END()
