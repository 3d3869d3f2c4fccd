#include "gateway/http1/framing.hpp"

#include <algorithm>
#include <string>

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/rfc7230.hpp>

#include "gateway/http1/chars.hpp"

namespace gw {

namespace http = boost::beast::http;
using boost::beast::iequals;

bool raw_head_is_clean(std::string_view head) noexcept {
    for (std::size_t i = 0; i < head.size(); ++i) {
        const char c = head[i];
        if (c == '\r') {
            if (i + 1 >= head.size() || head[i + 1] != '\n')
                return false; // bare CR
        } else if (c == '\n') {
            if (i == 0 || head[i - 1] != '\r')
                return false; // bare LF
            // obs-fold: a line that starts with SP or HTAB continues the previous one.
            if (i + 1 < head.size() && (head[i + 1] == ' ' || head[i + 1] == '\t'))
                return false;
        }
    }
    return true;
}

transfer_codings read_transfer_codings(const http::fields& f) noexcept {
    transfer_codings r;
    for (auto it = f.find(http::field::transfer_encoding);
         it != f.end() && it->name() == http::field::transfer_encoding; ++it) {
        ++r.fields;
        std::string_view v = it->value();
        for (;;) {
            const auto comma = v.find(',');
            std::string_view coding = v.substr(0, comma);
            while (!coding.empty() && (coding.front() == ' ' || coding.front() == '\t'))
                coding.remove_prefix(1);
            while (!coding.empty() && (coding.back() == ' ' || coding.back() == '\t'))
                coding.remove_suffix(1);
            // A bare token: no empty element, no parameters, nothing a
            // lenient reader could take for "chunked" (RFC 9112 7, 9110 5.6.2).
            if (coding.empty() || !std::all_of(coding.begin(), coding.end(), http1_chars::is_tchar)) {
                r.valid = false;
                return r;
            }
            r.chunked_last = iequals(coding, "chunked");
            if (r.chunked_last)
                ++r.chunked;
            else
                ++r.others;
            if (comma == std::string_view::npos)
                break;
            v.remove_prefix(comma + 1);
        }
    }
    return r;
}

bool single_content_length(const http::fields& f) noexcept {
    const auto n = f.count(http::field::content_length);
    if (n == 0)
        return true;
    if (n > 1)
        return false;
    const auto v = f.find(http::field::content_length)->value();
    if (v.find(',') != std::string_view::npos)
        return false; // (Beast checked the digits)
    // At most 19 significant digits: a length a signed 64-bit reader (most
    // servers and clients) takes as we do. Beast reads up to 2^64 - 1, so a
    // 20-digit length would pass here and be read differently on the next hop.
    const auto first = v.find_first_not_of('0');
    return first == std::string_view::npos || v.size() - first <= 19;
}

reply_reason check_request_framing(const request_head& h) noexcept {
    if (!single_content_length(h))
        return reply_reason::bad_request;
    if (h.find(http::field::transfer_encoding) == h.end())
        return reply_reason::none;
    if (h.version() < 11)
        return reply_reason::bad_request; // RFC 9112 6.1: no TE before HTTP/1.1
    const auto te_list = read_transfer_codings(h);
    if (!te_list.valid || te_list.chunked != 1 || !te_list.chunked_last)
        return reply_reason::bad_request; // RFC 9112 6.3: length cannot be determined
    if (te_list.others != 0)
        return reply_reason::not_implemented;
    return reply_reason::none;
}

reply_reason check_response_framing(const response_head& h) noexcept {
    if (h.result_int() < 100 || h.result_int() > 599)
        return reply_reason::bad_gateway; // RFC 9110 15: no such status; a client may misframe it
    const bool has_te = h.find(http::field::transfer_encoding) != h.end();
    if (!single_content_length(h) || (has_te && h.count(http::field::content_length) != 0))
        return reply_reason::bad_gateway;
    if (has_te && h.version() < 11)
        return reply_reason::bad_gateway; // RFC 9112 6.1: faulty framing in HTTP/1.0
    if (has_te) {
        const auto te = read_transfer_codings(h);
        if (!te.valid || te.fields != 1 || te.chunked != 1 || te.others != 0)
            return reply_reason::bad_gateway; // we relay no other transfer coding
    }
    return reply_reason::none;
}

bool declares_forbidden_body(const response_head& h) noexcept {
    const unsigned status = h.result_int();
    if (status >= 200 && status != 204)
        return false;
    if (h.find(http::field::transfer_encoding) != h.end())
        return true;
    const auto cl = h.find(http::field::content_length);
    return cl != h.end() && cl->value() != "0";
}

void canonicalize_content_length(http::fields& f) {
    const auto it = f.find(http::field::content_length);
    if (it == f.end())
        return;
    const std::string_view v = it->value();
    const auto first = v.find_first_not_of('0');
    if (first == 0)
        return;
    const std::string digits(first == std::string_view::npos ? "0" : v.substr(first));
    f.set(http::field::content_length, digits);
}

void drop_bodiless_framing(response_head& h) {
    const unsigned status = h.result_int();
    if (status < 200 || status == 204) {
        h.erase(http::field::content_length);
        h.erase(http::field::transfer_encoding);
    }
}

bool allowed_in_trailer(std::string_view name) noexcept {
    static constexpr std::string_view forbidden[] = {
        "content-length", "transfer-encoding", "host", "trailer", "connection", "keep-alive",
        "te", "upgrade", "proxy-connection", "content-type", "content-encoding",
        "content-range", "content-location", "cache-control", "expect", "max-forwards",
        "range", "if-match", "if-none-match", "if-modified-since", "if-unmodified-since",
        "if-range", "authorization", "proxy-authorization", "www-authenticate",
        "proxy-authenticate", "set-cookie", "cookie", "age", "expires", "date", "location",
        "retry-after", "vary", "warning", "pragma"};
    for (const auto f : forbidden)
        if (iequals(name, f))
            return false;
    return true;
}

} // namespace gw
