#include "bench/gwbench/tls_session.hpp"

#include <stdexcept>

#include <openssl/err.h>

namespace gw::bench {

namespace {
constexpr unsigned char alpn_http11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
}

tls_client_context::tls_client_context(const tls_options& o) : o_(o), ctx_(SSL_CTX_new(TLS_client_method())) {
    if (ctx_ == nullptr) throw std::runtime_error("cannot create a TLS context");
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_NONE, nullptr);
    SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
    if (o.max_version != 0) SSL_CTX_set_max_proto_version(ctx_, o.max_version);
    SSL_CTX_set_alpn_protos(ctx_, alpn_http11, sizeof alpn_http11);
    SSL_CTX_set_mode(ctx_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    // Sessions are kept by each connection (tls_session), not in a shared cache.
    SSL_CTX_set_session_cache_mode(ctx_, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
}

tls_client_context::~tls_client_context() {
    SSL_CTX_free(ctx_);
}

tls_session::~tls_session() {
    if (ssl_ != nullptr) SSL_free(ssl_);
    if (last_ != nullptr) SSL_SESSION_free(last_);
}

bool tls_session::attach(const tls_client_context& ctx, int fd) {
    detach();
    resume_ = ctx.options().resume;
    ssl_ = SSL_new(ctx.get());
    if (ssl_ == nullptr) return false;
    SSL_set_fd(ssl_, fd);
    SSL_set_connect_state(ssl_);
    if (!ctx.options().sni.empty()) // (SSL_set_tlsext_host_name, without its C cast)
        SSL_ctrl(ssl_, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                 const_cast<char*>(ctx.options().sni.c_str()));
    if (resume_ && last_ != nullptr) SSL_set_session(ssl_, last_);
    return true;
}

tls_step tls_session::classify(int r) {
    switch (SSL_get_error(ssl_, r)) {
    case SSL_ERROR_WANT_READ:
        return tls_step::want_read;
    case SSL_ERROR_WANT_WRITE:
        return tls_step::want_write;
    case SSL_ERROR_ZERO_RETURN:
        return tls_step::closed;
    case SSL_ERROR_SYSCALL:
        ERR_clear_error();
        return errno == 0 ? tls_step::closed : tls_step::failed;
    default:
        ERR_clear_error();
        return tls_step::failed;
    }
}

tls_step tls_session::handshake() {
    ERR_clear_error();
    errno = 0;
    const int r = SSL_do_handshake(ssl_);
    return r == 1 ? tls_step::done : classify(r);
}

tls_step tls_session::read(void* out, std::size_t n, std::size_t& got) {
    ERR_clear_error();
    errno = 0;
    got = 0;
    const int r = SSL_read_ex(ssl_, out, n, &got);
    return r == 1 ? tls_step::done : classify(r);
}

tls_step tls_session::write(const void* in, std::size_t n, std::size_t& put) {
    ERR_clear_error();
    errno = 0;
    put = 0;
    const int r = SSL_write_ex(ssl_, in, n, &put);
    return r == 1 ? tls_step::done : classify(r);
}

void tls_session::detach() {
    if (ssl_ == nullptr) return;
    // A TLS 1.3 ticket arrives after the handshake: the session now is the
    // one to offer next time (a connection without one keeps the previous).
    if (resume_) {
        SSL_SESSION* s = SSL_get1_session(ssl_);
        if (s != nullptr && SSL_SESSION_is_resumable(s) == 1) {
            if (last_ != nullptr) SSL_SESSION_free(last_);
            last_ = s;
        } else if (s != nullptr) {
            SSL_SESSION_free(s);
        }
    }
    // (Marked as shut down, so that SSL_free does not take the session for a
    // broken one, which would make it unresumable: no close_notify is sent.)
    SSL_set_shutdown(ssl_, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    SSL_free(ssl_);
    ssl_ = nullptr;
}

} // namespace gw::bench
