#pragma once
// TLS to one backend's servers: an SSL_CTX with verification on by default
// (the backend's CA file or the system store), ALPN http/1.1, an optional
// client certificate. Each server keeps the last session it gave in a
// session_slot of its own, offered on the next new connection so that it
// resumes. Built at start (throws load_error), shared by every worker.

#include <string>

#include "config/config.hpp"
#include "gateway/tls/openssl_ptr.hpp"
#include "gateway/tls/session_slot.hpp"

namespace gw::tls {

class client_context {
public:
    explicit client_context(const config::upstream_tls_config& cfg);
    client_context(const client_context&) = delete;
    client_context& operator=(const client_context&) = delete;

    // A client-side connection object for a server, sending `name` as SNI
    // (unless it is an IP address) and verifying the certificate for it (host
    // name or IP address); the session in `slot` offered, and the sessions the
    // server gives kept there (`slot` must outlive the connection). Null when
    // OpenSSL is out of memory.
    ssl_ptr new_connection(session_slot& slot, const std::string& name) const;
    // Why a handshake on `ssl` failed verification ("certificate has expired"),
    // or empty when verification was not what failed.
    static std::string verify_failure(SSL* ssl);

private:
    static int on_new_session(SSL* ssl, SSL_SESSION* session);

    ctx_ptr ctx_;
    bool verify_;
};

} // namespace gw::tls
