#pragma once
// gwbench's TLS client side (an https:// URL): OpenSSL on the connection's own
// non-blocking descriptor, as the gateway does. No certificate verification
// (a benchmark measures the server; the certificate is the test's own), SNI
// from the URL's host, ALPN http/1.1, TLS 1.2 or 1.3 as the server chooses
// (--tls-max 1.2 to pin it). With resumption on (the default, as browsers
// do), each connection offers the session of its previous one, so that with
// `-H "Connection: close"` every request costs one resumed handshake; off, a
// full one.

#include <cstddef>
#include <string>

#include <openssl/ssl.h>

namespace gw::bench {

struct tls_options {
    bool enabled = false; // the URL is https://
    bool resume = true;
    int max_version = 0;  // 0: TLS 1.3
    std::string sni;      // empty: none (an IP address)
};

// One per run, shared by the threads (OpenSSL's SSL_CTX is thread-safe).
class tls_client_context {
public:
    explicit tls_client_context(const tls_options& o);
    ~tls_client_context();
    tls_client_context(const tls_client_context&) = delete;
    tls_client_context& operator=(const tls_client_context&) = delete;
    SSL_CTX* get() const noexcept { return ctx_; }
    const tls_options& options() const noexcept { return o_; }

private:
    tls_options o_;
    SSL_CTX* ctx_ = nullptr;
};

// What an operation that could not finish waits for (or `failed`).
enum class tls_step { done, want_read, want_write, failed, closed };

// The TLS state of one benchmark connection, across its reconnections.
class tls_session {
public:
    ~tls_session();
    // A new connection on `fd` (its previous session offered when resuming).
    bool attach(const tls_client_context& ctx, int fd);
    tls_step handshake();
    // Bytes moved (> 0) with done, or 0 with what to wait for.
    tls_step read(void* out, std::size_t n, std::size_t& got);
    tls_step write(const void* in, std::size_t n, std::size_t& put);
    // Keeps the session for the next connection; frees the connection.
    void detach();
    bool reused() const noexcept { return ssl_ != nullptr && SSL_session_reused(ssl_) == 1; }

private:
    tls_step classify(int r);
    SSL* ssl_ = nullptr;
    SSL_SESSION* last_ = nullptr;
    bool resume_ = true;
};

} // namespace gw::bench
