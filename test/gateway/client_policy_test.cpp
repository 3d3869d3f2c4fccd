// The client policies' parts without a socket: networks and the access rule,
// the PROXY protocol read and written, the per-client table (connection
// limit, request rate, eviction, and its fixed memory under a flood of
// distinct addresses), and basic authentication's users files.
#include <boost/test/unit_test.hpp>

#include <crypt.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "config/units.hpp"
#include "gateway/policy/basic_auth.hpp"
#include "gateway/policy/client_address.hpp"
#include "gateway/policy/client_table.hpp"
#include "gateway/policy/proxy_protocol.hpp"

using namespace gw;
using namespace gw::policy;

namespace {

config::ip_network net(const std::string& text) {
    auto n = config::parse_network(text);
    BOOST_REQUIRE_MESSAGE(n, n.error);
    return *n.value;
}

client_address v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d, std::uint16_t port = 0) {
    client_address x;
    x.bytes[0] = a;
    x.bytes[1] = b;
    x.bytes[2] = c;
    x.bytes[3] = d;
    x.port = port;
    return x;
}

std::string text(const client_address& a) {
    char out[64];
    return std::string(out, format_address(a, out, sizeof out));
}

using clock_type = client_table::clock_type;
const clock_type::time_point t0{std::chrono::seconds(1000)};

} // namespace

BOOST_AUTO_TEST_SUITE(client_policy_suite)

BOOST_AUTO_TEST_CASE(networks_parse_strictly) {
    BOOST_TEST(config::to_string(net("10.0.0.0/8")) == "10.0.0.0/8");
    BOOST_TEST(config::to_string(net("192.0.2.7")) == "192.0.2.7/32");
    BOOST_TEST(config::to_string(net("2001:db8::/32")) == "2001:db8::/32");
    BOOST_TEST(config::to_string(net("::1")) == "::1/128");
    BOOST_TEST(config::to_string(net("0.0.0.0/0")) == "0.0.0.0/0");
    for (const char* bad : {"10.1.0.0/8", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/08", "example.com",
                            "10.0.0.0/8 ", "::/129", "1.2.3", "01.2.3.4/32", "2001:db8::1/32"}) {
        const auto r = config::parse_network(bad);
        BOOST_TEST(!r, bad);
    }
    BOOST_TEST(config::parse_network("10.1.0.0/8").error.find("bits set after its prefix") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(addresses_match_networks_and_mapped_ones_are_ipv4) {
    BOOST_TEST(in_network(net("10.0.0.0/8"), v4(10, 200, 3, 4)));
    BOOST_TEST(!in_network(net("10.0.0.0/8"), v4(11, 0, 0, 1)));
    BOOST_TEST(in_network(net("192.168.4.0/22"), v4(192, 168, 7, 255)));
    BOOST_TEST(!in_network(net("192.168.4.0/22"), v4(192, 168, 8, 0)));
    BOOST_TEST(in_network(net("0.0.0.0/0"), v4(1, 2, 3, 4)));
    client_address mapped;
    mapped.v6 = true;
    mapped.bytes[10] = mapped.bytes[11] = 0xff;
    mapped.bytes[12] = 10;
    mapped.bytes[15] = 9;
    BOOST_TEST(!in_network(net("10.0.0.0/8"), mapped)); // unmapped first
    mapped.unmap();
    BOOST_TEST(!mapped.v6);
    BOOST_TEST(text(mapped) == "10.0.0.9");
    BOOST_TEST(in_network(net("10.0.0.0/8"), mapped));
    client_address six;
    six.v6 = true;
    six.bytes[0] = 0x20;
    six.bytes[1] = 0x01;
    six.bytes[2] = 0x0d;
    six.bytes[3] = 0xb8;
    six.bytes[15] = 1;
    BOOST_TEST(in_network(net("2001:db8::/32"), six));
    BOOST_TEST(!in_network(net("10.0.0.0/8"), six));
    BOOST_TEST(text(six) == "2001:db8::1");
}

BOOST_AUTO_TEST_CASE(deny_wins_and_a_non_empty_allow_admits_only_its_networks) {
    const config::network_list allow{net("10.0.0.0/8")}, deny{net("10.1.0.0/16")}, none;
    BOOST_TEST(access_allows(none, none, v4(1, 2, 3, 4)));
    BOOST_TEST(access_allows(allow, deny, v4(10, 2, 0, 1)));
    BOOST_TEST(!access_allows(allow, deny, v4(10, 1, 0, 1)));
    BOOST_TEST(!access_allows(allow, none, v4(192, 0, 2, 1)));
    BOOST_TEST(!access_allows(none, deny, v4(10, 1, 9, 9)));
    BOOST_TEST(access_allows(none, deny, v4(192, 0, 2, 1)));
}

BOOST_AUTO_TEST_CASE(proxy_v1_lines) {
    auto h = parse_proxy_v1("PROXY TCP4 192.0.2.9 10.0.0.1 56324 443\r\n");
    BOOST_TEST(h.valid);
    BOOST_TEST(h.has_address);
    BOOST_TEST(text(h.source) == "192.0.2.9");
    BOOST_TEST(h.source.port == 56324);
    BOOST_TEST(text(h.destination) == "10.0.0.1");
    BOOST_TEST(h.destination.port == 443);
    h = parse_proxy_v1("PROXY TCP6 2001:db8::5 ::1 1 65535\r\n");
    BOOST_TEST(h.valid);
    BOOST_TEST(text(h.source) == "2001:db8::5");
    h = parse_proxy_v1("PROXY UNKNOWN\r\n");
    BOOST_TEST(h.valid);
    BOOST_TEST(!h.has_address);
    h = parse_proxy_v1("PROXY UNKNOWN ffff:f...f:ffff ffff:f...f:ffff 65535 65535\r\n");
    BOOST_TEST(h.valid);
    for (const char* bad : {"PROXY TCP4 192.0.2.9 10.0.0.1 56324 443\n", "PROXY TCP4 192.0.2.9 10.0.0.1 56324\r\n",
                            "PROXY TCP4 192.0.2.9  10.0.0.1 1 2\r\n", "PROXY TCP4 192.0.2.9 10.0.0.1 65536 2\r\n",
                            "PROXY TCP4 192.0.2.9 10.0.0.1 01 2\r\n", "PROXY TCP4 2001:db8::5 10.0.0.1 1 2\r\n",
                            "PROXY TCP6 192.0.2.9 ::1 1 2\r\n", "PROXY UDP4 192.0.2.9 10.0.0.1 1 2\r\n",
                            "PROXY TCP4 192.0.2.9 10.0.0.1 1 2 3\r\n", "PROXY TCP4 192.0.2.09 10.0.0.1 1 2\r\n"}) {
        BOOST_TEST(!parse_proxy_v1(bad).valid, bad);
    }
}

BOOST_AUTO_TEST_CASE(proxy_v2_headers_round_trip_and_refuse_what_is_wrong) {
    std::uint8_t buf[proxy_header_max];
    const auto src = v4(198, 51, 100, 7, 40000), dst = v4(10, 0, 0, 1, 8080);
    std::size_t n = write_proxy_v2(src, dst, buf, sizeof buf);
    BOOST_TEST(n == 28u);
    BOOST_TEST((proxy_version_of(buf) == proxy_version::v2));
    BOOST_TEST(proxy_v2_size(buf) == n);
    auto h = parse_proxy_v2(buf, n);
    BOOST_TEST(h.valid);
    BOOST_TEST(h.has_address);
    BOOST_TEST((h.source == src));
    BOOST_TEST((h.destination == dst));
    // TLVs after the addresses are skipped.
    buf[15] = 12 + 7;
    std::memcpy(buf + 28, "\x04\x00\x04test", 7);
    h = parse_proxy_v2(buf, 35);
    BOOST_TEST(h.valid);
    BOOST_TEST((h.source == src));
    // LOCAL: valid, no address.
    buf[12] = 0x20;
    h = parse_proxy_v2(buf, 35);
    BOOST_TEST(h.valid);
    BOOST_TEST(!h.has_address);
    // An unknown command, an unknown version, a length that lies, a short address block.
    buf[12] = 0x22;
    BOOST_TEST(!parse_proxy_v2(buf, 35).valid);
    buf[12] = 0x31;
    BOOST_TEST(proxy_v2_size(buf) == 0u);
    buf[12] = 0x21;
    BOOST_TEST(!parse_proxy_v2(buf, 34).valid);
    buf[15] = 4;
    BOOST_TEST(!parse_proxy_v2(buf, 20).valid);
    // Longer than we take.
    buf[14] = 0x10;
    BOOST_TEST(proxy_v2_size(buf) == 0u);
    // IPv6, and a mixed pair sent as TCP6.
    client_address six;
    six.v6 = true;
    six.bytes[15] = 1;
    six.port = 1234;
    n = write_proxy_v2(six, dst, buf, sizeof buf);
    BOOST_TEST(n == 52u);
    h = parse_proxy_v2(buf, n);
    BOOST_TEST((h.source == six));
    h.destination.unmap();
    BOOST_TEST((h.destination == dst));
    char line[proxy_v1_max + 1];
    const std::size_t m = write_proxy_v1(src, dst, line, sizeof line);
    BOOST_TEST(std::string(line, m) == "PROXY TCP4 198.51.100.7 10.0.0.1 40000 8080\r\n");
    BOOST_TEST(parse_proxy_v1(std::string_view(line, m)).valid);
    BOOST_TEST((proxy_version_of(reinterpret_cast<const std::uint8_t*>("GET / HT")) == proxy_version::none));
}

BOOST_AUTO_TEST_CASE(connections_per_client_are_limited_and_given_back) {
    client_table t(1024);
    const auto a = v4(192, 0, 2, 1), b = v4(192, 0, 2, 2);
    auto x = t.open(0, a, 2, t0), y = t.open(0, a, 2, t0);
    BOOST_TEST(x.admitted);
    BOOST_TEST(y.admitted);
    BOOST_TEST((x.ticket == y.ticket));
    BOOST_TEST(!t.open(0, a, 2, t0).admitted);
    BOOST_TEST(t.open(0, b, 2, t0).admitted); // another client
    BOOST_TEST(t.open(1, a, 2, t0).admitted); // another listener
    t.close(x.ticket);
    BOOST_TEST(t.open(0, a, 2, t0).admitted);
    BOOST_TEST(text(t.address_of(x.ticket)) == "192.0.2.1");
    BOOST_TEST(t.in_use() == 3u);
}

BOOST_AUTO_TEST_CASE(the_rate_is_a_token_bucket_with_its_burst) {
    client_table t(1024);
    const auto ticket = t.open(0, v4(192, 0, 2, 1), 0, t0).ticket;
    // 10 per second, burst 3: three at once, the fourth waits 100 ms (Retry-After 1).
    for (int i = 0; i < 3; ++i)
        BOOST_TEST(t.take(ticket, 10, 3, t0) == 0u);
    BOOST_TEST(t.take(ticket, 10, 3, t0) == 1u);
    BOOST_TEST(t.take(ticket, 10, 3, t0 + std::chrono::milliseconds(99)) == 1u);
    BOOST_TEST(t.take(ticket, 10, 3, t0 + std::chrono::milliseconds(100)) == 0u);
    BOOST_TEST(t.take(ticket, 10, 3, t0 + std::chrono::milliseconds(100)) == 1u);
    // After a quiet second the whole burst is back, and no more.
    const auto later = t0 + std::chrono::seconds(2);
    for (int i = 0; i < 3; ++i)
        BOOST_TEST(t.take(ticket, 10, 3, later) == 0u);
    BOOST_TEST(t.take(ticket, 10, 3, later) != 0u);
    // 1 per minute... of a rate of 1 per second with burst 1: Retry-After counts whole seconds.
    const auto slow = t.open(0, v4(192, 0, 2, 2), 0, t0).ticket;
    BOOST_TEST(t.take(slow, 1, 1, t0) == 0u);
    BOOST_TEST(t.take(slow, 1, 1, t0) == 1u);
    BOOST_TEST(t.take(slow, 1, 1, t0 + std::chrono::milliseconds(1000)) == 0u);
    // An untracked connection is not limited.
    BOOST_TEST(t.take(client_table::no_ticket, 1, 1, t0) == 0u);
}

BOOST_AUTO_TEST_CASE(a_flood_of_distinct_addresses_keeps_the_table_bounded) {
    client_table t(1024);
    const auto memory = t.memory_bytes();
    BOOST_TEST(t.capacity() == 1024u);
    BOOST_TEST(memory <= 1024u * 48u + 128u * sizeof(std::atomic<bool>));
    // A client that holds a connection and spent its burst.
    const auto held = t.open(0, v4(10, 0, 0, 1), 0, t0).ticket;
    BOOST_TEST(t.take(held, 1, 1, t0) == 0u);
    // 100,000 distinct addresses, each a connection that opens, sends a request and closes.
    for (std::uint32_t i = 0; i < 100'000; ++i) {
        const auto a = v4(100, static_cast<std::uint8_t>(i >> 16), static_cast<std::uint8_t>(i >> 8),
                          static_cast<std::uint8_t>(i));
        const auto now = t0 + std::chrono::microseconds(i);
        const auto x = t.open(0, a, 1, now);
        BOOST_REQUIRE(x.admitted);
        BOOST_REQUIRE(x.ticket != client_table::no_ticket); // (their connections closed: room)
        t.take(x.ticket, 1, 1, now);
        t.close(x.ticket);
    }
    BOOST_TEST(t.in_use() <= t.capacity());
    BOOST_TEST(t.in_use() == t.capacity()); // (all buckets filled on the way)
    BOOST_TEST(t.evicted() >= 100'000u - 1024u);
    BOOST_TEST(t.memory_bytes() == memory);
    // The client with an open connection was never evicted: still limited.
    BOOST_TEST(t.take(held, 1, 1, t0 + std::chrono::milliseconds(500)) != 0u);
    BOOST_TEST(text(t.address_of(held)) == "10.0.0.1");
}

BOOST_AUTO_TEST_CASE(a_bucket_full_of_open_connections_admits_untracked) {
    client_table t(8); // one bucket
    for (std::uint8_t i = 0; i < 8; ++i)
        BOOST_TEST(t.open(0, v4(10, 0, 0, i), 1, t0).ticket != client_table::no_ticket);
    const auto x = t.open(0, v4(10, 0, 1, 1), 1, t0);
    BOOST_TEST(x.admitted);
    BOOST_TEST(x.ticket == client_table::no_ticket);
    BOOST_TEST(t.untracked() == 1u);
    t.close(0);
    BOOST_TEST(t.open(0, v4(10, 0, 1, 1), 1, t0).ticket != client_table::no_ticket);
    BOOST_TEST(t.evicted() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

// --- basic authentication

namespace {

std::string hash_of(const char* prefix, unsigned long cost, const char* password) {
    char salt[CRYPT_GENSALT_OUTPUT_SIZE];
    BOOST_REQUIRE(crypt_gensalt_rn(prefix, cost, nullptr, 0, salt, sizeof salt) != nullptr);
    crypt_data data{};
    const char* h = crypt_rn(password, salt, &data, sizeof data);
    BOOST_REQUIRE(h != nullptr);
    return h;
}

config::basic_auth_config users_file(const std::string& content) {
    const auto path = std::filesystem::temp_directory_path() / ("gw-users-" + std::to_string(::getpid()));
    std::ofstream(path) << content;
    config::basic_auth_config c;
    c.users_file.path = path.string();
    c.users_file.origin = "gateway.toml:9:14: routes[0].basic_auth.users_file";
    return c;
}

std::string basic(const std::string& credentials) {
    static const char* digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out = "Basic ";
    std::uint32_t acc = 0;
    int bits = 0;
    for (unsigned char c : credentials) {
        acc = (acc << 8) | c;
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out += digits[(acc >> bits) & 63];
        }
    }
    if (bits > 0)
        out += digits[(acc << (6 - bits)) & 63];
    while ((out.size() - 6) % 4 != 0)
        out += '=';
    return out;
}

std::string refusal(const std::string& content) {
    try {
        user_list users(users_file(content));
    } catch (const users_file_error& e) {
        return e.what();
    }
    return "(loaded)";
}

} // namespace

BOOST_AUTO_TEST_SUITE(client_policy_suite)

BOOST_AUTO_TEST_CASE(basic_credentials_decode) {
    std::string out;
    BOOST_TEST(decode_basic(basic("alice:open sesame"), out));
    BOOST_TEST(out == "alice:open sesame");
    BOOST_TEST(decode_basic("bAsIc   " + basic("a:b").substr(6) + "  ", out));
    BOOST_TEST(out == "a:b");
    BOOST_TEST(decode_basic(basic("ab:"), out)); // an empty password is a password
    BOOST_TEST(out == "ab:");
    BOOST_TEST(!decode_basic(basic("no colon"), out));
    BOOST_TEST(!decode_basic("Bearer abc", out));
    BOOST_TEST(!decode_basic("Basic", out));
    BOOST_TEST(!decode_basic("Basic !!!!", out));
    BOOST_TEST(!decode_basic("Basic YWJj", out)); // "abc": no colon
    BOOST_TEST(!decode_basic("Basic YWI6Y", out)); // not a multiple of 4
}

BOOST_AUTO_TEST_CASE(users_verify_with_bcrypt_sha_crypt_and_yescrypt) {
    user_list users(users_file("# users of the admin pages\n\nalice:" + hash_of("$2b$", 4, "wonderland") +
                               "\nbob:" + hash_of("$6$", 5000, "builder") + "\r\ncarol:" +
                               hash_of("$y$", 0, "secret") + "\n"));
    BOOST_TEST(users.size() == 3u);
    BOOST_TEST(users.verify(basic("alice:wonderland")));
    BOOST_TEST(users.verify(basic("alice:wonderland"))); // (remembered)
    BOOST_TEST(users.verify(basic("bob:builder")));
    BOOST_TEST(users.verify(basic("carol:secret")));
    BOOST_TEST(!users.verify(basic("alice:Wonderland")));
    BOOST_TEST(!users.verify(basic("alice:wonderlan")));
    BOOST_TEST(!users.verify(basic("bob:wonderland")));
    BOOST_TEST(!users.verify(basic("mallory:wonderland")));
    BOOST_TEST(!users.verify(basic("alice:wonderland:")));
    BOOST_TEST(!users.verify(""));
}

BOOST_AUTO_TEST_CASE(a_users_file_that_cannot_be_used_is_refused_with_its_line) {
    const std::string origin = "gateway.toml:9:14: routes[0].basic_auth.users_file: ";
    const std::string path = (std::filesystem::temp_directory_path() / ("gw-users-" + std::to_string(::getpid()))).string();
    BOOST_TEST(refusal("alice:abJnggxhB/yWI\n") ==
               origin + path + ":1: user 'alice': a legacy hash (DES or MD5): use bcrypt (htpasswd -B) or SHA-crypt");
    BOOST_TEST(refusal("\nalice:$1$abc$Jv1Bv1c0Z8q7E5pW6pXbA.\n") ==
               origin + path + ":2: user 'alice': a legacy hash (DES or MD5): use bcrypt (htpasswd -B) or SHA-crypt");
    BOOST_TEST(refusal("alice:$apr1$abc$xyz\n") ==
               origin + path + ":1: user 'alice': not a hash libcrypt knows (bcrypt $2b$/$2y$, SHA-crypt $5$/$6$, yescrypt $y$)");
    BOOST_TEST(refusal("alice:secret\n") ==
               origin + path + ":1: user 'alice': not a hash libcrypt knows (bcrypt $2b$/$2y$, SHA-crypt $5$/$6$, yescrypt $y$)");
    const auto h = hash_of("$2b$", 4, "x");
    BOOST_TEST(refusal("alice:" + h + "\nalice:" + h + "\n") == origin + path + ":2: user 'alice' appears twice");
    BOOST_TEST(refusal("just a line\n") == origin + path + ":1: not a \"user:hash\" line");
    BOOST_TEST(refusal("# nobody\n") == origin + path + ": no users");
    config::basic_auth_config missing;
    missing.users_file.path = "/nonexistent/users";
    missing.users_file.origin = "gateway.toml:9:14: routes[0].basic_auth.users_file";
    BOOST_CHECK_EXCEPTION(user_list{missing}, users_file_error, [](const users_file_error& e) {
        return std::string(e.what()) ==
               "gateway.toml:9:14: routes[0].basic_auth.users_file: /nonexistent/users: cannot read the file: No such "
               "file or directory";
    });
}

BOOST_AUTO_TEST_SUITE_END()
