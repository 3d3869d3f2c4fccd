#pragma once
// Character classes of the HTTP and URI grammars (RFC 9110 5.6.2, RFC 3986 2),
// for the parsers of gateway/http1/ only.

#include <string_view>

namespace gw::http1_chars {

inline bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
inline bool is_alpha(char c) noexcept { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
inline bool is_hex(char c) noexcept { return is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f'); }
// A letter, a digit or one of `extra` (unreserved and sub-delims, RFC 3986 2.2-2.3).
inline bool is_name_char(char c, std::string_view extra) noexcept {
    return is_alpha(c) || is_digit(c) || extra.find(c) != std::string_view::npos;
}

// tchar, RFC 9110 5.6.2.
inline bool is_tchar(char c) noexcept { return is_name_char(c, "!#$%&'*+-.^_`|~"); }

} // namespace gw::http1_chars
