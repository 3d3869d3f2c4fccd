#pragma once
// A listener's certificates and the rule that picks them for a client's SNI
// name: an exact name, then a wildcard one label deep ("*.example.com" serves
// "a.example.com", not "example.com" nor "a.b.example.com": RFC 6125 6.4.3),
// then the default (the first certificate listed). Several certificates for
// the same names (RSA and ECDSA) are all handed to OpenSSL, which gives each
// client the one it supports. Immutable once built; a reload builds another.

#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "gateway/tls/certificate.hpp"

namespace gw::tls {

class certificate_store {
public:
    // Throws load_error (a file) or std::invalid_argument (no certificate).
    explicit certificate_store(const std::vector<config::certificate_config>& files);

    // The certificates for `sni` (any case, a trailing dot allowed; empty when
    // the client sent none). Never empty.
    std::span<const certificate* const> select(std::string_view sni) const;
    const std::vector<certificate>& all() const noexcept { return certs_; }
    // The certificates a connection that names nothing else gets.
    std::span<const certificate* const> defaults() const noexcept { return default_; }

private:
    struct hash : std::hash<std::string_view> {
        using is_transparent = void;
    };
    using index = std::unordered_map<std::string, std::vector<const certificate*>, hash, std::equal_to<>>;

    std::vector<certificate> certs_;
    index exact_;
    index wildcard_; // "example.com" -> the certificates for "*.example.com"
    std::vector<const certificate*> default_;
};

} // namespace gw::tls
