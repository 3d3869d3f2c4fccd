#include "test/integration/tls_support.hpp"

#include <cstdio>
#include <cstring>
#include <memory>
#include <random>
#include <stdexcept>

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

namespace gw::test {

namespace {

namespace fs = std::filesystem;

EVP_PKEY* make_key(const std::string& type) {
    EVP_PKEY* k = type == "rsa" ? EVP_RSA_gen(2048) : EVP_EC_gen("P-256");
    if (k == nullptr) throw std::runtime_error("cannot make a " + type + " key");
    return k;
}

void write_pem(const fs::path& p, X509* cert, EVP_PKEY* key) {
    std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(p.c_str(), "w"), &std::fclose);
    if (!f) throw std::runtime_error("cannot write " + p.string());
    if (cert != nullptr) PEM_write_X509(f.get(), cert);
    if (key != nullptr) PEM_write_PrivateKey(f.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
}

template <class T>
T* read_pem(const fs::path& p, T* (*reader)(FILE*, T**, pem_password_cb*, void*)) {
    std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(p.c_str(), "r"), &std::fclose);
    return f ? reader(f.get(), nullptr, nullptr, nullptr) : nullptr;
}

X509* make_cert(EVP_PKEY* key, const std::string& cn, const std::vector<std::string>& names,
                int days, X509* issuer, EVP_PKEY* issuer_key, bool ca) {
    X509* x = X509_new();
    X509_set_version(x, 2);
    static std::mt19937_64 serials{std::random_device{}()};
    ASN1_INTEGER_set_uint64(X509_get_serialNumber(x), serials() >> 1);
    if (days >= 0) {
        X509_gmtime_adj(X509_getm_notBefore(x), -3600);
        X509_gmtime_adj(X509_getm_notAfter(x), static_cast<long>(days) * 86400);
    } else {
        X509_gmtime_adj(X509_getm_notBefore(x), (static_cast<long>(days) - 30) * 86400);
        X509_gmtime_adj(X509_getm_notAfter(x), static_cast<long>(days) * 86400);
    }
    X509_set_pubkey(x, key);
    X509_NAME* name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn.c_str()),
                               -1, -1, 0);
    X509_set_issuer_name(x, issuer != nullptr ? X509_get_subject_name(issuer) : name);
    X509V3_CTX v3;
    X509V3_set_ctx(&v3, issuer != nullptr ? issuer : x, x, nullptr, nullptr, 0);
    auto add = [&](int nid, const std::string& value) {
        X509_EXTENSION* e = X509V3_EXT_conf_nid(nullptr, &v3, nid, value.c_str());
        if (e == nullptr) throw std::runtime_error("bad extension " + value);
        X509_add_ext(x, e, -1);
        X509_EXTENSION_free(e);
    };
    add(NID_basic_constraints, ca ? "critical,CA:TRUE" : "CA:FALSE");
    add(NID_subject_key_identifier, "hash");
    if (!names.empty()) {
        std::string san;
        for (const auto& n : names) san += (san.empty() ? "DNS:" : ",DNS:") + n;
        add(NID_subject_alt_name, san);
    }
    if (!ca) add(NID_ext_key_usage, "serverAuth,clientAuth");
    X509_sign(x, issuer_key != nullptr ? issuer_key : key, EVP_sha256());
    return x;
}

} // namespace

test_pki::test_pki() {
    static std::mt19937_64 rng{std::random_device{}()};
    dir_ = fs::temp_directory_path() / ("gw-tls-" + std::to_string(rng()));
    fs::create_directories(dir_);
    EVP_PKEY* key = make_key("ec");
    X509* ca = make_cert(key, "gateway test CA", {}, 30, nullptr, nullptr, true);
    write_pem(dir_ / "ca.crt", ca, nullptr);
    write_pem(dir_ / "ca.key", nullptr, key);
    X509_free(ca);
    EVP_PKEY_free(key);
}

test_pki::~test_pki() {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
}

void test_pki::issue(const std::string& stem, const std::vector<std::string>& names,
                     const std::string& key_type, int days, bool self_signed) {
    X509* ca = read_pem<X509>(dir_ / "ca.crt", PEM_read_X509);
    EVP_PKEY* ca_key = read_pem<EVP_PKEY>(dir_ / "ca.key", PEM_read_PrivateKey);
    EVP_PKEY* key = make_key(key_type);
    X509* leaf = make_cert(key, names.empty() ? stem : names.front(), names, days,
                           self_signed ? nullptr : ca, self_signed ? nullptr : ca_key, false);
    write_pem(dir_ / (stem + ".crt"), leaf, nullptr);
    write_pem(dir_ / (stem + ".key"), nullptr, key);
    X509_free(leaf);
    EVP_PKEY_free(key);
    X509_free(ca);
    EVP_PKEY_free(ca_key);
}

tls_client::tls_client(std::uint16_t port, const tls_client_options& o) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{static_cast<time_t>(o.timeout.count() / 1000),
               static_cast<suseconds_t>(o.timeout.count() % 1000 * 1000)};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        error_ = "connect failed";
        return;
    }
    ctx_ = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_session_cache_mode(ctx_, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    if (o.max_version != 0) SSL_CTX_set_max_proto_version(ctx_, o.max_version);
    if (!o.sigalgs.empty()) SSL_CTX_set1_sigalgs_list(ctx_, o.sigalgs.c_str());
    if (!o.ca.empty()) {
        SSL_CTX_load_verify_locations(ctx_, o.ca.c_str(), nullptr);
        SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
    }
    if (!o.cert.empty()) {
        SSL_CTX_use_certificate_chain_file(ctx_, o.cert.c_str());
        SSL_CTX_use_PrivateKey_file(ctx_, o.key.c_str(), SSL_FILETYPE_PEM);
    }
    ssl_ = SSL_new(ctx_);
    SSL_set_fd(ssl_, fd_);
    if (!o.sni.empty()) // (SSL_set_tlsext_host_name, without its C cast)
        SSL_ctrl(ssl_, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, const_cast<char*>(o.sni.c_str()));
    if (o.session != nullptr) SSL_set_session(ssl_, o.session);
    ERR_clear_error();
    ok_ = SSL_connect(ssl_) == 1;
    if (!ok_) {
        const unsigned long e = ERR_get_error();
        error_ = e != 0 ? ERR_reason_error_string(e) : "handshake failed";
        ERR_clear_error();
    }
}

tls_client::~tls_client() {
    // A close_notify first: OpenSSL marks the session of a connection freed
    // without one as not resumable, as a browser's would not be.
    if (ssl_ != nullptr && ok_) {
        ERR_clear_error();
        SSL_shutdown(ssl_);
        ERR_clear_error();
    }
    if (ssl_ != nullptr) SSL_free(ssl_);
    if (ctx_ != nullptr) SSL_CTX_free(ctx_);
    if (fd_ >= 0) ::close(fd_);
}

bool tls_client::reused() const {
    return ssl_ != nullptr && SSL_session_reused(ssl_) == 1;
}

std::string tls_client::version() const {
    return ssl_ != nullptr ? SSL_get_version(ssl_) : "";
}

std::string tls_client::peer_names() const {
    std::string out;
    X509* peer = ssl_ != nullptr ? SSL_get0_peer_certificate(ssl_) : nullptr;
    if (peer == nullptr) return out;
    auto* sans = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(peer, NID_subject_alt_name, nullptr, nullptr));
    for (int i = 0; sans != nullptr && i < sk_GENERAL_NAME_num(sans); ++i) {
        const GENERAL_NAME* n = sk_GENERAL_NAME_value(sans, i);
        if (n->type != GEN_DNS) continue;
        if (!out.empty()) out += ",";
        out += reinterpret_cast<const char*>(ASN1_STRING_get0_data(n->d.dNSName));
    }
    GENERAL_NAMES_free(sans);
    return out;
}

std::string tls_client::peer_key_type() const {
    X509* peer = ssl_ != nullptr ? SSL_get0_peer_certificate(ssl_) : nullptr;
    if (peer == nullptr) return "";
    return EVP_PKEY_get_base_id(X509_get0_pubkey(peer)) == EVP_PKEY_RSA ? "rsa" : "ec";
}

SSL_SESSION* tls_client::session() const {
    return ssl_ != nullptr ? SSL_get1_session(ssl_) : nullptr;
}

bool tls_client::send(const std::string& bytes) {
    std::size_t written = 0;
    return ok_ && SSL_write_ex(ssl_, bytes.data(), bytes.size(), &written) == 1 && written == bytes.size();
}

std::string tls_client::read_response() {
    if (!ok_) return "";
    char buf[16384];
    for (;;) {
        const auto end = pending_.find("\r\n\r\n");
        if (end != std::string::npos) {
            std::size_t length = 0;
            std::string head = pending_.substr(0, end);
            for (char& c : head) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
            if (const auto cl = head.find("\r\ncontent-length:"); cl != std::string::npos)
                length = std::stoul(head.substr(cl + 17));
            if (pending_.size() >= end + 4 + length) {
                std::string out = pending_.substr(0, end + 4 + length);
                pending_.erase(0, end + 4 + length);
                return out;
            }
        }
        std::size_t got = 0;
        if (SSL_read_ex(ssl_, buf, sizeof buf, &got) != 1) return "";
        pending_.append(buf, got);
    }
}

bool tls_client::closed() {
    if (!ok_) return true;
    char buf[1024];
    std::size_t got = 0;
    int r = 0;
    errno = 0;
    while ((r = SSL_read_ex(ssl_, buf, sizeof buf, &got)) == 1) {
    }
    const int e = SSL_get_error(ssl_, r);
    // A receive timeout shows as a system error with EAGAIN: not closed.
    return !(e == SSL_ERROR_SYSCALL && (errno == EAGAIN || errno == EWOULDBLOCK));
}

int status_of(const std::string& response) {
    return response.size() >= 12 && response.starts_with("HTTP/1.") ? std::stoi(response.substr(9, 3)) : 0;
}

std::string body_of(const std::string& response) {
    const auto end = response.find("\r\n\r\n");
    return end == std::string::npos ? "" : response.substr(end + 4);
}

} // namespace gw::test
