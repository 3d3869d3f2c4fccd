// A route's rules in the exchange (config [[routes]]): the answers a route
// gives itself (a redirect, a fixed response), its path rewrite and its field
// rules. Only routes that have rules come here (router::match.route).
#include "gateway/proxy/client_session.hpp"

#include <string>

#include "gateway/http1/host.hpp"

namespace gw {

namespace net = boost::asio;
namespace http = boost::beast::http;

rule_values session::values_for_rules() const {
    const auto& h = req_->get();
    return {std::string_view(client_addr_, client_addr_len_), std::string_view(request_id_, request_id_[0] ? request_id_length : 0),
            h[http::field::host], sent_path_.empty() ? path_of(h.target()) : std::string_view(sent_path_),
            client_.is_tls() ? "https" : "http"};
}

void session::apply_request_rules(request_head& h) {
    if (rewrites_path(*route_)) {
        sent_path_ = path_of(h.target());
        h.target(rewrite_target(*route_, h.target()));
    }
    if (!route_->request_headers.empty())
        apply_field_rules(h, route_->request_headers, values_for_rules());
}

void session::apply_response_rules(response_head& m) {
    if (!route_->response_headers.empty())
        apply_field_rules(m, route_->response_headers, values_for_rules());
}

net::awaitable<bool> session::answer_route(const config::route_config& r) {
    const auto& h = req_->get();
    const bool keep = client_keep_alive_ && !request_has_body_ && !closing(); // (a body is not read)
    response_head m;
    std::string_view body;
    if (r.redirect) {
        const auto host = h[http::field::host];
        if (host.empty() && r.redirect->host.empty()) { // HTTP/1.0 without Host: no URL to send it to
            co_await reply(reply_reason::bad_request, false);
            co_return false;
        }
        m.result(r.redirect->status);
        m.set(http::field::location,
              redirect_location(*r.redirect, client_.is_tls() ? "https" : "http", host, h.target()));
        m.set(http::field::content_type, "text/plain");
    } else {
        m.result(r.respond->status);
        m.set(http::field::content_type, r.respond->content_type);
        body = r.respond->body;
    }
    m.set(http::field::connection, keep ? "keep-alive" : "close");
    apply_response_rules(m);
    alloc::buffer_lease lease;
    if (!co_await own_buffer(lease))
        co_return false;
    const auto n = render_response(m, body, head_request_, reinterpret_cast<char*>(lease.data()), lease.size());
    if (n == 0) { // (a redirect to a target as long as a head, or rules that overflow a buffer)
        lease.reset();
        co_await reply(reply_reason::internal_error, false);
        co_return false;
    }
    ex_.seen = true;
    ex_.status = m.result_int();
    co_await write_own(lease, n);
    co_return keep;
}

} // namespace gw
