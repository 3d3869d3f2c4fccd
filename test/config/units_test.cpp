// Durations, sizes, addresses, edit distance: the value formats on their own.
#include "config/diagnostics.hpp"
#include "config/suggest.hpp"
#include "config/units.hpp"

#include <boost/test/unit_test.hpp>

#include <limits>

using namespace gw::config;
using std::chrono::milliseconds;

BOOST_AUTO_TEST_SUITE(units)

BOOST_AUTO_TEST_CASE(durations_with_every_unit) {
    BOOST_TEST(parse_duration("250ms").value->count() == 250);
    BOOST_TEST(parse_duration("30s").value->count() == 30'000);
    BOOST_TEST(parse_duration("5m").value->count() == 300'000);
    BOOST_TEST(parse_duration("1h").value->count() == 3'600'000);
    BOOST_TEST(parse_duration("0s").value->count() == 0);
    BOOST_TEST(parse_duration("0007s").value->count() == 7'000);
}

BOOST_AUTO_TEST_CASE(durations_refused_with_a_reason) {
    BOOST_TEST(parse_duration("5").error == R"("5" has no unit (use ms, s, m or h))");
    BOOST_TEST(parse_duration("1.5s").error ==
               R"("1.5s" has a fraction; use a smaller unit (e.g. "1500ms"))");
    BOOST_TEST(parse_duration("5sec").error ==
               R"("5sec" has an unknown unit "sec" (use ms, s, m or h))");
    BOOST_TEST(parse_duration("1d").error == R"("1d" has an unknown unit "d" (use ms, s, m or h))");
    BOOST_TEST(parse_duration("").error == R"(the duration is empty (write e.g. "5s"))");
    BOOST_TEST(parse_duration("-5s").error ==
               R"("-5s" does not start with a whole number (write e.g. "5s"))");
    BOOST_TEST(parse_duration("s").error ==
               R"("s" does not start with a whole number (write e.g. "5s"))");
    BOOST_TEST(!parse_duration("+5s"));
    BOOST_TEST(!parse_duration(" 5s"));
    BOOST_TEST(!parse_duration("5 s"));
    BOOST_TEST(!parse_duration("5S"));
    BOOST_TEST(!parse_duration("1m30s"));
    BOOST_TEST(!parse_duration("5s\n"));
}

BOOST_AUTO_TEST_CASE(durations_overflow_is_an_error_not_a_wrap) {
    const auto max_ms = std::numeric_limits<milliseconds::rep>::max();
    BOOST_TEST(parse_duration(std::to_string(max_ms) + "ms").value->count() == max_ms);
    BOOST_TEST(parse_duration(std::to_string(max_ms) + "0ms").error ==
               "\"" + std::to_string(max_ms) + "0ms\" is too large");
    BOOST_TEST(!parse_duration("9223372036854776s"));
    BOOST_TEST(!parse_duration("2562047788015216h"));
    BOOST_TEST(!parse_duration("99999999999999999999999ms")); // beyond 64 bits while reading
}

BOOST_AUTO_TEST_CASE(sizes_with_every_unit_and_plain_bytes) {
    BOOST_TEST(*parse_size("512B").value == 512u);
    BOOST_TEST(*parse_size("16KiB").value == 16u * 1024);
    BOOST_TEST(*parse_size("27MiB").value == 27u * 1024 * 1024);
    BOOST_TEST(*parse_size("1GiB").value == 1ull << 30);
    BOOST_TEST(*parse_size("2TiB").value == 2ull << 40);
    BOOST_TEST(*parse_size("0").value == 0u);
    BOOST_TEST(*parse_size("16384").value == 16384u);
}

BOOST_AUTO_TEST_CASE(sizes_refused_with_a_reason) {
    BOOST_TEST(
        parse_size("16KB").error ==
        R"("16KB" has an unknown unit "KB" (use B, KiB, MiB, GiB or TiB); did you mean "KiB"?)");
    BOOST_TEST(
        parse_size("1m").error ==
        R"("1m" has an unknown unit "m" (use B, KiB, MiB, GiB or TiB); did you mean "MiB"?)");
    BOOST_TEST(parse_size("1.5MiB").error ==
               R"("1.5MiB" has a fraction; use a smaller unit (e.g. "1536KiB"))");
    BOOST_TEST(parse_size("lots").error ==
               R"("lots" does not start with a whole number (write e.g. "16KiB"))");
    BOOST_TEST(parse_size("").error == R"(the size is empty (write e.g. "16KiB"))");
    BOOST_TEST(!parse_size("16kib"));
    BOOST_TEST(!parse_size("-1"));
    BOOST_TEST(!parse_size("16 KiB"));
}

BOOST_AUTO_TEST_CASE(sizes_overflow_is_an_error_not_a_wrap) {
    BOOST_TEST(*parse_size("18446744073709551615").value ==
               std::numeric_limits<std::uint64_t>::max());
    BOOST_TEST(parse_size("18446744073709551616").error ==
               R"("18446744073709551616" is too large)");
    BOOST_TEST(*parse_size("16777215TiB").value == 16777215ull << 40);
    BOOST_TEST(parse_size("16777216TiB").error == R"("16777216TiB" is too large)");
}

BOOST_AUTO_TEST_CASE(formatting_uses_the_largest_exact_unit) {
    BOOST_TEST(format_duration(milliseconds{3'600'000}) == "1h");
    BOOST_TEST(format_duration(milliseconds{90'000}) == "90s");
    BOOST_TEST(format_duration(milliseconds{1'500}) == "1500ms");
    BOOST_TEST(format_duration(milliseconds{0}) == "0s");
    BOOST_TEST(format_size(16384) == "16KiB");
    BOOST_TEST(format_size(1500) == "1500B");
    BOOST_TEST(format_size(0) == "0B");
    BOOST_TEST(format_size(3ull << 30) == "3GiB");
}

BOOST_AUTO_TEST_CASE(addresses_of_every_kind) {
    auto a = *parse_host_port("127.0.0.1:8080").value;
    BOOST_TEST((a.kind == host_kind::ipv4));
    BOOST_TEST(a.host == "127.0.0.1");
    BOOST_TEST(a.port == 8080);

    a = *parse_host_port("[::1]:443").value;
    BOOST_TEST((a.kind == host_kind::ipv6));
    BOOST_TEST(a.host == "::1");
    BOOST_TEST(a.port == 443);

    a = *parse_host_port("*:0").value;
    BOOST_TEST((a.kind == host_kind::any));
    BOOST_TEST(a.host == "*");
    BOOST_TEST(a.port == 0);

    a = *parse_host_port("Origin-1.Example.COM:65535").value;
    BOOST_TEST((a.kind == host_kind::hostname));
    BOOST_TEST(a.host == "origin-1.example.com");
    BOOST_TEST(a.port == 65535);

    BOOST_TEST(parse_host_port("my_service:80").value->host == "my_service");
    BOOST_TEST(parse_host_port("[2001:DB8::1]:80").value->host == "2001:db8::1");
    BOOST_TEST(to_string(*parse_host_port("[2001:db8::1]:80").value) == "[2001:db8::1]:80");
    BOOST_TEST(to_string(*parse_host_port("*:8080").value) == "*:8080");
}

BOOST_AUTO_TEST_CASE(addresses_refused_with_a_reason) {
    BOOST_TEST(parse_host_port("localhost").error ==
               R"("localhost" has no port (write host:port, e.g. "localhost:8080"))");
    BOOST_TEST(parse_host_port(":8080").error ==
               R"(":8080" has no host (use "*:8080" for all interfaces))");
    BOOST_TEST(parse_host_port("::1:80").error ==
               R"("::1:80" looks like an IPv6 address; put it in brackets (e.g. "[::1]:8080"))");
    BOOST_TEST(parse_host_port("[::1]").error == R"("[::1]" has no port (write "[::1]:8080"))");
    BOOST_TEST(parse_host_port("[::1:80").error == R"("[::1:80" has no closing ']')");
    BOOST_TEST(parse_host_port("[fe80::1%eth0]:80").error ==
               R"("[fe80::1%eth0]:80" has a zone id, which is not supported)");
    BOOST_TEST(parse_host_port("[1::2::3]:80").error ==
               R"("[1::2::3]:80" is not a valid IPv6 address in brackets)");
    BOOST_TEST(parse_host_port("1.2.3.256:80").error ==
               R"("1.2.3.256:80" does not name a host: "1.2.3.256" is neither an IPv4 address )"
               R"(nor a valid hostname)");
    BOOST_TEST(parse_host_port("127.0.0.1:65536").error ==
               R"("127.0.0.1:65536" has an invalid port "65536" (use 0 to 65535))");
    BOOST_TEST(parse_host_port("127.0.0.1:").error ==
               R"("127.0.0.1:" has an invalid port "" (use 0 to 65535))");
    BOOST_TEST(parse_host_port("127.0.0.1:http").error ==
               R"("127.0.0.1:http" has an invalid port "http" (use 0 to 65535))");
    BOOST_TEST(!parse_host_port("127.0.0.1:-1"));
    BOOST_TEST(!parse_host_port("127.0.0.1:99999999999999999999999"));
    BOOST_TEST(!parse_host_port("bad host:80"));
    BOOST_TEST(!parse_host_port("-lead.example:80"));
    BOOST_TEST(!parse_host_port("a..b:80"));
    BOOST_TEST(parse_host_port("").error ==
               R"(the address is empty (write e.g. "127.0.0.1:8080"))");
}

BOOST_AUTO_TEST_CASE(ipv4_edge_cases) {
    BOOST_TEST(is_ipv4("0.0.0.0"));
    BOOST_TEST(is_ipv4("255.255.255.255"));
    BOOST_TEST(!is_ipv4("256.0.0.1"));
    BOOST_TEST(!is_ipv4("1.2.3"));
    BOOST_TEST(!is_ipv4("1.2.3.4.5"));
    BOOST_TEST(!is_ipv4("01.2.3.4")); // leading zeros read as octal by some resolvers
    BOOST_TEST(!is_ipv4("1.2.3.4."));
    BOOST_TEST(!is_ipv4("1..3.4"));
    BOOST_TEST(!is_ipv4("1111.2.3.4"));
    BOOST_TEST(!is_ipv4(""));
}

BOOST_AUTO_TEST_CASE(ipv6_edge_cases) {
    BOOST_TEST(is_ipv6("::"));
    BOOST_TEST(is_ipv6("::1"));
    BOOST_TEST(is_ipv6("1::"));
    BOOST_TEST(is_ipv6("1:2:3:4:5:6:7:8"));
    BOOST_TEST(is_ipv6("1:2:3:4:5:6::8"));
    BOOST_TEST(is_ipv6("::ffff:192.0.2.1"));
    BOOST_TEST(is_ipv6("1:2:3:4:5:6:192.0.2.1"));
    BOOST_TEST(!is_ipv6("1:2:3:4:5:6:7:8:9"));
    BOOST_TEST(!is_ipv6("1:2:3:4:5:6:7"));
    BOOST_TEST(!is_ipv6("1:2:3:4:5:6:7::8")); // "::" must stand for at least one group
    BOOST_TEST(!is_ipv6(":1:2:3:4:5:6:7"));
    BOOST_TEST(!is_ipv6("12345::"));
    BOOST_TEST(!is_ipv6("g::1"));
    BOOST_TEST(!is_ipv6("::192.0.2.1:1"));
    BOOST_TEST(!is_ipv6("1:::2"));
    BOOST_TEST(!is_ipv6(""));
}

BOOST_AUTO_TEST_CASE(hostname_edge_cases) {
    BOOST_TEST(is_hostname("localhost"));
    BOOST_TEST(is_hostname("a-b.c_d.example"));
    BOOST_TEST(is_hostname("1password.com"));
    BOOST_TEST(is_hostname(std::string(63, 'a') + ".com"));
    BOOST_TEST(!is_hostname(std::string(64, 'a') + ".com"));
    BOOST_TEST(!is_hostname(std::string(254, 'a')));
    BOOST_TEST(!is_hostname("example.com."));
    BOOST_TEST(!is_hostname("ex ample.com"));
    BOOST_TEST(!is_hostname("example-.com"));
    BOOST_TEST(!is_hostname("12345")); // numeric top label: a broken IPv4 address
    BOOST_TEST(!is_hostname("10.0.0.300"));
}

BOOST_AUTO_TEST_CASE(edit_distance_and_suggestions) {
    BOOST_TEST(edit_distance("reserve", "reserve") == 0u);
    BOOST_TEST(edit_distance("resrve", "reserve") == 1u);
    BOOST_TEST(edit_distance("wokrers", "workers") == 1u); // a transposition costs 1
    BOOST_TEST(edit_distance("Workers", "workers") == 0u);
    BOOST_TEST(edit_distance("", "abc") == 3u);
    BOOST_TEST(edit_distance("kitten", "sitting") == 3u);
    const std::vector<std::string> keys{"size", "limit", "memory", "reserve", "maxrewrite", "wake"};
    BOOST_TEST(*closest_match("resrve", keys) == "reserve");
    BOOST_TEST(*closest_match("max_rewrite", keys) == "maxrewrite");
    BOOST_TEST(*closest_match("limits", keys) == "limit");
    BOOST_TEST(!closest_match("x", keys));
    BOOST_TEST(!closest_match("colour", keys));
    BOOST_TEST(!closest_match("anything", {}));
}

BOOST_AUTO_TEST_CASE(quoting_keeps_messages_on_one_line) {
    BOOST_TEST(quoted("a\"b\\c") == R"("a\"b\\c")");
    BOOST_TEST(quoted("a\nb\tc\x01") == R"("a\nb\tc\x01")");
    BOOST_TEST(quoted(std::string(100, 'x')) == "\"" + std::string(60, 'x') + "...\"");
    BOOST_TEST(one_line("saw '\n'\r") == R"(saw '\n'\r)");
    BOOST_TEST(to_string(diagnostic{"f.toml", 3, 7, "bad"}) == "f.toml:3:7: bad");
    BOOST_TEST(to_string(diagnostic{"f.toml", 0, 0, "cannot read"}) == "f.toml: cannot read");
}

BOOST_AUTO_TEST_SUITE_END()
