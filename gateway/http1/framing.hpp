#pragma once
// Message framing (RFC 9112 section 6): what a request or response head says
// about where its body ends, read strictly enough that the gateway and the next
// hop cannot read it two ways, and the normalizations that keep it so.

#include <cstddef>
#include <string_view>

#include <boost/beast/http/fields.hpp>

#include "gateway/http1/message.hpp"
#include "gateway/http1/replies.hpp"

namespace gw {

// Scans the raw request head (start line + fields + final CRLF) for what Beast's
// parser tolerates but RFC 9112 lets a proxy reject and we do: a bare CR or a bare
// LF (section 2.2) and obs-fold line folding (section 5.2). Returns true if clean.
bool raw_head_is_clean(std::string_view head) noexcept;

// The Transfer-Encoding fields read strictly: comma-separated bare tokens
// with optional whitespace around them. `valid` is false on anything else
// (an empty element, parameters, bytes outside tchar), which Beast's own
// reading might take differently from a server's.
struct transfer_codings {
    bool valid = true;
    std::size_t fields = 0;  // Transfer-Encoding fields
    std::size_t chunked = 0; // how often "chunked" appears
    std::size_t others = 0;  // codings other than chunked
    bool chunked_last = false;
};
transfer_codings read_transfer_codings(const boost::beast::http::fields& f) noexcept;

// Content-Length as RFC 9110 8.6 and 9112 6.3 allow without guessing: at most
// one field holding one number. Beast merges repeated fields and lists of the
// same value ("5, 5"); a server behind us might not, so those are refused too
// (nginx does the same). True when the head has none or exactly one.
bool single_content_length(const boost::beast::http::fields& f) noexcept;

// Framing of a parsed request (RFC 9112 section 6): Beast already rejects
// Content-Length together with Transfer-Encoding and differing Content-Lengths.
// This adds: repeated or list-valued Content-Length (400), a Transfer-Encoding
// that is not read strictly (read_transfer_codings), names chunked more than
// once or not last (400, section 6.3), codings other than chunked at all (501,
// we relay only chunked), and Transfer-Encoding on HTTP/1.0 (400, section 6.1).
reply_reason check_request_framing(const request_head& h) noexcept;

// Framing of a parsed response head (RFC 9112 6.1, 6.3) that the gateway
// refuses to relay (502): Transfer-Encoding with Content-Length, repeated or
// list-valued Content-Length, Transfer-Encoding in an HTTP/1.0 response,
// transfer codings other than one lone chunked in one field, and a status
// outside 100-599 (Beast takes any three digits).
reply_reason check_response_framing(const response_head& h) noexcept;

// A response that has no body by its status (1xx, 204) but declares one
// (Transfer-Encoding or a non-zero Content-Length): the server may still send
// those bytes, so its connection must not go back to the pool.
bool declares_forbidden_body(const response_head& h) noexcept;

// Writes a Content-Length value without leading zeros ("007" -> "7"): the
// same number, in the one spelling no recipient could read as octal or as
// another length. Beast checked it is digits only.
void canonicalize_content_length(boost::beast::http::fields& f);

// 1xx and 204 responses have no body whatever their fields say (RFC 9112 6.3);
// a Content-Length or Transfer-Encoding on them (RFC 9110 8.6 forbids both
// there) is dropped before they are relayed, so no client reads one.
void drop_bodiless_framing(response_head& h);

// Whether a field may be relayed in a trailer section. RFC 9110 6.5.1 forbids
// fields that frame, route, authenticate or control the message there, and a
// recipient that merged one into the head could be misled (a trailer Host or
// Content-Length); the relay drops them.
bool allowed_in_trailer(std::string_view name) noexcept;

} // namespace gw
