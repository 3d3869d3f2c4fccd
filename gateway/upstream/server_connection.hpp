#pragma once
// Opening a connection to a server, for the connector and the health checks
// alike: TCP, then, for a server with TLS, the handshake (SNI, the certificate
// verified for the server's name, its last session offered). Runs under the
// caller's deadline: cancelling the transport ends it. A TLS failure is
// logged once a second per server at most, with OpenSSL's reason.

#include <cstddef>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "gateway/io/transport.hpp"
#include "gateway/tls/client_context.hpp"

namespace gw {

struct server_state;

// What TLS a server gets: none when `ctx` is null.
struct server_tls {
    const tls::client_context* ctx = nullptr;
    tls::session_slot* session = nullptr; // the server's own (resumption)
    const std::string* name = nullptr; // SNI and verified name (empty: none / its IP)
};

// Makes `t` a connection to `ep` (plain, or TLS when `tls.ctx`). `who` names
// the server in the error log ("app/s1"). `preface`: bytes written first,
// before any TLS (a PROXY protocol header).
boost::asio::awaitable<boost::system::error_code>
open_server_connection(transport& t, const boost::asio::ip::tcp::endpoint& ep, server_tls tls,
                       server_state& s, const std::string& who, std::string_view preface = {});

} // namespace gw
