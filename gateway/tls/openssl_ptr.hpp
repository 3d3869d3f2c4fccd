#pragma once
// Owning pointers to OpenSSL objects (each freed with its own function), so that
// no start-up path that throws can leak one.

#include <memory>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace gw::tls {

struct openssl_free {
    void operator()(SSL_CTX* p) const noexcept { SSL_CTX_free(p); }
    void operator()(SSL* p) const noexcept { SSL_free(p); }
    void operator()(X509* p) const noexcept { X509_free(p); }
    void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
    void operator()(BIO* p) const noexcept { BIO_free(p); }
    void operator()(STACK_OF(X509)* p) const noexcept { sk_X509_pop_free(p, X509_free); }
};

using ctx_ptr = std::unique_ptr<SSL_CTX, openssl_free>;
using ssl_ptr = std::unique_ptr<SSL, openssl_free>;
using x509_ptr = std::unique_ptr<X509, openssl_free>;
using pkey_ptr = std::unique_ptr<EVP_PKEY, openssl_free>;
using bio_ptr = std::unique_ptr<BIO, openssl_free>;
using chain_ptr = std::unique_ptr<STACK_OF(X509), openssl_free>;

} // namespace gw::tls
