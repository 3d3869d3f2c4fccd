#include "gateway/proxy/router.hpp"
#include "gateway/http1/host.hpp"

#include <algorithm>
#include <cctype>

namespace gw {

namespace {

std::optional<std::size_t> index_of_backend(const config::gateway_config& cfg,
                                            const std::string& name) {
    for (std::size_t i = 0; i < cfg.backends.size(); ++i)
        if (cfg.backends[i].name == name)
            return i;
    return std::nullopt;
}

bool iequal(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

} // namespace

router::router(const config::gateway_config& cfg) {
    for (const auto& r : cfg.routes) {
        rule x;
        if (!r.listener.empty())
            for (std::size_t i = 0; i < cfg.listeners.size(); ++i)
                if (cfg.listeners[i].name == r.listener)
                    x.listener = i;
        x.host = r.host;
        x.path_prefix = r.path_prefix.empty() ? "/" : r.path_prefix;
        x.backend = r.backend.empty() ? no_backend : index_of_backend(cfg, r.backend).value_or(0);
        // (The exchange looks at the route only when it has something to apply.)
        const bool plain = !r.strip_prefix && !r.replace_prefix && r.request_headers.empty() &&
                           r.response_headers.empty() && !r.redirect && !r.respond &&
                           r.allow.empty() && r.deny.empty() && !r.basic_auth;
        x.config = plain ? nullptr : &r;
        rules_.push_back(std::move(x));
    }
    for (const auto& l : cfg.listeners)
        default_backend_.push_back(l.default_backend.empty()
                                       ? std::nullopt
                                       : index_of_backend(cfg, l.default_backend));
}

bool router::host_matches(std::string_view pattern, std::string_view host) noexcept {
    if (pattern.size() > 2 && pattern.substr(0, 2) == "*.") {
        const auto suffix = pattern.substr(1); // ".example.com"
        return host.size() > suffix.size() &&
               iequal(host.substr(host.size() - suffix.size()), suffix);
    }
    return iequal(pattern, host);
}

std::optional<router::match> router::route(std::size_t listener, std::string_view host,
                                           std::string_view target) const noexcept {
    const auto bare_host = strip_port(host);
    for (const auto& r : rules_) {
        if (r.listener && *r.listener != listener)
            continue;
        if (!r.host.empty() && !host_matches(r.host, bare_host))
            continue;
        if (target.substr(0, r.path_prefix.size()) != r.path_prefix)
            continue;
        return match{r.backend, r.config};
    }
    if (listener < default_backend_.size() && default_backend_[listener])
        return match{*default_backend_[listener], nullptr};
    return std::nullopt;
}

} // namespace gw
