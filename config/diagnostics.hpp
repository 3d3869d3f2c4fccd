// The one error type of config/: a position in a file and a message a person can act on.
#pragma once

#include <string>
#include <string_view>

namespace gw::config {

// One configuration error. `line` and `column` are 1-based; both are 0 for errors about
// the file as a whole (it cannot be read). `message` is always a single line: control
// characters from the file are escaped before they get there.
struct diagnostic {
    std::string file;
    int line = 0;
    int column = 0;
    std::string message;
};

// "file:line:col: message", or "file: message" when the position is 0 (the
// compiler-style format editors and CI logs recognise).
std::string to_string(const diagnostic& d);

// `text` in double quotes with '"', '\\' and control characters escaped, cut to about 60
// characters, so that any value from a file can be shown inside a one-line message.
std::string quoted(std::string_view text);

// `text` with control characters (newlines included) escaped: makes foreign text, such
// as a TOML parser's description, safe to put in a one-line message.
std::string one_line(std::string_view text);

} // namespace gw::config
