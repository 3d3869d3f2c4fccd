#include "gateway/http1/trace_context.hpp"

#include <cstring>

namespace gw {

namespace {

bool lower_hex(std::string_view s) noexcept {
    for (const char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    return true;
}

bool all_zero(std::string_view s) noexcept {
    return s.find_first_not_of('0') == std::string_view::npos;
}

} // namespace

bool parse_traceparent(std::string_view v, trace_ids& out) noexcept {
    if (v.size() < traceparent_length || v[2] != '-' || v[35] != '-' || v[52] != '-')
        return false;
    const auto version = v.substr(0, 2), trace = v.substr(3, 32), parent = v.substr(36, 16), flags = v.substr(53, 2);
    if (!lower_hex(version) || version == "ff" || !lower_hex(trace) || !lower_hex(parent) || !lower_hex(flags))
        return false;
    if (version == "00" ? v.size() != traceparent_length : v.size() > traceparent_length && v[55] != '-')
        return false;
    if (all_zero(trace) || all_zero(parent))
        return false;
    std::memcpy(out.trace_id, trace.data(), trace_id_length);
    out.flags[0] = flags[0];
    out.flags[1] = flags[1];
    return true;
}

bool read_trace(const boost::beast::http::fields& f, trace_ids& out) {
    const auto range = f.equal_range("traceparent");
    if (range.first == range.second || std::next(range.first) != range.second)
        return false; // none, or several: not one trace to continue
    return parse_traceparent(range.first->value(), out);
}

void format_hex(std::uint64_t v, char* out) noexcept {
    static constexpr char digits[] = "0123456789abcdef";
    for (int i = 15; i >= 0; --i) {
        out[i] = digits[v & 0xf];
        v >>= 4;
    }
}

void set_traceparent(boost::beast::http::fields& f, const trace_ids& ids, std::uint64_t span) {
    char value[traceparent_length];
    value[0] = '0';
    value[1] = '0'; // (we speak version 00, whatever came in)
    value[2] = '-';
    std::memcpy(value + 3, ids.trace_id, trace_id_length);
    value[35] = '-';
    format_hex(span, value + 36);
    value[52] = '-';
    value[53] = ids.flags[0];
    value[54] = ids.flags[1];
    f.set("traceparent", std::string_view(value, traceparent_length));
}

} // namespace gw
