#include "config/tls_reader.hpp"

#include <algorithm>
#include <filesystem>

namespace gw::config::detail {

namespace {

constexpr enum_name<tls_version> version_names[] = {{"1.2", tls_version::v1_2},
                                                    {"1.3", tls_version::v1_3}};
constexpr enum_name<client_verify_mode> verify_names[] = {
    {"off", client_verify_mode::off},
    {"optional", client_verify_mode::optional},
    {"required", client_verify_mode::required}};

// A relative path names a file beside the configuration (as nginx's paths are
// relative to its configuration prefix), so that a config and its certificates
// move together whatever the working directory.
std::string resolve(const std::string& path, const std::string& config_file) {
    const std::filesystem::path p(path);
    if (p.is_absolute()) return path;
    const auto dir = std::filesystem::path(config_file).parent_path();
    return dir.empty() ? path : (dir / p).lexically_normal().string();
}

std::string origin_of(const load_context& cx, const std::string& path) {
    const auto at = cx.find(path);
    return cx.file() + ":" + std::to_string(at.line) + ":" + std::to_string(at.column) + ": " +
           path;
}

} // namespace

// Reads a file name; an empty string is refused (say nothing to mean none).
bool read_file(table_reader& r, std::string_view key, file_setting& out, load_context& cx) {
    std::string text;
    if (!r.string(key, text)) return false;
    if (text.empty()) return r.invalid(key, "must name a file (got \"\")");
    out.path = resolve(text, cx.file());
    out.origin = origin_of(cx, r.path_of(key));
    return true;
}

namespace {

// An HTTP field name (RFC 9110 section 5.1: a token) that no rule may set:
// the framing and hop-by-hop fields are the gateway's own.
bool is_settable_field(std::string_view name) {
    if (name.empty()) return false;
    const bool token = std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    });
    if (!token) return false;
    std::string lower(name);
    for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    constexpr std::string_view reserved[] = {"content-length", "transfer-encoding", "host",
                                             "connection", "upgrade", "te", "trailer",
                                             "keep-alive", "proxy-connection"};
    return std::find(std::begin(reserved), std::end(reserved), lower) == std::end(reserved);
}

void read_certificates(table_reader& tls, listener_tls_config& t, load_context& cx) {
    const auto elements = tls.tables("certificates");
    for (std::size_t i = 0; i < elements.size(); ++i) {
        if (elements[i] == nullptr) continue;
        certificate_config c;
        table_reader r(*elements[i], tls.path_of("certificates") + "[" + std::to_string(i) + "]",
                       "listeners.tls.certificates", cx);
        r.require("cert", "cert = \"/etc/gateway/example.com.pem\"");
        r.require("key", "key = \"/etc/gateway/example.com.key\"");
        read_file(r, "cert", c.cert, cx);
        read_file(r, "key", c.key, cx);
        t.certificates.push_back(std::move(c));
    }
    if (elements.empty() && !cx.failed(tls.path_of("certificates"))) {
        cx.error(tls.path_of("certificates"),
                 tls.path_of("certificates") +
                     " is missing: a TLS listener needs at least one certificate, e.g. "
                     "[[listeners.tls.certificates]] with cert = \"site.pem\" and key = "
                     "\"site.key\"");
    }
}

void read_tls_table(table_reader& listener, const toml::table& table, listener_tls_config& t,
                    load_context& cx) {
    table_reader r(table, listener.path_of("tls"), "listeners.tls", cx);
    read_certificates(r, t, cx);
    r.enumeration("min_version", t.min_version, version_names);
    r.string("ciphers", t.ciphers);
    r.string("ciphersuites", t.ciphersuites);
    r.string("groups", t.groups);
    r.boolean("session_tickets", t.session_tickets);
    r.duration_value("ticket_rotation", t.ticket_rotation, std::chrono::minutes{1},
                     std::chrono::hours{168});
    const bool has_ca = read_file(r, "client_ca", t.client_ca, cx);
    // A CA named for client certificates means they are asked for: required
    // unless the file says otherwise.
    if (has_ca) t.client_verify = client_verify_mode::required;
    if (r.enumeration("client_verify", t.client_verify, verify_names) &&
        t.client_verify != client_verify_mode::off && !has_ca && !cx.failed(r.path_of("client_ca"))) {
        r.invalid("client_verify", "needs client_ca, the CA bundle that client certificates are "
                                   "verified against");
    }
    std::string header;
    if (r.string("client_subject_header", header)) {
        if (!is_settable_field(header)) {
            r.invalid("client_subject_header",
                      "must be an HTTP field name (letters, digits, '-') other than a framing "
                      "or hop-by-hop field (got " + config::quoted(header) + ")");
        } else if (t.client_verify == client_verify_mode::off) {
            r.invalid("client_subject_header", "needs client_verify \"optional\" or \"required\"");
        } else {
            t.client_subject_header = header;
        }
    }
}

// A name a certificate can be checked against: a host name or an IP address.
bool read_server_name(table_reader& r, std::string_view key, std::string& out) {
    std::string text;
    if (!r.string(key, text)) return false;
    if (!is_hostname(text) && !is_ipv4(text) && !is_ipv6(text))
        return r.invalid(key, "must be a host name like \"api.example.com\" or an IP address (got " +
                                  config::quoted(text) + ")");
    out = text;
    return true;
}

} // namespace

void read_backend_tls(table_reader& r, backend_config& b, load_context& cx) {
    auto& t = b.tls;
    r.boolean("tls", t.enabled);
    r.boolean("tls_verify", t.verify);
    read_file(r, "tls_ca", t.ca, cx);
    read_server_name(r, "tls_server_name", t.server_name);
    const bool cert = read_file(r, "tls_cert", t.cert, cx);
    const bool key = read_file(r, "tls_key", t.key, cx);
    // (A missing one, not one that was written wrong and reported already.)
    if (cert != key && !cx.failed(r.path_of(cert ? "tls_key" : "tls_cert")))
        r.invalid(cert ? "tls_cert" : "tls_key",
                  std::string("needs ") + (cert ? "tls_key" : "tls_cert") + " too: a client certificate and its key");
}

void read_server_tls(table_reader& r, const backend_config& b, server_config& s, load_context&) {
    s.tls = b.tls.enabled;
    r.boolean("tls", s.tls);
    std::string name = b.tls.server_name;
    read_server_name(r, "tls_server_name", name);
    // A host name, or an IP address verified as one; an SRV entry's servers
    // each use their target's host name (left empty here).
    if (name.empty() && s.srv.empty()) name = s.address.host;
    s.tls_server_name = name;
}

void read_listener_tls(table_reader& listener, listener_config& l, load_context& cx) {
    if (const auto* table = listener.table("tls")) {
        listener_tls_config t;
        read_tls_table(listener, *table, t, cx);
        l.tls = std::move(t);
    }
    listener.boolean("redirect_https", l.redirect_https);
    listener.integer("https_port", l.https_port, 1, 65535);
    if (l.redirect_https && l.tls) {
        listener.invalid("redirect_https", "is for a plain listener; this one has a [listeners.tls] "
                                           "table and serves HTTPS itself");
    }
}

} // namespace gw::config::detail
