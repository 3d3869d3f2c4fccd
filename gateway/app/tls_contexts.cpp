#include "gateway/app/tls_contexts.hpp"

#include <algorithm>
#include <ctime>
#include <fstream>
#include <string>

namespace gw {

tls_contexts make_tls_contexts(const config::gateway_config& cfg) {
    tls_contexts out;
    out.reserve(cfg.listeners.size());
    for (const auto& l : cfg.listeners)
        out.push_back(l.tls ? std::make_unique<tls::server_context>(*l.tls) : nullptr);
    return out;
}

upstream_tls_contexts make_upstream_tls(const config::gateway_config& cfg) {
    upstream_tls_contexts out;
    out.reserve(cfg.backends.size());
    for (const auto& b : cfg.backends) {
        const bool any = std::any_of(b.servers.begin(), b.servers.end(), [](const auto& s) { return s.tls; });
        out.push_back(any ? std::make_unique<tls::client_context>(b.tls) : nullptr);
    }
    return out;
}

bool check_tls(const config::gateway_config& cfg, std::ostream& out, std::ostream& err) {
    try {
        make_upstream_tls(cfg);
        const auto contexts = make_tls_contexts(cfg);
        for (std::size_t i = 0; i < contexts.size(); ++i) {
            if (!contexts[i])
                continue;
            out << "listener " << cfg.listeners[i].name << " TLS:";
            for (const auto& c : contexts[i]->certificates()->all()) {
                char date[32] = "?";
                std::tm tm{};
                if (gmtime_r(&c.not_after, &tm) != nullptr)
                    std::strftime(date, sizeof date, "%Y-%m-%d", &tm);
                out << ' ' << c.file << " (" << c.key_type << ", " << c.names.front()
                    << (c.names.size() > 1 ? " +" + std::to_string(c.names.size() - 1) : std::string())
                    << ", expires " << date << ")";
            }
            out << '\n';
        }
        return true;
    } catch (const std::exception& e) {
        err << e.what() << '\n';
        return false;
    }
}

bool ktls_available() {
    std::ifstream in("/proc/sys/net/ipv4/tcp_available_ulp");
    std::string word;
    while (in >> word)
        if (word == "tls")
            return true;
    return false;
}

} // namespace gw
