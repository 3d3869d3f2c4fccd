#pragma once
// A TLS listener's OpenSSL context: its policy (versions, ciphers, groups, ALPN
// http/1.1, client certificates, tickets) in one SSL_CTX, and its certificates
// in a certificate_store picked per connection in the client-hello callback
// (SSL_use_cert_and_key on the connection, as OpenSSL's maintainers advise
// instead of swapping SSL_CTXs). A certificate reload swaps the store only: new
// handshakes take the new one, open connections keep what they were given.
// Built at start (throws), then shared by every worker: new_connection() and
// the callbacks are thread-safe.

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

    std::shared_ptr<const certificate_store> certificates() const { return store_.load(); }
    // Reload: new handshakes use `next`.
    void replace_certificates(std::shared_ptr<const certificate_store> next) { store_.store(std::move(next)); }
    ticket_keys& tickets() noexcept { return tickets_; }
    const config::listener_tls_config& settings() const noexcept { return cfg_; }

private:
    static int on_client_hello(SSL* ssl, int* alert, void* self);

    config::listener_tls_config cfg_;
    ctx_ptr ctx_;
    ticket_keys tickets_;
    std::atomic<std::shared_ptr<const certificate_store>> store_;
};

} // namespace gw::tls
