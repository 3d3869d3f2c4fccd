#pragma once
// gwbench's command line: `gwbench origin ...`, `gwbench load URL ...`, --help,
// --version. Parsing is a plain function so tests can check it.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "bench/gwbench/load.hpp"
#include "bench/origin/origin_server.hpp"

namespace gw::bench {

struct origin_command {
    std::string host = "127.0.0.1";
    std::uint16_t port = 8080;
    origin_options opts;
    std::size_t threads = 1;
};

struct cli_command {
    enum class kind { help, version, origin, load };
    kind what = kind::help;
    origin_command origin;
    load_options load;
    std::string json_path; // empty: no JSON; "-": JSON on stdout (the table goes to stderr)
    bool expect_2xx = false; // exit 3 unless every request succeeded with a 2xx
};

// Parses the arguments after argv[0]. Throws std::invalid_argument with a one-line
// message naming the offending option.
cli_command parse_cli(const std::vector<std::string>& args);

// The --help text: every subcommand and option.
const char* usage() noexcept;

// "5", "5s", "250ms", "2m" -> nanoseconds (a bare number is seconds).
// Throws std::invalid_argument.
std::chrono::nanoseconds parse_duration(const std::string& s);
// "4096", "64k", "1M", "1G" (binary multiples) -> bytes. Throws std::invalid_argument.
std::uint64_t parse_size(const std::string& s);

} // namespace gw::bench
