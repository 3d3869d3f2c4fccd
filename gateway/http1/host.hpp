#pragma once
// Host and the request target (RFC 9112 3.2, RFC 9110 7.2, RFC 3986 3.2.2).

#include <string_view>

#include "gateway/http1/message.hpp"
#include "gateway/http1/replies.hpp"

namespace gw {

// Host syntax (RFC 9110 7.2, RFC 3986 3.2.2): uri-host [":" port] with a
// reg-name, IPv4address or IP-literal, a port of 1-5 digits up to 65535; no
// userinfo, no whitespace, nothing empty.
bool valid_host(std::string_view value) noexcept;

// A Host value without its port: "example.com:8080" -> "example.com",
// "[::1]:80" -> "[::1]".
std::string_view strip_port(std::string_view host) noexcept;

// The request target and Host (RFC 9112 3.2): exactly one valid Host in
// HTTP/1.1 (at most one in 1.0), a target of visible ASCII in origin-form, or
// "*" for OPTIONS, or absolute-form with an http(s) authority. An absolute-form
// target's authority wins over Host (RFC 9112 3.2.2): the head is rewritten to
// origin-form with Host set from it, so the server and the router see one
// authority. CONNECT gets 405. Returns none when the head may go on.
reply_reason normalize_target_and_host(request_head& h);

} // namespace gw
