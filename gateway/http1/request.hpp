#pragma once
// A request head's way through the gateway, in the order the exchange takes:
// every check (check_request_head), then the rewrite for the server
// (prepare_forward_head). The fuzzers drive exactly these (fuzz/).

#include <string_view>

#include "gateway/http1/message.hpp"
#include "gateway/http1/replies.hpp"
#include "gateway/http1/rewrite.hpp"

namespace gw {

// Every check a request head passes before it may go on (issue 12), in order:
// the raw bytes (raw_head_is_clean), the framing (check_request_framing), no
// Connection nomination of a framing field, then the target and Host, which
// it normalizes (normalize_target_and_host). `raw` is the head as received.
reply_reason check_request_head(std::string_view raw, request_head& h);

struct forward_plan {
    bool upgrade = false;          // Connection: upgrade + Upgrade: a tunnel may follow
    bool expects_continue = false; // the gateway answers 100 Continue itself
};

// Rewrites an accepted request head for the server: hop-by-hop fields out
// (Upgrade kept for an upgrade), Expect: 100-continue answered here and removed
// when a body follows (as nginx does), the forwarding fields in, and HTTP/1.0
// sent on as HTTP/1.1 with keep-alive.
forward_plan prepare_forward_head(request_head& h, bool has_body, const forwarding_info& info);

} // namespace gw
