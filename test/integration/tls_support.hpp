#pragma once
// TLS for the integration tests: certificates made at test time with OpenSSL
// (a CA and leaves signed by it, in a temporary directory), and a blocking TLS
// client on OpenSSL with a receive timeout, that can send SNI, offer a
// session, restrict versions and signature algorithms, and present a client
// certificate.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <openssl/ssl.h>

namespace gw::test {

class test_pki {
public:
    test_pki();  // a fresh directory with a CA (ca.crt, ca.key)
    ~test_pki(); // removes it
    test_pki(const test_pki&) = delete;
    test_pki& operator=(const test_pki&) = delete;

    // Writes <stem>.crt and <stem>.key: a leaf for `names` (DNS subjectAltNames,
    // the first also the CN) signed by this CA (or by itself when `self_signed`),
    // valid from now for `days` (negative: it expired that long ago).
    // `key`: "ec" (P-256) or "rsa" (2048 bits).
    void issue(const std::string& stem, const std::vector<std::string>& names,
               const std::string& key = "ec", int days = 30, bool self_signed = false);
    std::string path(const std::string& file) const { return (dir_ / file).string(); }
    std::string ca() const { return path("ca.crt"); }
    const std::filesystem::path& dir() const { return dir_; }

private:
    std::filesystem::path dir_;
};

struct tls_client_options {
    std::string sni{};               // empty: none sent
    SSL_SESSION* session = nullptr;  // offered for resumption (not taken over)
    std::string ca{};                // verify the server against it (empty: no verification)
    std::string cert{}, key{};       // a client certificate
    std::string sigalgs{};           // e.g. "ECDSA+SHA256" to accept only ECDSA certificates
    int max_version = 0;             // e.g. TLS1_2_VERSION
    std::chrono::milliseconds timeout{10000};
};

class tls_client {
public:
    tls_client(std::uint16_t port, const tls_client_options& o);
    ~tls_client();
    tls_client(const tls_client&) = delete;
    tls_client& operator=(const tls_client&) = delete;

    bool handshake_ok() const noexcept { return ok_; }
    const std::string& error() const noexcept { return error_; }
    bool reused() const;
    std::string version() const;
    // The server certificate's DNS names, comma-separated; its key type ("rsa"/"ec").
    std::string peer_names() const;
    std::string peer_key_type() const;
    // The session to resume later (the caller frees it with SSL_SESSION_free).
    SSL_SESSION* session() const;

    bool send(const std::string& bytes);
    // One response (head and Content-Length body) as raw text; "" on close,
    // error or timeout before it is complete.
    std::string read_response();
    // True when the server closed (close_notify, EOF or reset) within the timeout.
    bool closed();

private:
    int fd_ = -1;
    SSL_CTX* ctx_ = nullptr;
    SSL* ssl_ = nullptr;
    bool ok_ = false;
    std::string error_;
    std::string pending_; // read past the last response
};

// A response's status code (0 if none) and body.
int status_of(const std::string& response);
std::string body_of(const std::string& response);

} // namespace gw::test
