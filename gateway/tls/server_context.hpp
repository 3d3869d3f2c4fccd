#pragma once
// A TLS listener's OpenSSL context: its policy (versions, ciphers, groups, ALPN
// http/1.1, client certificates, tickets) and its certificates. The default
// certificates (the first listed, with its RSA or ECDSA twin) are installed on
// the SSL_CTX itself, so that a connection that asks for no other name costs
// nothing more than SSL_new; another name gets its certificates in the
// client-hello callback (SSL_use_cert_and_key on the connection, as OpenSSL's
// maintainers advise instead of swapping SSL_CTXs mid-handshake). A
// certificate reload builds a new SSL_CTX (same policy, same ticket keys) and
// publishes it with its store: new handshakes take them, open connections keep
// theirs (each SSL holds its SSL_CTX). Built at start (throws), then shared by
// every worker: new_connection() and the callbacks are thread-safe.

#include <atomic>
#include <memory>
#include <string>

#include "config/config.hpp"
#include "gateway/tls/certificate_store.hpp"
#include "gateway/tls/openssl_ptr.hpp"
#include "gateway/tls/ticket_keys.hpp"

namespace gw::tls {

class server_context {
public:
    // Throws load_error: a file or setting OpenSSL refuses, named as in the config.
    explicit server_context(const config::listener_tls_config& cfg);
    server_context(const server_context&) = delete;
    server_context& operator=(const server_context&) = delete;

    // A server-side connection object, or null (OpenSSL out of memory).
    ssl_ptr new_connection() const;

    std::shared_ptr<const certificate_store> certificates() const { return current_.load()->store; }
    // Reload: new handshakes use `next`. Throws load_error (the old ones stay).
    void replace_certificates(std::shared_ptr<const certificate_store> next);
    ticket_keys& tickets() noexcept { return tickets_; }
    const config::listener_tls_config& settings() const noexcept { return cfg_; }

private:
    // One generation of certificates: its SSL_CTX, with the default ones on it.
    struct generation {
        ctx_ptr ctx;
        std::shared_ptr<const certificate_store> store;
    };
    std::shared_ptr<const generation> build(std::shared_ptr<const certificate_store> store);
    static int on_client_hello(SSL* ssl, int* alert, void* self);

    config::listener_tls_config cfg_;
    std::string where_; // "file:line:col: listeners[i].tls", for messages
    ticket_keys tickets_;
    std::atomic<std::shared_ptr<const generation>> current_;
};

} // namespace gw::tls
