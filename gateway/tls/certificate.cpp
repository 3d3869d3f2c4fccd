#include "gateway/tls/certificate.hpp"

#include <cerrno>
#include <cstring>

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "gateway/tls/errors.hpp"

namespace gw::tls {

namespace {

bio_ptr open_file(const config::file_setting& f) {
    ERR_clear_error();
    bio_ptr bio(BIO_new_file(f.path.c_str(), "r"));
    if (!bio) {
        const int e = errno;
        ERR_clear_error();
        refuse_file(f, e != 0 ? std::strerror(e) : "cannot open the file");
    }
    return bio;
}

std::string lowered(std::string s) {
    for (char& c : s) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    if (!s.empty() && s.back() == '.') s.pop_back();
    return s;
}

// subjectAltName DNS entries, or the subject's CN when there are none (RFC 6125
// says clients prefer the SAN; a certificate without one is old but exists).
std::vector<std::string> names_of(X509* leaf) {
    std::vector<std::string> out;
    auto* sans = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(leaf, NID_subject_alt_name, nullptr, nullptr));
    if (sans != nullptr) {
        for (int i = 0; i < sk_GENERAL_NAME_num(sans); ++i) {
            const GENERAL_NAME* n = sk_GENERAL_NAME_value(sans, i);
            if (n->type != GEN_DNS) continue;
            const auto* s = n->d.dNSName;
            out.push_back(lowered(std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                              static_cast<std::size_t>(ASN1_STRING_length(s)))));
        }
        GENERAL_NAMES_free(sans);
    }
    if (out.empty()) {
        char cn[256];
        const int n = X509_NAME_get_text_by_NID(X509_get_subject_name(leaf), NID_commonName, cn, sizeof cn);
        if (n > 0) out.push_back(lowered(std::string(cn, static_cast<std::size_t>(n))));
    }
    return out;
}

std::time_t expiry_of(X509* leaf) {
    std::tm tm{};
    if (ASN1_TIME_to_tm(X509_get0_notAfter(leaf), &tm) != 1) return 0;
    return timegm(&tm);
}

std::string key_type_of(EVP_PKEY* key) {
    switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
        return "rsa";
    case EVP_PKEY_EC:
        return "ecdsa";
    case EVP_PKEY_ED25519:
        return "ed25519";
    default:
        return "other";
    }
}

} // namespace

certificate load_certificate(const config::certificate_config& c) {
    certificate out;
    out.file = c.cert.path;
    {
        auto bio = open_file(c.cert);
        out.leaf.reset(PEM_read_bio_X509_AUX(bio.get(), nullptr, nullptr, nullptr));
        if (!out.leaf) refuse_file(c.cert, "no PEM certificate in it (" + take_errors() + ")");
        out.chain.reset(sk_X509_new_null());
        while (X509* more = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr))
            sk_X509_push(out.chain.get(), more);
        // The loop ends on "no start line" at the end of the file: not an error.
        const unsigned long last = ERR_peek_last_error();
        if (ERR_GET_LIB(last) == ERR_LIB_PEM && ERR_GET_REASON(last) == PEM_R_NO_START_LINE)
            ERR_clear_error();
        else if (last != 0)
            refuse_file(c.cert, "a certificate after the first is broken (" + take_errors() + ")");
    }
    {
        auto bio = open_file(c.key);
        // No passphrase callback: an encrypted key is refused rather than prompting.
        out.key.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr,
                                              [](char*, int, int, void*) { return 0; }, nullptr));
        if (!out.key) refuse_file(c.key, "no unencrypted PEM private key in it (" + take_errors() + ")");
    }
    if (X509_check_private_key(out.leaf.get(), out.key.get()) != 1) {
        take_errors();
        refuse_file(c.key, "the key does not match the certificate " + c.cert.path);
    }
    out.names = names_of(out.leaf.get());
    if (out.names.empty()) refuse_file(c.cert, "the certificate names no host (no DNS subjectAltName, no CN)");
    out.not_after = expiry_of(out.leaf.get());
    out.key_type = key_type_of(out.key.get());
    return out;
}

} // namespace gw::tls
