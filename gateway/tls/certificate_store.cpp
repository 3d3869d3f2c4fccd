#include "gateway/tls/certificate_store.hpp"

#include <algorithm>
#include <stdexcept>

namespace gw::tls {

certificate_store::certificate_store(const std::vector<config::certificate_config>& files) {
    if (files.empty()) throw std::invalid_argument("a TLS listener needs a certificate");
    certs_.reserve(files.size());
    for (const auto& f : files) certs_.push_back(load_certificate(f));
    for (const auto& c : certs_) {
        for (const auto& name : c.names) {
            auto& slot = name.starts_with("*.") ? wildcard_[name.substr(2)] : exact_[name];
            if (std::find(slot.begin(), slot.end(), &c) == slot.end()) slot.push_back(&c);
        }
        // The default: the first certificate, and others for the very same names
        // (its RSA or ECDSA twin).
        if (&c == &certs_.front() || c.names == certs_.front().names) default_.push_back(&c);
    }
}

std::span<const certificate* const> certificate_store::select(std::string_view sni) const {
    char buf[256];
    if (!sni.empty() && sni.back() == '.') sni.remove_suffix(1);
    if (sni.empty() || sni.size() > sizeof buf) return default_;
    for (std::size_t i = 0; i < sni.size(); ++i) {
        const char c = sni[i];
        buf[i] = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    }
    const std::string_view name(buf, sni.size());
    if (const auto it = exact_.find(name); it != exact_.end()) return it->second;
    if (const auto dot = name.find('.'); dot != std::string_view::npos && dot > 0) {
        if (const auto it = wildcard_.find(name.substr(dot + 1)); it != wildcard_.end()) return it->second;
    }
    return default_;
}

} // namespace gw::tls
