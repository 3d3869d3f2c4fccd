#pragma once
// W3C Trace Context (https://www.w3.org/TR/trace-context/), the traceparent
// field: "00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>". The gateway
// is one hop: it keeps the trace, gives the request a span id of its own as
// the new parent id, and starts a trace when the request carries none (or one
// it cannot read, whose tracestate then goes too, as the specification says).

#include <cstddef>
#include <cstdint>
#include <string_view>

#include <boost/beast/http/fields.hpp>

namespace gw {

inline constexpr std::size_t trace_id_length = 32;
inline constexpr std::size_t traceparent_length = 55;

struct trace_ids {
    char trace_id[trace_id_length];
    char flags[2];
};

// Reads a traceparent value: version 00 exactly, or a later version (not ff)
// whose first four parts have version 00's form; lower-case hex; neither id
// all zeros. False when it cannot be read.
bool parse_traceparent(std::string_view value, trace_ids& out) noexcept;

// Gives the request its traceparent for the next hop, with `span` (non-zero)
// as the parent id; a new trace (ids from `random`, flags `sampled`) when it
// has no readable one. Writes the trace id to `trace_id` (for the access log).
// `random` is called for 64 random bits at a time.
template <class Random>
void propagate_trace(boost::beast::http::fields& f, Random&& random, bool sampled,
                     char (&trace_id)[trace_id_length]);

// (The non-template part of propagate_trace.)
void set_traceparent(boost::beast::http::fields& f, const trace_ids& ids, std::uint64_t span);
bool read_trace(const boost::beast::http::fields& f, trace_ids& out);
void format_hex(std::uint64_t v, char* out) noexcept; // 16 lower-case hex digits

template <class Random>
void propagate_trace(boost::beast::http::fields& f, Random&& random, bool sampled,
                     char (&trace_id)[trace_id_length]) {
    trace_ids ids;
    if (!read_trace(f, ids)) {
        f.erase("tracestate"); // (it belongs to the trace that could not be read)
        std::uint64_t hi = 0, lo = 0;
        while (hi == 0 && lo == 0) {
            hi = random();
            lo = random();
        }
        format_hex(hi, ids.trace_id);
        format_hex(lo, ids.trace_id + 16);
        ids.flags[0] = '0';
        ids.flags[1] = sampled ? '1' : '0';
    }
    std::uint64_t span = 0;
    while (span == 0)
        span = random();
    set_traceparent(f, ids, span);
    for (std::size_t i = 0; i < trace_id_length; ++i)
        trace_id[i] = ids.trace_id[i];
}

} // namespace gw
