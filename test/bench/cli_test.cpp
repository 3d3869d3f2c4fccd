// gwbench's command line and URL parsing.
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "bench/gwbench/cli.hpp"
#include "bench/gwbench/load.hpp"

using namespace gw::bench;
using args = std::vector<std::string>;

BOOST_AUTO_TEST_SUITE(cli_suite)

BOOST_AUTO_TEST_CASE(load_command_with_every_option) {
    auto c = parse_cli({"load",        "http://127.0.0.1:8080/x?y=1",
                        "-c",          "64",
                        "-t",          "2",
                        "-d",          "5",
                        "--rate",      "1000.5",
                        "--method",    "POST",
                        "--body-size", "4k",
                        "-H",          "X-A: 1",
                        "--header",    "X-B: 2",
                        "--json",      "-",
                        "--timeout",   "250"});
    BOOST_TEST((c.what == cli_command::kind::load));
    BOOST_TEST(c.load.url == "http://127.0.0.1:8080/x?y=1");
    BOOST_TEST(c.load.connections == 64u);
    BOOST_TEST(c.load.threads == 2u);
    BOOST_TEST(c.load.duration.count() == 5'000'000'000);
    BOOST_TEST(c.load.rate == 1000.5);
    BOOST_TEST(c.load.method == "POST");
    BOOST_TEST(c.load.body_size == 4096u);
    BOOST_TEST(c.load.headers.size() == 2u);
    BOOST_TEST(c.json_path == "-");
    BOOST_TEST(c.load.timeout.count() == 250);
}

BOOST_AUTO_TEST_CASE(expect_2xx_flag) {
    BOOST_TEST(parse_cli({"load", "http://127.0.0.1:1/", "-n", "1", "--expect-2xx"}).expect_2xx);
    BOOST_TEST(!parse_cli({"load", "http://127.0.0.1:1/", "-n", "1"}).expect_2xx);
}

BOOST_AUTO_TEST_CASE(origin_command_with_every_option) {
    auto c = parse_cli({"origin", "--listen", "0.0.0.0:0", "--size", "1M", "--chunked", "--delay",
                        "20", "--status", "503", "--close", "--threads", "2"});
    BOOST_TEST((c.what == cli_command::kind::origin));
    BOOST_TEST(c.origin.host == "0.0.0.0");
    BOOST_TEST(c.origin.port == 0u);
    BOOST_TEST(c.origin.opts.body_size == 1024u * 1024);
    BOOST_TEST(c.origin.opts.chunked);
    BOOST_TEST(c.origin.opts.delay.count() == 20);
    BOOST_TEST(c.origin.opts.status == 503u);
    BOOST_TEST(!c.origin.opts.keep_alive);
    BOOST_TEST(c.origin.threads == 2u);
}

BOOST_AUTO_TEST_CASE(bad_command_lines_are_rejected) {
    for (const auto& a : std::vector<args>{
             {},
             {"frobnicate"},
             {"load", "http://h/"},                       // neither -d nor -n
             {"load", "http://h/", "-d", "1", "-n", "5"}, // both
             {"load", "ftp://h/", "-n", "5"},
             {"load", "https://h/", "-n", "5", "--tls-max", "1.1"},
             {"load", "-n", "5"},
             {"load", "http://h/", "-n", "x"},
             {"load", "http://h/", "-n", "5", "--bogus"},
             {"load", "http://h/", "-n", "5", "-c"},
             {"load", "http://h/", "-d", "5parsecs"},
             {"origin"},
             {"origin", "--listen", "nowhere"},
             {"origin", "--listen", "h:70000"},
             {"origin", "--listen", "h:1", "--status", "99"},
         })
        BOOST_CHECK_THROW(parse_cli(a), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(help_and_version) {
    BOOST_TEST((parse_cli({"--help"}).what == cli_command::kind::help));
    BOOST_TEST((parse_cli({"--version"}).what == cli_command::kind::version));
    std::string u = usage();
    for (const char* opt : {"--listen", "--size", "--chunked", "--delay", "--status", "--close",
                            "--threads", "-c", "-t", "-d", "-n", "--rate", "--method",
                            "--body-size", "-H", "--json", "--timeout", "--help", "--version"})
        BOOST_TEST(u.find(opt) != std::string::npos, opt);
}

BOOST_AUTO_TEST_CASE(durations_and_sizes) {
    BOOST_TEST(parse_duration("2").count() == 2'000'000'000);
    BOOST_TEST(parse_duration("1.5s").count() == 1'500'000'000);
    BOOST_TEST(parse_duration("250ms").count() == 250'000'000);
    BOOST_TEST(parse_duration("2m").count() == 120'000'000'000);
    BOOST_TEST(parse_size("0") == 0u);
    BOOST_TEST(parse_size("64k") == 65536u);
    BOOST_TEST(parse_size("256M") == 256u * 1024 * 1024);
    BOOST_CHECK_THROW(parse_size("12q"), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(urls) {
    url_parts u;
    BOOST_TEST(parse_url("http://example.com", u).empty());
    BOOST_TEST(u.host == "example.com");
    BOOST_TEST(u.port == 80u);
    BOOST_TEST(u.target == "/");
    BOOST_TEST(parse_url("http://127.0.0.1:8080/a/b?c=d#frag", u).empty());
    BOOST_TEST(u.port == 8080u);
    BOOST_TEST(u.target == "/a/b?c=d");
    BOOST_TEST(u.host_header == "127.0.0.1:8080");
    BOOST_TEST(parse_url("http://[::1]:81?q", u).empty());
    BOOST_TEST(u.host == "::1");
    BOOST_TEST(u.target == "/?q");
    BOOST_TEST(!u.tls);
    BOOST_TEST(parse_url("https://h/x", u).empty());
    BOOST_TEST(u.tls);
    BOOST_TEST(u.port == 443u);
    BOOST_TEST(parse_url("https://h:8443/", u).empty());
    BOOST_TEST(u.port == 8443u);
    BOOST_TEST(!parse_url("ftp://h/", u).empty());
    BOOST_TEST(!parse_url("http://user@h/", u).empty());
    BOOST_TEST(!parse_url("http://h:0/", u).empty());
    BOOST_TEST(!parse_url("http:///x", u).empty());
}

BOOST_AUTO_TEST_CASE(request_is_preformatted_once) {
    load_options o;
    o.method = "POST";
    o.body_size = 3;
    o.headers = {"X-A: 1"};
    url_parts u;
    parse_url("http://h:81/p", u);
    BOOST_TEST(build_request(o, u) ==
               "POST /p HTTP/1.1\r\nHost: h:81\r\nX-A: 1\r\nContent-Length: 3\r\n\r\nxxx");
    o.method = "GET";
    o.body_size = 0;
    o.headers = {"host: other"};
    BOOST_TEST(build_request(o, u) == "GET /p HTTP/1.1\r\nhost: other\r\n\r\n");
}

BOOST_AUTO_TEST_SUITE_END()
