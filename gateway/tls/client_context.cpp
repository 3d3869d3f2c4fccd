#include "gateway/tls/client_context.hpp"

#include <arpa/inet.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "gateway/tls/context_defaults.hpp"
#include "gateway/tls/errors.hpp"

namespace gw::tls {

namespace {

bool is_ip_address(const std::string& name) {
    unsigned char buf[16];
    return inet_pton(AF_INET, name.c_str(), buf) == 1 || inet_pton(AF_INET6, name.c_str(), buf) == 1;
}

void load(SSL_CTX* ctx, const config::upstream_tls_config& cfg) {
    if (!cfg.ca.empty()) {
        if (SSL_CTX_load_verify_locations(ctx, cfg.ca.path.c_str(), nullptr) != 1)
            refuse_file(cfg.ca, take_errors());
    } else if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
        refuse("cannot load the system's CA store");
    }
    if (!cfg.cert.empty()) {
        if (SSL_CTX_use_certificate_chain_file(ctx, cfg.cert.path.c_str()) != 1)
            refuse_file(cfg.cert, take_errors());
        if (SSL_CTX_use_PrivateKey_file(ctx, cfg.key.path.c_str(), SSL_FILETYPE_PEM) != 1)
            refuse_file(cfg.key, take_errors());
        if (SSL_CTX_check_private_key(ctx) != 1)
            refuse_file(cfg.key, "the key does not match the certificate " + cfg.cert.path);
    }
}

} // namespace

client_context::client_context(const config::upstream_tls_config& cfg)
    : ctx_(SSL_CTX_new(TLS_client_method())), verify_(cfg.verify) {
    if (!ctx_)
        refuse("cannot create a TLS context");
    SSL_CTX* ctx = ctx_.get();
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    apply_context_defaults(ctx);
    SSL_CTX_set_alpn_protos(ctx, alpn_http11, sizeof alpn_http11);
    load(ctx, cfg);
    SSL_CTX_set_verify(ctx, cfg.verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, nullptr);
    // Sessions (TLS 1.3 tickets arrive after the handshake) are kept in each
    // server's slot, not in OpenSSL's internal cache.
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(ctx, on_new_session);
}

ssl_ptr client_context::new_connection(session_slot& slot, const std::string& name) const {
    ssl_ptr ssl(SSL_new(ctx_.get()));
    if (!ssl)
        return ssl;
    SSL_set_connect_state(ssl.get());
    // The server's slot rides on the connection for on_new_session.
    SSL_set_app_data(ssl.get(), &slot);
    if (!name.empty()) {
        if (is_ip_address(name)) {
            if (verify_)
                X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl.get()), name.c_str());
        } else {
            // (SSL_set_tlsext_host_name, without its C cast)
            SSL_ctrl(ssl.get(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                     const_cast<char*>(name.c_str()));
            if (verify_)
                SSL_set1_host(ssl.get(), name.c_str());
        }
    }
    slot.offer(ssl.get());
    return ssl;
}

int client_context::on_new_session(SSL* ssl, SSL_SESSION* session) {
    auto* slot = static_cast<session_slot*>(SSL_get_app_data(ssl));
    if (slot == nullptr || SSL_SESSION_is_resumable(session) != 1)
        return 0; // not kept: OpenSSL frees it
    slot->keep(session);
    return 1; // kept: the reference is the slot's
}

std::string client_context::verify_failure(SSL* ssl) {
    const long result = SSL_get_verify_result(ssl);
    return result == X509_V_OK ? std::string() : X509_verify_cert_error_string(result);
}

} // namespace gw::tls
