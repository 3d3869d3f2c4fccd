// The strict RFC 9112 reader (see strict_http.hpp). It is a judge and a fuzzing
// oracle, so every index is checked against the end of the input, nothing
// recurses, and no arithmetic can overflow (chunk-size <= 16 hex digits,
// Content-Length <= 19 digits, both fit in uint64).
#include "bench/corpus/strict_http.hpp"

#include <array>
#include <cstddef>
#include <string>
#include <utility>

namespace gw::corpus {
namespace {

constexpr auto npos = std::string_view::npos;
// RFC 9112 sets no limit on a head; real servers do, and so does this observer.
constexpr std::size_t max_head = 64 * 1024;
constexpr std::size_t max_chunk_digits = 16;  // 16 hex digits fit in uint64
constexpr std::size_t max_length_digits = 19; // 19 decimal digits fit in uint64

unsigned byte(char c) {
    return static_cast<unsigned char>(c);
}
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_alpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_hex(char c) {
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool is_ws(char c) {
    return c == ' ' || c == '\t';
}
// VCHAR / obs-text (RFC 5234 B.1, RFC 9110 5.5): everything but CTLs, SP and DEL.
bool is_text(char c) {
    return byte(c) > 0x20 && byte(c) != 0x7f;
}
// tchar (RFC 9110 5.6.2). The literal has no NUL, so find('\0') is npos.
bool is_tchar(char c) {
    return is_digit(c) || is_alpha(c) || std::string_view("!#$%&'*+-.^_`|~").find(c) != npos;
}
bool is_unreserved(char c) {
    return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_' || c == '~';
}
bool is_sub_delim(char c) {
    return std::string_view("!$&'()*+,;=").find(c) != npos;
}

unsigned hex_value(char c) {
    if (is_digit(c)) return byte(c) - '0';
    if (c >= 'a' && c <= 'f') return byte(c) - 'a' + 10;
    return byte(c) - 'A' + 10;
}

char lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i])) return false;
    return true;
}

bool all_of(std::string_view s, bool (*pred)(char)) {
    for (char c : s)
        if (!pred(c)) return false;
    return true;
}

bool is_token(std::string_view s) {
    return !s.empty() && all_of(s, is_tchar);
}

// OWS = *( SP / HTAB ) (RFC 9110 5.6.3).
std::string_view trim_ows(std::string_view s) {
    while (!s.empty() && is_ws(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && is_ws(s.back()))
        s.remove_suffix(1);
    return s;
}

std::size_t token_length(std::string_view s, std::size_t i) {
    std::size_t j = i;
    while (j < s.size() && is_tchar(s[j]))
        ++j;
    return j - i;
}

// quoted-string (RFC 9110 5.6.4) starting at s[i]: its length, 0 when invalid.
std::size_t quoted_length(std::string_view s, std::size_t i) {
    if (i >= s.size() || s[i] != '"') return 0;
    for (std::size_t j = i + 1; j < s.size(); ++j) {
        const char c = s[j];
        if (c == '"') return j + 1 - i;
        if (c == '\\') { // quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
            if (j + 1 >= s.size() || !(is_ws(s[j + 1]) || is_text(s[j + 1]))) return 0;
            ++j;
        } else if (!is_ws(c) && !is_text(c)) {
            return 0; // qdtext excludes CTLs and DEL
        }
    }
    return 0; // no closing DQUOTE
}

// chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] ) (RFC 9112 7.1.1).
// BWS may only precede ';' or '=', so whitespace at the end of the line is invalid.
bool valid_chunk_ext(std::string_view s) {
    std::size_t i = 0;
    const auto skip_ws = [&] {
        while (i < s.size() && is_ws(s[i]))
            ++i;
    };
    while (i < s.size()) {
        skip_ws();
        if (i >= s.size() || s[i] != ';') return false;
        ++i;
        skip_ws();
        const std::size_t name = token_length(s, i);
        if (name == 0) return false;
        i += name;
        const std::size_t after_name = i;
        skip_ws();
        if (i < s.size() && s[i] == '=') {
            ++i;
            skip_ws();
            std::size_t value = token_length(s, i);
            if (value == 0) value = quoted_length(s, i);
            if (value == 0) return false;
            i += value;
        } else {
            i = after_name; // the loop head decides whether that whitespace precedes a ';'
        }
    }
    return true;
}

// dec-octet "." dec-octet "." dec-octet "." dec-octet (RFC 3986 3.2.2), no leading zeros.
bool valid_ipv4(std::string_view s) {
    for (int part = 0; part < 4; ++part) {
        const std::size_t dot = s.find('.');
        if ((part < 3) != (dot != npos)) return false;
        const std::string_view octet = s.substr(0, dot);
        if (octet.empty() || octet.size() > 3 || !all_of(octet, is_digit)) return false;
        if (octet.size() > 1 && octet[0] == '0') return false;
        unsigned value = 0;
        for (char c : octet)
            value = value * 10 + (byte(c) - '0');
        if (value > 255) return false;
        if (dot != npos) s.remove_prefix(dot + 1);
    }
    return true;
}

// The h16 groups on one side of "::" (an IPv4 tail counts as two groups); -1 when invalid.
int ipv6_groups(std::string_view s, bool ipv4_tail) {
    if (s.empty()) return 0;
    int groups = 0;
    for (;;) {
        const std::size_t colon = s.find(':');
        const std::string_view part = s.substr(0, colon);
        if (colon == npos && ipv4_tail && part.find('.') != npos)
            return valid_ipv4(part) ? groups + 2 : -1;
        if (part.empty() || part.size() > 4 || !all_of(part, is_hex)) return -1;
        if (++groups > 8) return -1;
        if (colon == npos) return groups;
        s.remove_prefix(colon + 1);
    }
}

// IPv6address (RFC 3986 3.2.2): 8 groups, or at most 7 around a single "::".
bool valid_ipv6(std::string_view s) {
    const std::size_t gap = s.find("::");
    if (gap == npos) return ipv6_groups(s, true) == 8;
    const std::string_view right = s.substr(gap + 2);
    if (right.find("::") != npos) return false;
    const int l = ipv6_groups(s.substr(0, gap), false);
    const int r = ipv6_groups(right, true);
    return l >= 0 && r >= 0 && l + r <= 7;
}

// IPvFuture = "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" ).
bool valid_ipvfuture(std::string_view s) {
    if (s.size() < 4 || lower(s[0]) != 'v') return false;
    const std::size_t dot = s.find('.');
    if (dot == npos || dot < 2 || dot + 1 >= s.size()) return false;
    if (!all_of(s.substr(1, dot - 1), is_hex)) return false;
    return all_of(s.substr(dot + 1),
                  [](char c) { return is_unreserved(c) || is_sub_delim(c) || c == ':'; });
}

// reg-name = *( unreserved / pct-encoded / sub-delims ), non-empty here. IPv4address is a
// subset of its syntax, so it needs no branch of its own.
bool valid_reg_name(std::string_view s) {
    if (s.empty()) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%') {
            if (s.size() - i < 3 || !is_hex(s[i + 1]) || !is_hex(s[i + 2])) return false;
            i += 2;
        } else if (!is_unreserved(s[i]) && !is_sub_delim(s[i])) {
            return false;
        }
    }
    return true;
}

// port = 1-5 DIGIT up to 65535 (RFC 3986 allows *DIGIT; an empty or longer port is refused).
bool valid_port(std::string_view s) {
    if (s.empty() || s.size() > 5 || !all_of(s, is_digit)) return false;
    unsigned value = 0;
    for (char c : s)
        value = value * 10 + (byte(c) - '0');
    return value <= 65535;
}

// The authority of an absolute-form target (RFC 9112 3.2.2), nullopt when it is not one.
std::optional<std::string_view> absolute_authority(std::string_view target) {
    const std::size_t sep = target.find("://");
    if (sep == npos || sep == 0 || !is_alpha(target[0])) return std::nullopt;
    for (char c : target.substr(0, sep))
        if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-' && c != '.') return std::nullopt;
    const std::string_view rest = target.substr(sep + 3);
    return rest.substr(0, rest.find_first_of("/?#"));
}

// authority-form = uri-host ":" port (RFC 9112 3.2.3): the port is mandatory.
bool is_authority_form(std::string_view t) {
    if (!valid_host(t)) return false;
    const std::size_t host_end = (!t.empty() && t.front() == '[') ? t.find(']') : 0;
    return t.find(':', host_end) != npos;
}

bool parse_version(std::string_view s, message& m) {
    // RFC 9112 2.3: HTTP-name "/" DIGIT "." DIGIT, case-sensitive; only 1.0 and 1.1 are HTTP/1.
    if (s == "HTTP/1.1")
        m.version = 11;
    else if (s == "HTTP/1.0")
        m.version = 10;
    else
        return false;
    return true;
}

// RFC 9110 6.5.1: fields a recipient must not take from a trailer section (framing,
// routing, request modifiers, authentication, response control, content processing).
// clang-format off
constexpr std::array<std::string_view, 34> forbidden_trailers = {
    "content-length", "transfer-encoding", "host", "trailer", "connection", "keep-alive",
    "te", "upgrade", "content-type", "content-encoding", "content-range", "cache-control",
    "expect", "authorization", "set-cookie", "cookie", "max-forwards", "range",
    "proxy-authorization", "proxy-authenticate", "www-authenticate", "proxy-connection",
    "pragma", "if-match", "if-none-match", "if-modified-since", "if-unmodified-since",
    "if-range", "age", "expires", "location", "retry-after", "vary", "content-location"};
// clang-format on

enum class step { done, more, stop };
enum class line_end { ok, more, bare_cr, bare_lf, too_long };

// Finds the CRLF ending the line that starts at `from`. `cap`: bytes the line may take,
// CRLF included, before its section is too large.
line_end find_line(std::string_view s, std::size_t from, std::size_t cap, std::size_t& eol) {
    const std::size_t limit = s.size() - from > cap ? from + cap : s.size();
    for (std::size_t i = from; i < limit; ++i) {
        if (s[i] == '\n') return line_end::bare_lf;
        if (s[i] != '\r') continue;
        if (i + 1 >= limit) break;
        if (s[i + 1] != '\n') return line_end::bare_cr;
        eol = i;
        return line_end::ok;
    }
    return s.size() - from >= cap ? line_end::too_long : line_end::more;
}

struct framing {
    bool ok = true; // false: the body's end is unknown
    bool chunked = false;
    std::optional<std::uint64_t> length;
};

class reader {
public:
    reader(std::string_view bytes, parse_result& out) : bytes_(bytes), out_(out) {}
    void requests();
    void responses(const std::vector<std::string>& methods, bool eof);

private:
    // Oddities name the message they belong to, 1-based, interim responses included.
    void odd(std::string_view what) {
        out_.oddities.push_back(std::string(what) + " of message " +
                                std::to_string(out_.messages.size() + 1));
    }
    bool fail(std::string_view what) {
        odd(what);
        return false;
    }
    step line_problem(line_end e, std::string_view where);
    step read_head(message& m, std::size_t& p, bool request);
    step read_fields(std::size_t& p, std::size_t start, std::vector<field>& into,
                     std::string_view where);
    bool read_field_line(std::string_view line, std::vector<field>& into, std::string_view where);
    bool parse_request_line(std::string_view line, message& m);
    bool parse_status_line(std::string_view line, message& m);
    void check_target(const message& m);
    void check_host(const message& m);
    void check_connection(const message& m);
    framing check_framing(message& m);
    step read_length(message& m, std::size_t& p, std::uint64_t n);
    step read_chunked(message& m, std::size_t& p);
    bool parse_chunk_line(std::string_view line, std::uint64_t& size);

    std::string_view bytes_;
    parse_result& out_;
};

step reader::line_problem(line_end e, std::string_view where) {
    const std::string w(where);
    switch (e) {
    case line_end::bare_cr:
        odd("bare CR in " + w);
        return step::stop;
    case line_end::bare_lf:
        odd("bare LF in " + w);
        return step::stop;
    case line_end::too_long:
        odd(w + " larger than 64 KiB");
        return step::stop;
    case line_end::more:
    case line_end::ok:
        break;
    }
    return step::more;
}

step reader::read_head(message& m, std::size_t& p, bool request) {
    const std::size_t start = p;
    std::size_t eol = 0;
    if (const line_end e = find_line(bytes_, p, max_head, eol); e != line_end::ok)
        return line_problem(e, "head");
    const std::string_view line = bytes_.substr(p, eol - p);
    if (!(request ? parse_request_line(line, m) : parse_status_line(line, m))) return step::stop;
    p = eol + 2;
    if (const step s = read_fields(p, start, m.fields, "head"); s != step::done) return s;
    m.head.assign(bytes_.substr(start, p - start));
    return step::done;
}

// Field lines (RFC 9112 5) from `p` through the empty line ending the section that began
// at `start`; the section, start line included, may take max_head bytes.
step reader::read_fields(std::size_t& p, std::size_t start, std::vector<field>& into,
                         std::string_view where) {
    for (;;) {
        std::size_t eol = 0;
        if (const line_end e = find_line(bytes_, p, max_head - (p - start), eol); e != line_end::ok)
            return line_problem(e, where);
        const std::string_view line = bytes_.substr(p, eol - p);
        p = eol + 2;
        if (line.empty()) return step::done;
        if (!read_field_line(line, into, where)) return step::stop;
    }
}

bool reader::read_field_line(std::string_view line, std::vector<field>& into,
                             std::string_view where) {
    const std::string w(where);
    // RFC 9112 5.2: obs-fold is obsolete; RFC 9112 2.2: no whitespace before the first field.
    if (is_ws(line.front())) return fail("field line starting with whitespace (obs-fold) in " + w);
    const std::size_t colon = line.find(':');
    if (colon == npos) return fail("field line without a colon in " + w);
    const std::string_view name = line.substr(0, colon);
    // RFC 9112 5.1: whitespace between name and colon must be rejected (a smuggling vector).
    if (!name.empty() && is_ws(name.back())) return fail("whitespace before the colon in " + w);
    if (!is_token(name)) return fail("field name that is not a token in " + w);
    const std::string_view value = trim_ows(line.substr(colon + 1));
    // RFC 9110 5.5: field-value is VCHAR / obs-text with SP / HTAB inside; NUL, CTLs and DEL
    // are invalid but leave the message's end known, so reading goes on.
    for (char c : value) {
        if (!is_text(c) && !is_ws(c)) {
            static constexpr char digits[] = "0123456789abcdef";
            const std::string hex{'0', 'x', digits[byte(c) >> 4], digits[byte(c) & 15]};
            odd("byte " + hex + " in the value of " + std::string(name) + " in " + w);
            break;
        }
    }
    into.push_back(field{std::string(name), std::string(value)});
    return true;
}

bool reader::parse_request_line(std::string_view line, message& m) {
    // RFC 9112 3: method SP request-target SP HTTP-version, exactly one SP each.
    const std::size_t sp1 = line.find(' ');
    const std::size_t sp2 = sp1 == npos ? npos : line.find(' ', sp1 + 1);
    if (sp2 == npos) return fail("request-line without two SPs");
    const std::string_view method = line.substr(0, sp1);
    const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    const std::string_view version = line.substr(sp2 + 1);
    if (!is_token(method)) return fail("method that is not a token");
    if (target.empty() || version.find(' ') != npos)
        return fail("request-line with more than single SPs");
    // RFC 9112 3.2: the target is URI syntax, so no whitespace, CTL, DEL or non-ASCII byte.
    for (char c : target) {
        if (!is_text(c) || byte(c) >= 0x80)
            return fail("request-target with whitespace, a CTL or a non-ASCII byte");
    }
    if (!parse_version(version, m)) return fail("invalid HTTP-version in the request-line");
    m.method.assign(method);
    m.target.assign(target);
    return true;
}

bool reader::parse_status_line(std::string_view line, message& m) {
    // RFC 9112 4: HTTP-version SP 3DIGIT SP [ reason-phrase ]; the second SP is mandatory.
    if (!parse_version(line.substr(0, 8), m))
        return fail("invalid HTTP-version in the status-line");
    if (line.size() < 13 || line[8] != ' ' || !all_of(line.substr(9, 3), is_digit) ||
        line[12] != ' ')
        return fail("status-line that is not version SP 3DIGIT SP reason");
    const unsigned status =
        (byte(line[9]) - '0') * 100 + (byte(line[10]) - '0') * 10 + (byte(line[11]) - '0');
    // RFC 9110 15: valid codes are 100..599.
    if (status < 100 || status > 599) return fail("status code outside 100-599");
    const std::string_view reason = line.substr(13);
    for (char c : reason) {
        if (!is_text(c) && !is_ws(c)) return fail("CTL or DEL in the reason-phrase");
    }
    m.status = status;
    m.reason.assign(reason);
    return true;
}

// RFC 9112 3.2: origin-form for most, absolute-form anywhere, authority-form only with (and
// always with) CONNECT, asterisk-form only with OPTIONS. The end of the message is known,
// so a wrong form is reported and reading goes on.
void reader::check_target(const message& m) {
    const std::string_view t = m.target;
    if (m.method == "CONNECT") {
        if (!is_authority_form(t)) odd("CONNECT with a target not in authority-form");
        return;
    }
    if (t.front() == '/') return;
    if (t == "*") {
        if (m.method != "OPTIONS") odd("asterisk-form target with a method other than OPTIONS");
        return;
    }
    if (const auto authority = absolute_authority(t)) {
        if (!valid_host(*authority)) odd("absolute-form target with an invalid authority");
        return;
    }
    odd("request-target in no form allowed for " + m.method);
}

// RFC 9112 3.2: an HTTP/1.1 request has exactly one valid Host; with an absolute-form
// target the Host must name the same authority (a proxy could route by either).
void reader::check_host(const message& m) {
    const std::size_t n = m.count("host");
    if (n > 1) odd("more than one Host field");
    if (n == 0 && m.version == 11) odd("HTTP/1.1 request without Host");
    for (const field& f : m.fields)
        if (iequals(f.name, "host") && !valid_host(f.value)) odd("invalid Host value");
    const auto authority = absolute_authority(m.target);
    if (authority && n > 0 && m.method != "CONNECT" && !iequals(*authority, *m.get("host")))
        odd("Host differs from the absolute-form target's authority");
}

// RFC 9110 7.6.1: Connection lists tokens; naming a framing or routing field asks the next
// hop to drop it, which changes how the message is read.
void reader::check_connection(const message& m) {
    for (const field& f : m.fields) {
        if (!iequals(f.name, "connection")) continue;
        std::string_view rest = f.value;
        for (;;) {
            const std::size_t comma = rest.find(',');
            const std::string_view item = trim_ows(rest.substr(0, comma));
            if (!item.empty() && !is_token(item)) { // empty list elements are allowed (5.6.1)
                odd("Connection option that is not a token");
            } else if (iequals(item, "content-length") || iequals(item, "transfer-encoding") ||
                       iequals(item, "host")) {
                odd("Connection naming " + std::string(item));
            }
            if (comma == npos) break;
            rest.remove_prefix(comma + 1);
        }
    }
}

// Content-Length / Transfer-Encoding (RFC 9112 6.1, 6.2, 6.3; RFC 9110 8.6). Anything but one
// plain length or one "chunked" leaves the body's end to the reader's taste: not ok.
// m.chunked and m.content_length report the (valid) framing fields, even where the status
// or the request method means there is no body.
framing reader::check_framing(message& m) {
    framing f;
    const std::size_t te = m.count("transfer-encoding");
    const std::size_t cl = m.count("content-length");
    if (te > 0) {
        if (te > 1) {
            odd("more than one Transfer-Encoding field");
            f.ok = false;
        } else if (!iequals(*m.get("transfer-encoding"), "chunked")) {
            odd("Transfer-Encoding other than exactly chunked");
            f.ok = false;
        }
        if (cl > 0) {
            odd("Transfer-Encoding together with Content-Length");
            f.ok = false;
        }
        if (m.version == 10) { // RFC 9112 6.1: the framing is to be treated as faulty
            odd("Transfer-Encoding in an HTTP/1.0 message");
            f.ok = false;
        }
        f.chunked = f.ok;
    } else if (cl > 1) {
        odd("more than one Content-Length field");
        f.ok = false;
    } else if (cl == 1) {
        const std::string_view v = *m.get("content-length");
        if (v.empty() || v.size() > max_length_digits || !all_of(v, is_digit)) {
            odd("invalid Content-Length value");
            f.ok = false;
        } else {
            std::uint64_t n = 0;
            for (char c : v)
                n = n * 10 + (byte(c) - '0');
            f.length = n;
        }
    }
    if (f.ok) {
        m.chunked = f.chunked;
        m.content_length = f.length;
    }
    return f;
}

step reader::read_length(message& m, std::size_t& p, std::uint64_t n) {
    if (bytes_.size() - p < n) return step::more;
    const auto len = static_cast<std::size_t>(n);
    m.body.assign(bytes_.substr(p, len));
    p += len;
    return step::done;
}

// chunk-size [ chunk-ext ] (RFC 9112 7.1), without the CRLF.
bool reader::parse_chunk_line(std::string_view line, std::uint64_t& size) {
    std::size_t digits = 0;
    while (digits < line.size() && is_hex(line[digits]))
        ++digits;
    if (digits == 0) return fail("chunk-size missing");
    if (digits > max_chunk_digits) return fail("chunk-size with more than 16 hex digits");
    size = 0;
    for (std::size_t i = 0; i < digits; ++i)
        size = size * 16 + hex_value(line[i]);
    if (!valid_chunk_ext(line.substr(digits))) return fail("invalid chunk extension");
    return true;
}

step reader::read_chunked(message& m, std::size_t& p) {
    for (;;) {
        std::size_t eol = 0;
        if (const line_end e = find_line(bytes_, p, max_head, eol); e != line_end::ok)
            return line_problem(e, "chunk-size line");
        std::uint64_t size = 0;
        if (!parse_chunk_line(bytes_.substr(p, eol - p), size)) return step::stop;
        p = eol + 2;
        if (size == 0) break; // last-chunk
        if (bytes_.size() - p < size) return step::more;
        const std::size_t end = p + static_cast<std::size_t>(size);
        const std::size_t left = bytes_.size() - end;
        if (left == 0 || (left == 1 && bytes_[end] == '\r')) return step::more;
        // RFC 9112 7.1: chunk-data CRLF; anything else means the size and the data disagree.
        if (bytes_[end] != '\r' || bytes_[end + 1] != '\n') {
            odd("chunk-data not followed by CRLF");
            return step::stop;
        }
        m.body.append(bytes_.substr(p, end - p));
        p = end + 2;
    }
    // RFC 9112 7.1.2: trailer-section CRLF, field lines read like the head's.
    const std::size_t start = p;
    if (const step s = read_fields(p, start, m.trailers, "trailer section"); s != step::done)
        return s;
    for (const field& f : m.trailers) {
        for (std::string_view name : forbidden_trailers) {
            if (iequals(f.name, name)) {
                odd(f.name + " in the trailer section");
                break;
            }
        }
    }
    return step::done;
}

void reader::requests() {
    std::size_t pos = 0;
    while (pos < bytes_.size()) {
        message m;
        std::size_t p = pos;
        // RFC 9112 2.2: a server may skip empty lines before a request-line; a strict
        // observer notes them (they are how some desyncs start).
        bool blank = false;
        while (bytes_.size() - p >= 2 && bytes_[p] == '\r' && bytes_[p + 1] == '\n') {
            p += 2;
            blank = true;
        }
        if (blank) odd("empty line before the request-line");
        step s = read_head(m, p, true);
        if (s == step::done) {
            check_target(m);
            check_host(m);
            check_connection(m);
            // RFC 9112 6.3: a request body is chunked, Content-Length bytes, or absent.
            const framing f = check_framing(m);
            if (!f.ok)
                s = step::stop;
            else if (f.chunked)
                s = read_chunked(m, p);
            else if (f.length)
                s = read_length(m, p, *f.length);
        }
        if (s != step::done) {
            out_.incomplete = true; // bytes remain that are not a whole message
            return;
        }
        out_.messages.push_back(std::move(m));
        out_.consumed = pos = p;
    }
}

void reader::responses(const std::vector<std::string>& methods, bool eof) {
    std::size_t pos = 0;
    std::size_t next_method = 0;
    while (pos < bytes_.size()) {
        message m;
        std::size_t p = pos;
        step s = read_head(m, p, false);
        if (s != step::done) {
            out_.incomplete = true;
            return;
        }
        const unsigned status = m.status;
        // RFC 9110 15.2: interim responses precede the final one to the same request.
        const bool interim = status / 100 == 1 && status != 101;
        // Past the end of `methods` the request is taken for a GET. (No `?:` here: one between
        // methods[i] and "GET" yields a temporary std::string the view would outlive.)
        std::string_view method = "GET";
        if (interim)
            method = {};
        else if (next_method < methods.size())
            method = methods[next_method];
        const bool tunnel = method == "CONNECT" && status / 100 == 2;
        check_connection(m);
        // RFC 9110 8.6, RFC 9112 6.1: no Content-Length or Transfer-Encoding in these.
        if ((status / 100 == 1 || status == 204 || tunnel) &&
            m.count("content-length") + m.count("transfer-encoding") > 0)
            odd("Content-Length or Transfer-Encoding in a " + std::to_string(status) +
                (tunnel ? " to CONNECT" : ""));
        const framing f = check_framing(m);
        // RFC 9112 6.3 rules 1-2: these have no body whatever their fields say, so their
        // end is known even when the framing fields are bad.
        const bool bodiless =
            status / 100 == 1 || status == 204 || status == 304 || method == "HEAD" || tunnel;
        if (bodiless) {
            s = step::done;
        } else if (!f.ok) {
            s = step::stop;
        } else if (f.chunked) {
            s = read_chunked(m, p);
        } else if (f.length) {
            s = read_length(m, p, *f.length);
        } else if (eof) { // RFC 9112 6.3 rule 8: the body ends when the connection does
            m.close_delimited = true;
            m.body.assign(bytes_.substr(p));
            p = bytes_.size();
        } else {
            s = step::more;
        }
        if (s != step::done) {
            out_.incomplete = true;
            return;
        }
        out_.messages.push_back(std::move(m));
        out_.consumed = pos = p;
        if (!interim) ++next_method;
        // RFC 9110 15.2.2 / 9.3.6: after a 101 or a 2xx to CONNECT the bytes are no longer
        // HTTP/1.1; that is not an oddity and not an incomplete message.
        if (status == 101 || tunnel) return;
    }
}

} // namespace

std::optional<std::string_view> message::get(std::string_view name) const {
    for (const field& f : fields)
        if (iequals(f.name, name)) return std::string_view(f.value);
    return std::nullopt;
}

std::size_t message::count(std::string_view name) const {
    std::size_t n = 0;
    for (const field& f : fields)
        if (iequals(f.name, name)) ++n;
    return n;
}

parse_result parse_requests(std::string_view bytes) {
    parse_result out;
    reader(bytes, out).requests();
    return out;
}

parse_result parse_responses(std::string_view bytes, const std::vector<std::string>& methods,
                             bool eof) {
    parse_result out;
    reader(bytes, out).responses(methods, eof);
    return out;
}

// RFC 9110 7.2 / RFC 3986 3.2.2-3.2.3: uri-host [ ":" port ].
bool valid_host(std::string_view value) {
    std::string_view host = value;
    std::optional<std::string_view> port;
    if (!value.empty() && value.front() == '[') {
        const std::size_t close = value.find(']');
        if (close == npos) return false;
        const std::string_view inside = value.substr(1, close - 1);
        if (!valid_ipv6(inside) && !valid_ipvfuture(inside)) return false;
        const std::string_view rest = value.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') return false;
            port = rest.substr(1);
        }
    } else {
        const std::size_t colon = value.find(':');
        if (colon != npos) {
            host = value.substr(0, colon);
            port = value.substr(colon + 1);
        }
        if (!valid_reg_name(host)) return false; // '@', whitespace and CTLs fail here
    }
    return !port || valid_port(*port);
}

} // namespace gw::corpus
