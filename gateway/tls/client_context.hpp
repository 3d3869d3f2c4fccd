#pragma once
// TLS to one backend's servers: an SSL_CTX with verification on by default
// (the backend's CA file or the system store), ALPN http/1.1, an optional
// client certificate; and per server the last session the server gave, offered
// on the next new connection so that it resumes (one lock per new connection,
// never per request: kept-alive connections are pooled). Built at start
// (throws load_error), shared by every worker.

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "gateway/tls/openssl_ptr.hpp"

namespace gw::tls {

class client_context {
public:
    // `servers`: how many servers the backend has.
    client_context(const config::upstream_tls_config& cfg, std::size_t servers);
    ~client_context();
    client_context(const client_context&) = delete;
    client_context& operator=(const client_context&) = delete;

    // A client-side connection object for server `server`, sending `name` as
    // SNI (unless it is an IP address) and verifying the certificate for it
    // (host name or IP address); the server's last session offered. Null when
    // OpenSSL is out of memory.
    ssl_ptr new_connection(std::size_t server, const std::string& name) const;
    // Why a handshake on `ssl` failed verification ("certificate has expired"),
    // or empty when verification was not what failed.
    static std::string verify_failure(SSL* ssl);

private:
    static int on_new_session(SSL* ssl, SSL_SESSION* session);

    ctx_ptr ctx_;
    bool verify_;
    mutable std::mutex sessions_mutex_;
    mutable std::vector<SSL_SESSION*> sessions_; // per server; owned
};

} // namespace gw::tls
