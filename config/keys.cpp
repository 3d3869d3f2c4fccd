#include "config/keys.hpp"

#include <algorithm>
#include <iterator>

namespace gw::config {

namespace {

// THE list. Keep it in the order of docs/config-reference.md.
constexpr key_info table[] = {
    {"global.workers", "integer"},
    {"global.shutdown_timeout", "duration"},
    {"global.watch_config", "boolean"},
    {"global.client_table_size", "integer"},

    {"admin.enabled", "boolean"},
    {"admin.listen", "address"},
    {"admin.max_connections", "integer"},
    {"admin.token", "string"},
    {"admin.token_env", "string"},

    {"buffers.size", "size"},
    {"buffers.limit", "integer"},
    {"buffers.memory", "size"},
    {"buffers.reserve", "integer"},
    {"buffers.maxrewrite", "size"},
    {"buffers.wake", "enum"},
    {"buffers.splice", "boolean"},

    {"timeouts.client_head", "duration"},
    {"timeouts.client_idle", "duration"},
    {"timeouts.client_park", "duration"},
    {"timeouts.connect", "duration"},
    {"timeouts.server", "duration"},
    {"timeouts.queue", "duration"},
    {"timeouts.tunnel", "duration"},
    {"timeouts.send", "duration"},

    {"logging.access_log", "boolean"},
    {"logging.format", "enum"},
    {"logging.level", "enum"},

    {"tracing.enabled", "boolean"},
    {"tracing.sampled", "boolean"},

    {"dns.nameservers", "addresses"},
    {"dns.timeout", "duration"},
    {"dns.tries", "integer"},
    {"dns.min_ttl", "duration"},
    {"dns.max_ttl", "duration"},
    {"dns.hold", "duration"},

    {"listeners.name", "string"},
    {"listeners.listen", "address"},
    {"listeners.default_backend", "string"},
    {"listeners.max_connections", "integer"},
    {"listeners.body_limit", "size"},
    {"listeners.redirect_https", "boolean"},
    {"listeners.https_port", "integer"},
    {"listeners.allow", "networks"},
    {"listeners.deny", "networks"},
    {"listeners.trusted_proxies", "networks"},
    {"listeners.proxy_protocol", "boolean"},
    {"listeners.proxy_protocol_from", "networks"},
    {"listeners.client_connections", "integer"},
    {"listeners.client_rate", "integer"},
    {"listeners.client_burst", "integer"},

    {"listeners.tls.min_version", "enum"},
    {"listeners.tls.ciphers", "string"},
    {"listeners.tls.ciphersuites", "string"},
    {"listeners.tls.groups", "string"},
    {"listeners.tls.session_tickets", "boolean"},
    {"listeners.tls.ticket_rotation", "duration"},
    {"listeners.tls.client_ca", "string"},
    {"listeners.tls.client_verify", "enum"},
    {"listeners.tls.client_subject_header", "string"},

    {"listeners.tls.certificates.cert", "string"},
    {"listeners.tls.certificates.key", "string"},

    {"routes.listener", "string"},
    {"routes.host", "string"},
    {"routes.path_prefix", "string"},
    {"routes.backend", "string"},
    {"routes.strip_prefix", "boolean"},
    {"routes.replace_prefix", "string"},
    {"routes.allow", "networks"},
    {"routes.deny", "networks"},

    {"routes.basic_auth.realm", "string"},
    {"routes.basic_auth.users_file", "string"},

    {"routes.request_headers.set", "fields"},
    {"routes.request_headers.add", "fields"},
    {"routes.request_headers.remove", "strings"},
    {"routes.response_headers.set", "fields"},
    {"routes.response_headers.add", "fields"},
    {"routes.response_headers.remove", "strings"},

    {"routes.redirect.status", "integer"},
    {"routes.redirect.scheme", "enum"},
    {"routes.redirect.host", "string"},
    {"routes.redirect.path", "string"},

    {"routes.respond.status", "integer"},
    {"routes.respond.body", "string"},
    {"routes.respond.content_type", "string"},

    {"backends.name", "string"},
    {"backends.balance", "enum"},
    {"backends.retries", "integer"},
    {"backends.retry_on", "strings"},
    {"backends.try_timeout", "duration"},
    {"backends.retry_budget", "integer"},
    {"backends.retry_header", "string"},
    {"backends.queue_limit", "integer"},
    {"backends.keepalive_pool", "integer"},
    {"backends.keepalive_timeout", "duration"},
    {"backends.send_proxy", "enum"},
    {"backends.tls", "boolean"},
    {"backends.tls_verify", "boolean"},
    {"backends.tls_ca", "string"},
    {"backends.tls_server_name", "string"},
    {"backends.tls_cert", "string"},
    {"backends.tls_key", "string"},

    {"backends.health_check.path", "string"},
    {"backends.health_check.interval", "duration"},
    {"backends.health_check.timeout", "duration"},
    {"backends.health_check.rise", "integer"},
    {"backends.health_check.fall", "integer"},
    {"backends.health_check.expect_status", "integer"},

    {"backends.passive_health.failures", "integer"},
    {"backends.passive_health.window", "duration"},
    {"backends.passive_health.ejection", "duration"},
    {"backends.passive_health.max_ejection", "duration"},
    {"backends.passive_health.max_ejected_percent", "integer"},
    {"backends.passive_health.count_server_errors", "boolean"},

    {"backends.servers.name", "string"},
    {"backends.servers.address", "address"},
    {"backends.servers.srv", "string"},
    {"backends.servers.discover", "enum"},
    {"backends.servers.max_servers", "integer"},
    {"backends.servers.weight", "integer"},
    {"backends.servers.maxconn", "integer"},
    {"backends.servers.tls", "boolean"},
    {"backends.servers.tls_server_name", "string"},
};

// The sections that repeat. Everything else that holds keys is a plain table.
constexpr std::string_view array_sections[] = {"listeners", "listeners.tls.certificates",
                                               "routes", "backends", "backends.servers"};

std::string_view parent_of(std::string_view path) {
    const auto dot = path.rfind('.');
    return dot == std::string_view::npos ? std::string_view{} : path.substr(0, dot);
}

} // namespace

std::span<const key_info> key_table() {
    return table;
}

std::vector<std::string> known_keys() {
    std::vector<std::string> out;
    out.reserve(std::size(table));
    for (const auto& k : table) {
        out.emplace_back(k.path);
    }
    return out;
}

const key_info* find_key(std::string_view path) {
    const auto it = std::find_if(std::begin(table), std::end(table),
                                 [path](const key_info& k) { return k.path == path; });
    return it == std::end(table) ? nullptr : &*it;
}

bool is_section(std::string_view path) {
    if (path.empty()) return true;
    return std::any_of(std::begin(table), std::end(table), [path](const key_info& k) {
        return k.path.size() > path.size() && k.path.starts_with(path) &&
               k.path[path.size()] == '.';
    });
}

bool is_array_section(std::string_view path) {
    return std::find(std::begin(array_sections), std::end(array_sections), path) !=
           std::end(array_sections);
}

std::string section_header(std::string_view path) {
    const std::string name(path);
    return is_array_section(path) ? "[[" + name + "]]" : "[" + name + "]";
}

std::vector<std::string> keys_in_section(std::string_view path) {
    std::vector<std::string> out;
    for (const auto& k : table) {
        // Walk up from the leaf until its parent is `path`; what remains is the child.
        std::string_view child = k.path;
        while (!child.empty() && parent_of(child) != path) {
            child = parent_of(child);
        }
        if (child.empty()) continue;
        const std::string name(path.empty() ? child : child.substr(path.size() + 1));
        if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
    }
    return out;
}

} // namespace gw::config
