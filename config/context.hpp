// Internal to config/: what the loader and the cross-checks share while one file is
// being loaded. No TOML type here either, so validate.cpp works on plain structs.
#pragma once

#include "config/diagnostics.hpp"

#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace gw::config::detail {

struct position {
    int line = 1;
    int column = 1;
};

// Collects the diagnostics of one load, and remembers where each value and table was
// written ("backends[0].servers[1].maxconn" -> 14:11), so that checks made after
// parsing can still point at the line that causes them.
class load_context {
public:
    explicit load_context(std::string file) : file_(std::move(file)) {}

    // Where `path` (an indexed path, "listeners[0].listen") was written.
    void record(const std::string& path, position at) { positions_[path] = at; }

    // The position of `path`, or of its nearest recorded enclosing table for a key that
    // was not written (a default, or a missing required key); 1:1 at worst.
    position find(std::string_view path) const;

    // Reports an error at `path`'s position and marks `path` as failed.
    void error(const std::string& path, std::string message);
    // Reports an error at an explicit position (unknown keys: the key's own position).
    void error_at(position at, std::string message);

    // True if an error was reported for `path`: checks that combine values skip failed
    // ones, so a single mistake is not reported again by every rule that reads it.
    bool failed(const std::string& path) const { return failed_.count(path) != 0; }

    const std::string& file() const { return file_; }
    bool has_errors() const { return !errors_.empty(); }
    // The diagnostics, sorted by line and column (stable: same position keeps file order).
    std::vector<diagnostic> take_errors();

private:
    std::string file_;
    std::unordered_map<std::string, position> positions_;
    std::set<std::string> failed_;
    std::vector<diagnostic> errors_;
};

} // namespace gw::config::detail
