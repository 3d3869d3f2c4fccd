#pragma once
// One certificate as a listener serves it: the leaf, its chain and key (all
// reference-counted by OpenSSL, so that a connection keeps what it was given
// when a reload replaces them), the names it answers for, and its expiry.

#include <ctime>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "gateway/tls/openssl_ptr.hpp"

namespace gw::tls {

struct certificate {
    x509_ptr leaf;
    pkey_ptr key;
    chain_ptr chain;                // the certificates after the leaf, maybe none
    std::vector<std::string> names; // lower-case DNS names, "*.example.com" kept as written
    std::time_t not_after = 0;      // the leaf's expiry (seconds since 1970)
    std::string key_type;           // "rsa", "ecdsa", ... for metrics
    std::string file;               // the certificate's path, for metrics and logs
};

// Reads and checks a certificate and its key: PEM, the key matches the leaf,
// the leaf has at least one DNS name (subjectAltName, else the subject's CN).
// Throws load_error: "<origin>: cannot load <file>: <reason>".
certificate load_certificate(const config::certificate_config& c);

} // namespace gw::tls
