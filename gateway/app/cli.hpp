#pragma once
// The gateway's command line, parsed without side effects (tested on its own).

#include <optional>
#include <string>
#include <vector>

namespace gw {

struct command_line {
    enum class action { run, check, version, help } what = action::help;
    std::string config_path;
};

// Parses argv[1..]. Returns nullopt and fills `error` for a bad command line.
//   gateway --config FILE        run
//   gateway --check FILE         validate (also: --config FILE --check)
//   gateway --version | --help
std::optional<command_line> parse_command_line(const std::vector<std::string>& args,
                                               std::string& error);

extern const char* const usage_text;
extern const char* const version_text;

} // namespace gw
