#pragma once
// What every SSL_CTX of the gateway has, listener or backend: the settings the
// transport relies on (io/transport drives OpenSSL on the descriptor) and the
// one application protocol it speaks.

#include <openssl/ssl.h>

namespace gw::tls {

// ALPN's wire form of "http/1.1" (RFC 7301): a length byte, then the name.
inline constexpr unsigned char alpn_http11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};

// No renegotiation (a read must not turn into a handshake), no compression
// (CRIME), a peer closing without close_notify ends the stream like a TCP FIN
// (HTTP's framing tells a truncated message); writes may complete in part and
// be retried from another address (the relay moves on through its buffers;
// buffers are freed by hand when a connection parks); and read ahead, so that
// one recv takes what the socket has instead of one for a record's header and
// one for its body (kernel TLS would want it off; it is not used).
void apply_context_defaults(SSL_CTX* ctx);

} // namespace gw::tls
