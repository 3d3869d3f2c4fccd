// Who the client is and what it may do: the PROXY protocol header before
// anything else on a listener that takes one, the per-client connection count,
// the access rules (403) and the request rate (429 with Retry-After).
#include "gateway/proxy/client_session.hpp"
#include "gateway/io/use_tuple.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

#include <boost/asio/read.hpp>

#include "gateway/policy/proxy_protocol.hpp"

namespace gw {

namespace net = boost::asio;
namespace http = boost::beast::http;
using error_code = boost::system::error_code;

void session::set_client(const policy::client_address& a) {
    client_ip_ = a;
    client_addr_len_ = policy::format_address(a, client_addr_, sizeof client_addr_);
    const int n = std::snprintf(client_ep_, sizeof client_ep_, "%.*s:%u", static_cast<int>(client_addr_len_),
                                client_addr_, static_cast<unsigned>(a.port));
    client_ep_len_ = n > 0 ? std::min(static_cast<std::size_t>(n), sizeof client_ep_ - 1) : 0;
}

net::awaitable<bool> session::admit_connection() {
    const auto& l = cfg_->listeners[listener_];
    bool proxied = false;
    if (l.proxy_protocol) {
        const auto peer = client_ip_;
        if (!co_await read_proxy_header()) {
            lc().refused(client_refusal::proxy_protocol);
            co_return false;
        }
        proxied = !(client_ip_ == peer);
    }
    if (ctx_.clients == nullptr || (l.client_connections == 0 && l.client_rate == 0 && !proxied))
        co_return true;
    const auto admitted = ctx_.clients->open(slot_, client_ip_, l.client_connections, clock_type::now());
    if (!admitted.admitted) {
        lc().refused(client_refusal::connections);
        co_return false;
    }
    ticket_ = admitted.ticket;
    unparkable_ = proxied && ticket_ == policy::client_table::no_ticket;
    co_return true;
}

// The header is read in pieces that never go past its end (proxy_protocol.hpp),
// under client_head; the bytes land in early_, which holds nothing yet.
net::awaitable<bool> session::read_proxy_header() {
    if (!policy::in_any(cfg_->listeners[listener_].proxy_protocol_from, client_ip_))
        co_return false; // only the balancers may say who the client is
    static_assert(sizeof early_ >= policy::proxy_header_max);
    auto* buf = reinterpret_cast<std::uint8_t*>(early_);
    arm(cfg_->timeouts.client_head, deadline_kind::client_head);
    auto [ec, n] = co_await net::async_read(client_.socket(), net::buffer(buf, policy::proxy_prefix_size),
                                            use_tuple);
    if (ec)
        co_return false;
    policy::proxy_header h;
    switch (policy::proxy_version_of(buf)) {
    case policy::proxy_version::v2: {
        constexpr auto rest = policy::proxy_v2_fixed - policy::proxy_prefix_size;
        std::tie(ec, n) = co_await net::async_read(client_.socket(),
                                                   net::buffer(buf + policy::proxy_prefix_size, rest), use_tuple);
        const std::size_t size = ec ? 0 : policy::proxy_v2_size(buf);
        if (size == 0)
            co_return false;
        std::tie(ec, n) = co_await net::async_read(
            client_.socket(), net::buffer(buf + policy::proxy_v2_fixed, size - policy::proxy_v2_fixed), use_tuple);
        if (ec)
            co_return false;
        h = policy::parse_proxy_v2(buf, size);
        break;
    }
    case policy::proxy_version::v1: {
        const std::size_t size = co_await read_proxy_v1_line(buf);
        h = policy::parse_proxy_v1(std::string_view(early_, size));
        break;
    }
    case policy::proxy_version::none:
        co_return false;
    }
    if (!h.valid)
        co_return false;
    if (h.has_address) { // (else: LOCAL or UNKNOWN, the peer speaks for itself)
        h.source.unmap();
        set_client(h.source);
        local_ip_ = h.destination;
        local_ip_.unmap();
        local_known_ = true;
    }
    co_return true;
}

// A v1 line after its first 8 bytes: up to its CRLF, at most 107 bytes in all.
// Balancers send it in one segment, so one peek finds the CRLF and one read
// takes exactly the line; otherwise a byte at a time. Returns the line's
// length, 0 when it is too long or the connection fails.
net::awaitable<std::size_t> session::read_proxy_v1_line(std::uint8_t* buf) {
    const int fd = client_.socket().native_handle();
    std::size_t have = policy::proxy_prefix_size;
    while (have < policy::proxy_v1_max) {
        if (buf[have - 1] == '\n')
            co_return buf[have - 2] == '\r' ? have : 0;
        const ssize_t peeked = ::recv(fd, buf + have, policy::proxy_v1_max - have, MSG_PEEK | MSG_DONTWAIT);
        std::size_t take = 1;
        if (peeked > 0) {
            const auto* end = static_cast<const std::uint8_t*>(std::memchr(buf + have, '\n', static_cast<std::size_t>(peeked)));
            take = end != nullptr ? static_cast<std::size_t>(end - (buf + have)) + 1 : static_cast<std::size_t>(peeked);
        }
        auto [ec, n] = co_await net::async_read(client_.socket(), net::buffer(buf + have, take), use_tuple);
        if (ec)
            co_return 0;
        have += n;
    }
    co_return buf[have - 1] == '\n' && buf[have - 2] == '\r' ? have : 0;
}

policy::client_address session::address_of(const boost::asio::ip::tcp::endpoint& ep) noexcept {
    policy::client_address a;
    const auto ip = ep.address();
    a.v6 = ip.is_v6();
    if (a.v6)
        std::memcpy(a.bytes, ip.to_v6().to_bytes().data(), 16);
    else
        std::memcpy(a.bytes, ip.to_v4().to_bytes().data(), 4);
    a.port = ep.port();
    a.unmap(); // (a dual-stack socket's IPv4 peer: the IPv4 address)
    return a;
}

void session::learn_local_address() {
    error_code ec;
    const auto ep = client_.socket().local_endpoint(ec);
    if (ec)
        return;
    local_ip_ = address_of(ep);
    local_known_ = true;
}

reply_reason session::listener_refusal() {
    const auto& l = cfg_->listeners[listener_];
    if (!policy::access_allows(l.allow, l.deny, client_ip_)) {
        lc().refused(client_refusal::access_rule);
        return reply_reason::forbidden;
    }
    if (l.client_rate != 0 && ctx_.clients != nullptr) {
        const unsigned wait = ctx_.clients->take(ticket_, l.client_rate, l.client_burst, ex_.start);
        if (wait != 0) {
            lc().refused(client_refusal::rate);
            const int n = std::snprintf(refusal_fields_, sizeof refusal_fields_, "Retry-After: %u\r\n", wait);
            refusal_fields_len_ = n > 0 ? static_cast<std::size_t>(n) : 0;
            return reply_reason::too_many_requests;
        }
    }
    return reply_reason::none;
}

reply_reason session::route_refusal() {
    if (route_ == nullptr)
        return reply_reason::none;
    if (!policy::access_allows(route_->allow, route_->deny, client_ip_)) {
        lc().refused(client_refusal::access_rule);
        return reply_reason::forbidden;
    }
    if (!route_->basic_auth)
        return reply_reason::none;
    const auto index = static_cast<std::size_t>(route_ - cfg_->routes.data());
    const auto* users = index < gen_->users.size() ? gen_->users[index].get() : nullptr;
    const auto& h = req_->get();
    if (users != nullptr) {
        // (Several Authorization lines are no credentials: which would count?)
        const auto a = h.find(http::field::authorization);
        if (a != h.end() && h.count(http::field::authorization) == 1 && users->verify(a->value()))
            return reply_reason::none;
    }
    lc().refused(client_refusal::auth);
    const int n = std::snprintf(refusal_fields_, sizeof refusal_fields_,
                                "WWW-Authenticate: Basic realm=\"%s\", charset=\"UTF-8\"\r\n",
                                route_->basic_auth->realm.c_str());
    refusal_fields_len_ = n > 0 && static_cast<std::size_t>(n) < sizeof refusal_fields_ ? static_cast<std::size_t>(n) : 0;
    return reply_reason::unauthorized;
}

net::awaitable<bool> session::refuse_request(reply_reason r) {
    // A listener's deny closes the connection; a route's or the rate's keeps
    // it when no body is left to skip.
    const bool keep = r != reply_reason::forbidden || route_ != nullptr
                          ? client_keep_alive_ && !request_has_body_
                          : false;
    const std::string_view extra = r == reply_reason::too_many_requests || r == reply_reason::unauthorized
                                       ? std::string_view(refusal_fields_, refusal_fields_len_)
                                       : std::string_view{};
    co_await reply(r, keep, extra);
    co_return keep;
}

} // namespace gw
