#include "gateway/tls/server_context.hpp"

#include <openssl/err.h>
#include <openssl/tls1.h>

#include "gateway/tls/context_defaults.hpp"
#include "gateway/tls/errors.hpp"

namespace gw::tls {

namespace {

// The host name of the client hello's server_name extension (RFC 6066 section
// 3), or empty.
std::string_view sni_of(SSL* ssl) {
    const unsigned char* p = nullptr;
    std::size_t len = 0;
    if (SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_server_name, &p, &len) != 1 || len < 5) return {};
    const std::size_t list = static_cast<std::size_t>(p[0]) << 8 | p[1];
    if (list + 2 != len || p[2] != TLSEXT_NAMETYPE_host_name) return {};
    const std::size_t n = static_cast<std::size_t>(p[3]) << 8 | p[4];
    if (n + 5 > len) return {};
    return {reinterpret_cast<const char*>(p + 5), n};
}

int select_alpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
                unsigned inlen, void*) {
    unsigned char* chosen = nullptr;
    if (SSL_select_next_proto(&chosen, outlen, alpn_http11, sizeof alpn_http11, in, inlen) !=
        OPENSSL_NPN_NEGOTIATED)
        return SSL_TLSEXT_ERR_NOACK; // no ALPN agreed: HTTP/1.1 anyway, as without ALPN
    *out = chosen;
    return SSL_TLSEXT_ERR_OK;
}

int on_ticket_key(SSL* ssl, unsigned char name[16], unsigned char iv[16], EVP_CIPHER_CTX* cipher,
                  EVP_MAC_CTX* mac, int encrypt) {
    auto* tickets = static_cast<ticket_keys*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), 0));
    const int r = tickets->on_ticket(name, iv, cipher, mac, encrypt);
    // TLS 1.3 clients use a ticket once (RFC 8446 appendix C.4; browsers do):
    // a resumed connection gets a fresh one, or the next would be a full handshake.
    if (r == 1 && !encrypt && SSL_version(ssl) == TLS1_3_VERSION)
        return 2;
    return r;
}

void apply_policy(SSL_CTX* ctx, const config::listener_tls_config& cfg, const std::string& where) {
    apply_context_defaults(ctx);
    SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
    SSL_CTX_set_min_proto_version(ctx, cfg.min_version == config::tls_version::v1_3 ? TLS1_3_VERSION
                                                                                     : TLS1_2_VERSION);
    if (!cfg.ciphers.empty() && SSL_CTX_set_cipher_list(ctx, cfg.ciphers.c_str()) != 1)
        refuse(where + ".ciphers \"" + cfg.ciphers + "\" is refused");
    if (!cfg.ciphersuites.empty() && SSL_CTX_set_ciphersuites(ctx, cfg.ciphersuites.c_str()) != 1)
        refuse(where + ".ciphersuites \"" + cfg.ciphersuites + "\" is refused");
    if (!cfg.groups.empty() && SSL_CTX_set1_groups_list(ctx, cfg.groups.c_str()) != 1)
        refuse(where + ".groups \"" + cfg.groups + "\" is refused");
    SSL_CTX_set_alpn_select_cb(ctx, select_alpn, nullptr);
    // Tickets only: no server-side cache (a lock shared by the workers, and a
    // session that only one process would know).
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    if (cfg.session_tickets) {
        SSL_CTX_set_num_tickets(ctx, 1);
    } else {
        SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
        SSL_CTX_set_num_tickets(ctx, 0);
    }
    static constexpr unsigned char id[] = "gateway";
    SSL_CTX_set_session_id_context(ctx, id, sizeof id - 1);
}

void apply_client_verify(SSL_CTX* ctx, const config::listener_tls_config& cfg) {
    if (cfg.client_verify == config::client_verify_mode::off) return;
    const auto& ca = cfg.client_ca;
    if (SSL_CTX_load_verify_locations(ctx, ca.path.c_str(), nullptr) != 1)
        refuse_file(ca, take_errors());
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(ca.path.c_str());
    if (names == nullptr) refuse(ca.origin + ": no CA certificate in " + ca.path);
    SSL_CTX_set_client_CA_list(ctx, names);
    const int mode = cfg.client_verify == config::client_verify_mode::required
                         ? SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT
                         : SSL_VERIFY_PEER;
    SSL_CTX_set_verify(ctx, mode, nullptr);
}

} // namespace

server_context::server_context(const config::listener_tls_config& cfg)
    : cfg_(cfg),
      where_(cfg.certificates.front().cert.origin.substr(0, cfg.certificates.front().cert.origin.find(".certificates"))),
      tickets_(cfg.ticket_rotation) {
    current_.store(build(std::make_shared<const certificate_store>(cfg.certificates)));
}

std::shared_ptr<const server_context::generation>
server_context::build(std::shared_ptr<const certificate_store> store) {
    auto g = std::make_shared<generation>();
    g->ctx.reset(SSL_CTX_new(TLS_server_method()));
    SSL_CTX* ctx = g->ctx.get();
    if (ctx == nullptr) refuse("cannot create a TLS context");
    apply_policy(ctx, cfg_, where_);
    apply_client_verify(ctx, cfg_);
    SSL_CTX_set_ex_data(ctx, 0, &tickets_);
    if (cfg_.session_tickets) SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, on_ticket_key);
    SSL_CTX_set_client_hello_cb(ctx, on_client_hello, this);
    for (const certificate* c : store->defaults())
        if (SSL_CTX_use_cert_and_key(ctx, c->leaf.get(), c->key.get(), c->chain.get(), 1) != 1)
            refuse(where_ + ": cannot use the certificate " + c->file);
    g->store = std::move(store);
    return g;
}

void server_context::replace_certificates(std::shared_ptr<const certificate_store> next) {
    current_.store(build(std::move(next)));
}

ssl_ptr server_context::new_connection() const {
    ssl_ptr ssl(SSL_new(current_.load()->ctx.get()));
    if (ssl) SSL_set_accept_state(ssl.get());
    return ssl;
}

int server_context::on_client_hello(SSL* ssl, int* alert, void* arg) {
    const auto* self = static_cast<const server_context*>(arg);
    const auto now = self->current_.load();
    const auto chosen = now->store->select(sni_of(ssl));
    // The default certificates of the connection's own SSL_CTX are on it already.
    if (chosen.data() == now->store->defaults().data() && SSL_get_SSL_CTX(ssl) == now->ctx.get())
        return SSL_CLIENT_HELLO_SUCCESS;
    SSL_certs_clear(ssl); // (a default of another key type must not stay beside them)
    for (const certificate* c : chosen) {
        if (SSL_use_cert_and_key(ssl, c->leaf.get(), c->key.get(), c->chain.get(), 1) != 1) {
            *alert = SSL_AD_INTERNAL_ERROR;
            return SSL_CLIENT_HELLO_ERROR;
        }
    }
    return SSL_CLIENT_HELLO_SUCCESS;
}

} // namespace gw::tls
