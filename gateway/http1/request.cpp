#include "gateway/http1/request.hpp"

#include <boost/beast/core/string.hpp>

#include "gateway/http1/framing.hpp"
#include "gateway/http1/host.hpp"

namespace gw {

namespace http = boost::beast::http;
using boost::beast::iequals;

reply_reason check_request_head(std::string_view raw, request_head& h) {
    if (!raw_head_is_clean(raw))
        return reply_reason::bad_request;
    if (const auto r = check_request_framing(h); r != reply_reason::none)
        return r;
    if (nominates_protected_field(h))
        return reply_reason::bad_request; // Connection: content-length etc. (smuggling)
    return normalize_target_and_host(h);
}

forward_plan prepare_forward_head(request_head& h, bool has_body, const forwarding_info& info) {
    forward_plan plan;
    plan.upgrade = is_upgrade_request(h);
    plan.expects_continue = has_body && iequals(h[http::field::expect], "100-continue");
    remove_hop_by_hop(h, plan.upgrade);
    // The one spelling every server reads the same (accepted ones differ only
    // in case and whitespace).
    if (h.find(http::field::transfer_encoding) != h.end())
        h.set(http::field::transfer_encoding, "chunked");
    canonicalize_content_length(h);
    if (plan.expects_continue)
        h.erase(http::field::expect);
    add_forwarding_fields(h, info);
    // Upstream always HTTP/1.1 with keep-alive: its default, now that no
    // Connection field is left but "upgrade".
    if (h.version() < 11)
        h.version(11);
    return plan;
}

} // namespace gw
