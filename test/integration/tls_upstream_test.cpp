// TLS to servers end to end (issue 14). The TLS server is a second gateway in
// the test process with a TLS listener in front of an origin: its certificate
// is chosen per case (valid, expired, for another name, self-signed) and it
// can ask for a client certificate.
#include "test/integration/harness.hpp"
#include "test/integration/tls_support.hpp"

#include <boost/test/unit_test.hpp>

using namespace gw::test;

namespace {

// A gateway speaking TLS (listener 0) with certificate `stem`, over `origin`.
std::string tls_origin_config(const test_pki& pki, const std::string& stem, std::uint16_t origin,
                              const std::string& tls_extra = "") {
    return "[global]\nworkers = 1\n[admin]\nenabled = false\n"
           "[[listeners]]\nname = \"tls\"\nlisten = \"127.0.0.1:0\"\ndefault_backend = \"app\"\n"
           "[listeners.tls]\n" + tls_extra + "[[listeners.tls.certificates]]\ncert = \"" + pki.path(stem + ".crt") +
           "\"\nkey = \"" + pki.path(stem + ".key") + "\"\n"
           "[[backends]]\nname = \"app\"\n[[backends.servers]]\naddress = \"127.0.0.1:" +
           std::to_string(origin) + "\"\n";
}

// A plain gateway whose backend "app" has one TLS server on `port`, then `backend_extra`
// (tls_* keys) and `server_extra`.
std::string front_config(std::uint16_t port, const std::string& backend_extra,
                         const std::string& server_extra = "", const std::string& extra = "") {
    return "[global]\nworkers = 1\n[admin]\nenabled = false\n" + extra +
           "[[listeners]]\nname = \"http\"\nlisten = \"127.0.0.1:0\"\ndefault_backend = \"app\"\n"
           "[[backends]]\nname = \"app\"\nretries = 0\ntls = true\n" + backend_extra +
           "[[backends.servers]]\naddress = \"127.0.0.1:" + std::to_string(port) + "\"\n" + server_extra;
}

int status_through(running_gateway& front, const std::string& target = "/?size=11") {
    client c(front.port());
    const auto r = c.get(target);
    return r ? r->result_int() : 0;
}

} // namespace

BOOST_AUTO_TEST_SUITE(tls_upstream)

BOOST_AUTO_TEST_CASE(a_verified_server_is_served_and_its_connections_reused_and_resumed) {
    test_pki pki;
    pki.issue("origin", {"origin.test"});
    origins o(1);
    running_gateway tls_origin(load_config(tls_origin_config(pki, "origin", o.port(0))));
    running_gateway front(load_config(front_config(
        tls_origin.port(), "tls_ca = \"" + pki.ca() + "\"\ntls_server_name = \"origin.test\"\n")));
    {
        client c(front.port());
        for (int i = 0; i < 20; ++i) { // kept alive: one TLS connection to the server
            const auto r = c.get("/echo-head");
            BOOST_TEST_REQUIRE(r.has_value());
            BOOST_TEST(r->result_int() == 200);
            BOOST_TEST(r->body().find("X-Forwarded-Proto: https\r\n") != std::string::npos); // (at the origin)
        }
    }
    const auto snap = front.get().snapshot();
    BOOST_TEST(snap.backends[0].servers[0].connects == 1u);
    BOOST_TEST(tls_origin.get().counters().listeners[0].tls_handshakes == 1u);

    // Without a pool every request opens a connection: the server's session resumes it.
    running_gateway fresh(load_config(front_config(
        tls_origin.port(), "keepalive_pool = 0\ntls_ca = \"" + pki.ca() + "\"\ntls_server_name = \"origin.test\"\n")));
    for (int i = 0; i < 5; ++i)
        BOOST_TEST(status_through(fresh) == 200);
    BOOST_TEST(tls_origin.get().counters().listeners[0].tls_resumed >= 4u);
}

BOOST_AUTO_TEST_CASE(a_server_that_fails_verification_gets_502) {
    test_pki pki;
    pki.issue("expired", {"origin.test"}, "ec", -2);
    pki.issue("other", {"other.test"});
    pki.issue("selfsigned", {"origin.test"}, "ec", 30, true);
    origins o(1);
    for (const char* stem : {"expired", "other", "selfsigned"}) {
        BOOST_TEST_CONTEXT(stem) {
            running_gateway tls_origin(load_config(tls_origin_config(pki, stem, o.port(0))));
            running_gateway front(load_config(front_config(
                tls_origin.port(), "tls_ca = \"" + pki.ca() + "\"\ntls_server_name = \"origin.test\"\n")));
            BOOST_TEST(status_through(front) == 502);
            BOOST_TEST(front.get().snapshot().backends[0].servers[0].connect_failures == 1u);
            // Verification off: encrypted, not authenticated, served.
            running_gateway trusting(load_config(front_config(tls_origin.port(), "tls_verify = false\n")));
            BOOST_TEST(status_through(trusting) == 200);
        }
    }
}

BOOST_AUTO_TEST_CASE(the_name_checked_is_the_servers_own_unless_configured) {
    test_pki pki;
    pki.issue("ip", {"127.0.0.1"}); // (a DNS SAN of "127.0.0.1" is no IP SAN: refused)
    pki.issue("origin", {"origin.test"});
    origins o(1);
    running_gateway tls_origin(load_config(tls_origin_config(pki, "origin", o.port(0))));
    // Addressed by IP without a name: verified as an IP, which the certificate does not carry.
    running_gateway by_ip(load_config(front_config(tls_origin.port(), "tls_ca = \"" + pki.ca() + "\"\n")));
    BOOST_TEST(status_through(by_ip) == 502);
    // The server's own name wins over the backend's.
    running_gateway named(load_config(front_config(tls_origin.port(),
                                                   "tls_ca = \"" + pki.ca() + "\"\ntls_server_name = \"x.test\"\n",
                                                   "tls_server_name = \"origin.test\"\n")));
    BOOST_TEST(status_through(named) == 200);
    // A server may turn TLS off in a TLS backend (then it speaks plain HTTP to the origin).
    running_gateway plain(load_config(front_config(o.port(0), "", "tls = false\n")));
    BOOST_TEST(status_through(plain) == 200);
}

BOOST_AUTO_TEST_CASE(a_client_certificate_is_presented_to_a_server_that_requires_one) {
    test_pki pki;
    pki.issue("origin", {"origin.test"});
    pki.issue("gateway", {"gateway.client"});
    origins o(1);
    running_gateway tls_origin(load_config(tls_origin_config(
        pki, "origin", o.port(0),
        "client_ca = \"" + pki.ca() + "\"\nclient_subject_header = \"X-Client-Subject\"\n")));
    const std::string trust = "tls_ca = \"" + pki.ca() + "\"\ntls_server_name = \"origin.test\"\n";
    running_gateway with_cert(load_config(front_config(
        tls_origin.port(), trust + "tls_cert = \"" + pki.path("gateway.crt") + "\"\ntls_key = \"" +
                               pki.path("gateway.key") + "\"\n")));
    client c(with_cert.port());
    const auto r = c.get("/echo-head");
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(r->result_int() == 200);
    BOOST_TEST(r->body().find("X-Client-Subject: CN=gateway.client\r\n") != std::string::npos, r->body());
    running_gateway without(load_config(front_config(tls_origin.port(), trust)));
    BOOST_TEST(status_through(without) == 502);
}

BOOST_AUTO_TEST_CASE(health_checks_go_over_tls) {
    test_pki pki;
    pki.issue("origin", {"origin.test"});
    pki.issue("expired", {"origin.test"}, "ec", -2);
    origins o(1);
    running_gateway good(load_config(tls_origin_config(pki, "origin", o.port(0))));
    running_gateway bad(load_config(tls_origin_config(pki, "expired", o.port(0))));
    const std::string check = "[backends.health_check]\npath = \"/\"\ninterval = \"50ms\"\ntimeout = \"40ms\"\n"
                              "rise = 1\nfall = 1\n";
    const std::string trust = "tls_ca = \"" + pki.ca() + "\"\ntls_server_name = \"origin.test\"\n";
    running_gateway front_good(load_config(front_config(good.port(), trust + check)));
    running_gateway front_bad(load_config(front_config(bad.port(), trust + check)));
    BOOST_TEST(wait_until([&] { return front_good.get().snapshot().backends[0].servers[0].health_checks >= 3u; }));
    BOOST_TEST(front_good.get().snapshot().backends[0].servers[0].up);
    BOOST_TEST(wait_until([&] { return !front_bad.get().snapshot().backends[0].servers[0].up; }));
    BOOST_TEST(status_through(front_good) == 200);
    BOOST_TEST(status_through(front_bad) == 503); // no server up
}

BOOST_AUTO_TEST_SUITE_END()
