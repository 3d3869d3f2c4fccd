// The command line.
#include <boost/test/unit_test.hpp>

#include "gateway/app/cli.hpp"

using namespace gw;

BOOST_AUTO_TEST_SUITE(cli)

BOOST_AUTO_TEST_CASE(actions) {
    std::string err;
    auto run = parse_command_line({"--config", "g.toml"}, err);
    BOOST_REQUIRE(run);
    BOOST_TEST((run->what == command_line::action::run));
    BOOST_TEST(run->config_path == "g.toml");
    auto check = parse_command_line({"--check", "g.toml"}, err);
    BOOST_REQUIRE(check);
    BOOST_TEST((check->what == command_line::action::check));
    auto check2 = parse_command_line({"--config", "g.toml", "--check"}, err);
    BOOST_REQUIRE(check2);
    BOOST_TEST((check2->what == command_line::action::check));
    BOOST_TEST((parse_command_line({"--version"}, err)->what == command_line::action::version));
    BOOST_TEST((parse_command_line({"--help"}, err)->what == command_line::action::help));
}

BOOST_AUTO_TEST_CASE(errors_are_named) {
    std::string err;
    BOOST_TEST(!parse_command_line({}, err));
    BOOST_TEST(err == "no configuration: use --config FILE");
    BOOST_TEST(!parse_command_line({"--config"}, err));
    BOOST_TEST(err == "--config needs a file name");
    BOOST_TEST(!parse_command_line({"--check"}, err));
    BOOST_TEST(err == "--check needs a file name");
    BOOST_TEST(!parse_command_line({"--frobnicate"}, err));
    BOOST_TEST(err == "unknown argument '--frobnicate'");
}

BOOST_AUTO_TEST_SUITE_END()
