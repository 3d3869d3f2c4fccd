#include "config/diagnostics.hpp"

#include <cstdio>

namespace gw::config {

namespace {

void append_escaped(std::string& out, char c, bool in_quotes) {
    const auto u = static_cast<unsigned char>(c);
    if (in_quotes && (c == '"' || c == '\\')) {
        out += '\\';
        out += c;
    } else if (c == '\n') {
        out += "\\n";
    } else if (c == '\r') {
        out += "\\r";
    } else if (c == '\t') {
        out += "\\t";
    } else if (u < 0x20 || u == 0x7f) {
        char hex[8];
        std::snprintf(hex, sizeof hex, "\\x%02x", u);
        out += hex;
    } else {
        out += c;
    }
}

} // namespace

std::string to_string(const diagnostic& d) {
    std::string out = d.file;
    if (d.line > 0) {
        out += ':' + std::to_string(d.line) + ':' + std::to_string(d.column > 0 ? d.column : 1);
    }
    out += ": ";
    out += d.message;
    return out;
}

std::string quoted(std::string_view text) {
    // Long values (a pasted certificate, a whole line) would bury the message.
    constexpr std::size_t max_shown = 60;
    std::string out = "\"";
    std::size_t shown = 0;
    for (char c : text) {
        // Cut only at the start of a UTF-8 sequence, never inside one.
        const bool continuation = (static_cast<unsigned char>(c) & 0xc0) == 0x80;
        if (shown >= max_shown && !continuation) {
            out += "...";
            break;
        }
        append_escaped(out, c, true);
        ++shown;
    }
    out += '"';
    return out;
}

std::string one_line(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        append_escaped(out, c, false);
    }
    return out;
}

} // namespace gw::config
