#include "gateway/upstream/server_addresses.hpp"

namespace gw {

std::string endpoint_text(const boost::asio::ip::tcp::endpoint& ep) {
    // (Appended in steps: g++ 12 -O3 misreports "literal" + string, -Wrestrict.)
    const auto a = ep.address();
    std::string out;
    if (a.is_v6())
        out += '[';
    out += a.to_string();
    if (a.is_v6())
        out += ']';
    out += ':';
    out += std::to_string(ep.port());
    return out;
}

std::string server_name(const config::server_config& cfg, const boost::asio::ip::tcp::endpoint& ep) {
    if (cfg.discover != config::discover_mode::all)
        return cfg.name;
    std::string out = cfg.name;
    out += '@';
    out += endpoint_text(ep);
    return out;
}

namespace {

// A server made anew in place of one of the same name (its address or its
// settings changed): what it counted so far carries on, so the metrics of a
// name never go back; its health too, when the address is the same.
void carry_counters(const server_state& from, server_state& to) {
    to.requests.store(from.requests.load());
    to.connects.store(from.connects.load());
    to.health_checks.store(from.health_checks.load());
    to.connect_failures.store(from.connect_failures.load());
    if (from.endpoint == to.endpoint)
        to.up.store(from.up.load());
}

} // namespace

std::vector<server_ptr> servers_for(const config::backend_config& cfg,
                                    const std::vector<entry_addresses>& addresses, const server_set* current,
                                    std::size_t workers, std::vector<server_ptr>& made, bool reuse) {
    std::vector<server_ptr> out;
    for (std::size_t e = 0; e < cfg.servers.size() && e < addresses.size(); ++e) {
        const auto& entry = cfg.servers[e];
        const auto& a = addresses[e];
        for (std::size_t i = 0; i < a.endpoints.size(); ++i) {
            const auto& ep = a.endpoints[i];
            const std::string name = server_name(entry, ep);
            // An SRV target is named by its own host (SNI, verification, the
            // health check's Host) unless the config names one for all.
            const std::string& tls_name =
                entry.tls_server_name.empty() && i < a.hosts.size() ? a.hosts[i] : entry.tls_server_name;
            server_ptr kept;
            const server_state* same_name = nullptr;
            if (current != nullptr)
                for (const auto& s : current->servers) {
                    if (s->name != name || s->retired.load())
                        continue;
                    same_name = s.get();
                    if (reuse && s->endpoint == ep && s->maxconn == entry.maxconn && s->tls == entry.tls &&
                        s->tls_server_name == tls_name)
                        kept = s;
                }
            if (kept && kept->config_weight.load() != entry.weight) {
                // (A reload changed its weight: the config's wins over the admin API's.)
                kept->config_weight.store(entry.weight);
                kept->weight.store(entry.weight);
            }
            if (!kept) {
                kept = make_server(entry, ep, workers, cfg.keepalive_pool);
                kept->name = name;
                kept->tls_server_name = tls_name;
                if (same_name != nullptr)
                    carry_counters(*same_name, *kept);
                made.push_back(kept);
            }
            out.push_back(std::move(kept));
        }
    }
    return out;
}

} // namespace gw
