// Loading the gateway's TOML configuration into validated, immutable structs.
//
// This is the only way in: the gateway calls load_file once at start (and `gateway
// --check FILE` calls it through run_check), then shares the result read-only between
// its workers. The schema is documented in docs/config-reference.md.
#pragma once

#include "config/config.hpp"
#include "config/diagnostics.hpp"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace gw::config {

// Either a complete, validated configuration or every error found in the file.
// Invariant: `config` is null iff `errors` is non-empty. Errors are sorted by line and
// column; each is one line, "file:line:col: message".
struct load_result {
    std::shared_ptr<const gateway_config> config;
    std::vector<diagnostic> errors;
};

// Reads and loads the file at `path`; diagnostics name the file as `path` is written.
// Never throws: an unreadable file, a TOML syntax error (toml++ stops at the first one,
// so there is at most one) or any number of schema and cross-check errors all come back
// as diagnostics. Callable from any thread; it touches no shared state.
load_result load_file(const std::string& path);

// The same for TOML text already in memory; `file_name` is only used in diagnostics.
load_result load_string(std::string_view toml, std::string_view file_name);

} // namespace gw::config
