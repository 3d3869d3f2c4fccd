#pragma once
// The last TLS session one server gave, offered on the next new connection to
// it so that the handshake resumes. Each server keeps its own (it lives as long
// as the server does, however the server came and goes); shared by every
// worker: one lock per new connection, never per request (kept-alive
// connections are pooled).

#include <mutex>

#include <openssl/ssl.h>

namespace gw::tls {

class session_slot {
public:
    session_slot() = default;
    ~session_slot();
    session_slot(const session_slot&) = delete;
    session_slot& operator=(const session_slot&) = delete;

    // Sets the kept session on `ssl`, if there is one.
    void offer(SSL* ssl) const;
    // Keeps `session` (the reference becomes the slot's), in place of the last.
    void keep(SSL_SESSION* session);

private:
    mutable std::mutex mutex_;
    SSL_SESSION* session_ = nullptr; // owned
};

} // namespace gw::tls
