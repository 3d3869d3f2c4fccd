// The client side of HTTPS. On a TLS listener, before the first exchange: the
// first byte tells a TLS client hello from plain HTTP sent to the port (answered
// 400, as nginx does), then the handshake; both under timeouts.client_head, so
// that a client that stalls mid-handshake holds nothing for longer than one
// that stalls mid-head. Every outcome is counted. On a plain listener with
// redirect_https: every request answered with 308 to its https:// URL.
#include "gateway/proxy/client_session.hpp"
#include "gateway/io/use_tuple.hpp"

#include <string_view>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "gateway/http1/host.hpp"
#include "gateway/tls/openssl_ptr.hpp"

namespace gw {

namespace net = boost::asio;
using error_code = boost::system::error_code;

namespace {

#define GW_PLAIN_HTTP_BODY "This port speaks HTTPS: plain HTTP was sent to it.\n"
static_assert(sizeof GW_PLAIN_HTTP_BODY - 1 == 51); // (the Content-Length below)
constexpr std::string_view plain_http_reply =
    "HTTP/1.1 400 Bad Request\r\n"
    "Content-Type: text/plain\r\n"
    "Content-Length: 51\r\n"
    "Connection: close\r\n"
    "\r\n" GW_PLAIN_HTTP_BODY;
#undef GW_PLAIN_HTTP_BODY

tls_failure classify(const error_code& ec) {
    if (ec.category() == tls_category()) {
        const int reason = ec.value() & 0x7fffff;
        if (reason >= SSL_AD_REASON_OFFSET)
            return tls_failure::peer_alert; // "sslv3 alert ...": the client refused
        switch (reason) {
        case SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE:
        case SSL_R_CERTIFICATE_VERIFY_FAILED:
            return tls_failure::client_certificate;
        case SSL_R_NO_SHARED_CIPHER:
        case SSL_R_NO_SHARED_GROUPS:
        case SSL_R_NO_SUITABLE_KEY_SHARE:
        case SSL_R_NO_PROTOCOLS_AVAILABLE:
        case SSL_R_UNSUPPORTED_PROTOCOL:
        case SSL_R_VERSION_TOO_LOW:
        case SSL_R_WRONG_VERSION_NUMBER:
        case SSL_R_UNKNOWN_PROTOCOL:
        case SSL_R_PACKET_LENGTH_TOO_LONG:
        case SSL_R_HTTP_REQUEST:
        case SSL_R_HTTPS_PROXY_REQUEST:
            return tls_failure::protocol;
        default:
            return tls_failure::other;
        }
    }
    if (ec == net::error::eof || ec == net::error::connection_reset || ec == net::error::broken_pipe)
        return tls_failure::closed;
    return tls_failure::other;
}

// The verified client certificate's subject in RFC 2253 form, or empty.
std::string verified_subject(SSL* ssl) {
    X509* peer = SSL_get0_peer_certificate(ssl);
    if (peer == nullptr || SSL_get_verify_result(ssl) != X509_V_OK)
        return {};
    tls::bio_ptr bio(BIO_new(BIO_s_mem()));
    if (!bio || X509_NAME_print_ex(bio.get(), X509_get_subject_name(peer), 0, XN_FLAG_RFC2253) < 0)
        return {};
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio.get(), &data);
    // (A subject longer than a head can carry is not forwarded; none is that long.)
    return n > 0 && n <= 1024 ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

} // namespace

net::awaitable<bool> session::accept_tls(const tls::server_context& tls) {
    arm(cfg_->timeouts.client_head, deadline_kind::client_head);
    auto& counts = lc().tls_failures;
    auto [ec, first] = co_await client_.peek_byte();
    if (ec) {
        // A connection closed before its first byte is a port check, not a
        // failed handshake.
        if (timed_out(deadline_kind::client_head))
            ++counts[static_cast<std::size_t>(tls_failure::timeout)];
        co_return false;
    }
    // A TLS record of the handshake starts 0x16 (an old SSLv2-style hello has
    // the high bit set: OpenSSL judges that one).
    if (first != 0x16 && (first & 0x80) == 0) {
        ++counts[static_cast<std::size_t>(tls_failure::plain_http)];
        ++lc().responses_by_class[3];
        co_await plain_http_refused();
        co_return false;
    }
    auto ssl = tls.new_connection();
    if (!ssl) {
        ++counts[static_cast<std::size_t>(tls_failure::other)];
        co_return false;
    }
    client_.start_tls(ssl.release());
    ec = co_await client_.handshake();
    if (ec) {
        const auto why = timed_out(deadline_kind::client_head) ? tls_failure::timeout : classify(ec);
        ++counts[static_cast<std::size_t>(why)];
        co_return false;
    }
    if (SSL_session_reused(client_.tls()) == 1)
        ++lc().tls_resumed;
    else
        ++lc().tls_handshakes;
    if (!tls.settings().client_subject_header.empty())
        client_subject_ = verified_subject(client_.tls());
    co_return true;
}

net::awaitable<void> session::plain_http_refused() {
    auto [ec, n] = co_await client_.write({net::buffer(plain_http_reply), net::const_buffer()}, false);
    lc().bytes_out += n;
    if (ec)
        co_return;
    // Read what the client sent until it closes (bounded by the same deadline),
    // so that closing with its request unread does not reset the connection
    // before it has read the reply.
    error_code ignored;
    client_.socket().shutdown(transport::socket_type::shutdown_send, ignored);
    for (std::size_t total = 0; total < 64 * 1024;) {
        auto [rec, got] = co_await client_.read_some(net::buffer(early_));
        if (rec)
            break;
        total += got;
    }
}

net::awaitable<bool> session::redirect_https() {
    const auto& h = req_->get();
    const bool keep = client_keep_alive_ && !request_has_body_; // (a body is not read)
    const auto host = strip_port(h[boost::beast::http::field::host]);
    if (host.empty()) { // HTTP/1.0 without Host: no URL to send it to
        co_await reply(reply_reason::bad_request, false);
        co_return false;
    }
    alloc::buffer_lease lease;
    if (!co_await own_buffer(lease))
        co_return false;
    const auto n = render_https_redirect(host, cfg_->listeners[listener_].https_port, h.target(), keep,
                                         head_request_, reinterpret_cast<char*>(lease.data()), lease.size());
    if (n == 0) { // (a target as long as a head is allowed, plus the URL, overflows)
        lease.reset();
        co_await reply(reply_reason::header_too_large, false);
        co_return false;
    }
    ex_.seen = true;
    ex_.status = 308;
    co_await write_own(lease, n);
    co_return keep;
}

} // namespace gw
