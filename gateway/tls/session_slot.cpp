#include "gateway/tls/session_slot.hpp"

namespace gw::tls {

session_slot::~session_slot() {
    if (session_ != nullptr)
        SSL_SESSION_free(session_);
}

void session_slot::offer(SSL* ssl) const {
    std::lock_guard lock(mutex_);
    if (session_ != nullptr)
        SSL_set_session(ssl, session_);
}

void session_slot::keep(SSL_SESSION* session) {
    std::lock_guard lock(mutex_);
    if (session_ != nullptr)
        SSL_SESSION_free(session_);
    session_ = session;
}

} // namespace gw::tls
