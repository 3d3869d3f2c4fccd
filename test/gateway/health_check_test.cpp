// Parsing the status line of a health check answer.
#include <boost/test/unit_test.hpp>

#include "gateway/upstream/health_check.hpp"

using gw::parse_status_line;

BOOST_AUTO_TEST_SUITE(health_check_parse)

BOOST_AUTO_TEST_CASE(status_lines) {
    BOOST_TEST(parse_status_line("HTTP/1.1 200 OK\r\n").value() == 200u);
    BOOST_TEST(parse_status_line("HTTP/1.0 503 Service Unavailable\r\n").value() == 503u);
    BOOST_TEST(!parse_status_line("HTTP/1.1 20 OK\r\n").has_value());
    BOOST_TEST(!parse_status_line("HTTP/2 200 OK\r\n\r\n").has_value());
    BOOST_TEST(!parse_status_line("SSH-2.0-OpenSSH\r\n").has_value());
    BOOST_TEST(!parse_status_line("HTTP/1.1 999 Nope\r\n").has_value());
    BOOST_TEST(!parse_status_line("HTTP/1.1").has_value());
}

BOOST_AUTO_TEST_SUITE_END()
