#include "config/route_reader.hpp"
#include "config/client_reader.hpp"
#include "config/tls_reader.hpp"

#include <algorithm>
#include <array>
#include <string>
#include <string_view>

#include "config/units.hpp"

namespace gw::config::detail {

namespace {

// "example.com", "*.example.com", an IPv4 literal or a bracketed IPv6 literal: what a
// Host header can carry, without the port (RFC 9110 section 7.2).
bool is_host_pattern(std::string_view host) {
    if (host.starts_with("*.")) host.remove_prefix(2);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
        return is_ipv6(host.substr(1, host.size() - 2));
    }
    return is_hostname(host);
}

// A path the gateway compares against request targets (or sends): an
// origin-form path (RFC 9112 section 3.2.1) without query or fragment.
bool is_plain_path(std::string_view path) {
    return path.starts_with('/') && std::none_of(path.begin(), path.end(), [](char c) {
               const auto u = static_cast<unsigned char>(c);
               return u <= 0x20 || u == 0x7f || c == '?' || c == '#';
           });
}

// A redirect's host: a host name or IP literal, with an optional port.
bool is_redirect_host(std::string_view text) {
    const auto colon = text.rfind(':');
    std::string_view host = text;
    if (colon != std::string_view::npos && !text.ends_with(']')) {
        const auto port = text.substr(colon + 1);
        if (port.empty() || port.size() > 5 || !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
            std::stoul(std::string(port)) > 65535)
            return false;
        host = text.substr(0, colon);
    }
    return !host.starts_with("*.") && is_host_pattern(lowered(std::string(host)));
}

// A field name: an RFC 9110 token.
bool is_token(std::string_view name) {
    static constexpr std::string_view extra = "!#$%&'*+-.^_`|~";
    return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || extra.find(c) != std::string_view::npos;
    });
}

// Fields that frame the message or run the connection: a rule on one of them
// could make the next hop read the message differently from us (smuggling).
bool is_protected(std::string_view name) {
    static constexpr std::array<std::string_view, 9> names = {
        "content-length", "transfer-encoding", "host", "connection", "upgrade",
        "te", "trailer", "keep-alive", "proxy-connection"};
    const std::string low = lowered(std::string(name));
    return std::find(names.begin(), names.end(), low) != names.end();
}

constexpr std::array<std::pair<std::string_view, field_variable>, 5> variables = {{
    {"client_address", field_variable::client_address},
    {"request_id", field_variable::request_id},
    {"host", field_variable::host},
    {"path", field_variable::path},
    {"scheme", field_variable::scheme},
}};

// Parses a value with %{variable}s ("%%" is a literal '%'). "" when it is
// acceptable, else what is wrong.
std::string parse_value(std::string_view text, std::vector<value_part>& out) {
    std::string literal;
    auto flush = [&] {
        if (!literal.empty()) out.push_back({std::move(literal), false, {}});
        literal.clear();
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto u = static_cast<unsigned char>(text[i]);
        if ((u < 0x20 && text[i] != '\t') || u == 0x7f) return "must not contain control characters (CR, LF, NUL...)";
        if (text[i] != '%') {
            literal += text[i];
            continue;
        }
        if (i + 1 < text.size() && text[i + 1] == '%') {
            literal += '%';
            ++i;
            continue;
        }
        const auto close = text.find('}', i);
        if (i + 1 >= text.size() || text[i + 1] != '{' || close == std::string_view::npos)
            return "has a '%' that starts no %{variable} (write %% for a literal '%')";
        const auto name = text.substr(i + 2, close - i - 2);
        const auto v = std::find_if(variables.begin(), variables.end(), [&](const auto& x) { return x.first == name; });
        if (v == variables.end()) {
            std::string why = "names an unknown variable %{";
            why += name;
            why += "} (known: client_address, request_id, host, path, scheme)";
            return why;
        }
        flush();
        out.push_back({{}, true, v->second});
        i = close;
    }
    flush();
    return {};
}

// Checks a rule's field name; false (reported) when it cannot be used.
bool usable_name(table_reader& r, const std::string& entry, const std::string& name) {
    if (!is_token(name))
        return r.invalid(entry, "is not a field name (letters, digits and !#$%&'*+-.^_`|~ only)");
    if (is_protected(name))
        return r.invalid(entry, "names a field that frames the message or runs the connection; rules may not "
                                "touch Content-Length, Transfer-Encoding, Host, Connection, Upgrade, TE, "
                                "Trailer, Keep-Alive or Proxy-Connection");
    return true;
}

void read_field_rules(table_reader& route, std::string_view key, std::vector<header_rule>& out,
                      load_context& cx) {
    const auto* t = route.table(key);
    if (t == nullptr) return;
    table_reader r(*t, route.path_of(key), "routes." + std::string(key), cx);
    std::vector<std::string> removed;
    if (r.string_list("remove", removed))
        for (std::size_t i = 0; i < removed.size(); ++i)
            if (usable_name(r, "remove[" + std::to_string(i) + "]", removed[i]))
                out.push_back({header_rule::action::remove, removed[i], {}});
    for (const auto& [op, action] : {std::pair{"set", header_rule::action::set}, std::pair{"add", header_rule::action::add}}) {
        std::vector<std::pair<std::string, std::string>> fields;
        if (!r.string_table(op, fields)) continue;
        for (const auto& [name, value] : fields) {
            const std::string entry = std::string(op) + "." + name;
            if (!usable_name(r, entry, name)) continue;
            header_rule rule{action, name, {}};
            if (const auto why = parse_value(value, rule.value); !why.empty()) {
                r.invalid(entry, why);
                continue;
            }
            out.push_back(std::move(rule));
        }
    }
}

void read_redirect(table_reader& route, route_config& out, load_context& cx) {
    const auto* t = route.table("redirect");
    if (t == nullptr) return;
    table_reader r(*t, route.path_of("redirect"), "routes.redirect", cx);
    redirect_config red;
    unsigned status = red.status;
    if (r.integer("status", status, 301, 308) && (status == 304 || status == 305 || status == 306))
        r.invalid("status", "must be 301, 302, 303, 307 or 308 (got " + std::to_string(status) + ")");
    else
        red.status = status;
    enum class scheme { http, https };
    static constexpr enum_name<scheme> schemes[] = {{"http", scheme::http}, {"https", scheme::https}};
    scheme sch = scheme::http;
    if (r.enumeration("scheme", sch, schemes)) red.scheme = sch == scheme::https ? "https" : "http";
    std::string text;
    if (r.string("host", text)) {
        if (!is_redirect_host(text))
            r.invalid("host", "must be a host name or IP address, with a port if needed (got " + quoted(text) + ")");
        else
            red.host = lowered(text);
    }
    if (r.string("path", text)) {
        if (!is_plain_path(text))
            r.invalid("path", "must start with '/' and hold no spaces, control characters, '?' or '#' (got " +
                                  quoted(text) + ")");
        else
            red.path = text;
    }
    out.redirect = std::move(red);
}

void read_respond(table_reader& route, route_config& out, load_context& cx) {
    const auto* t = route.table("respond");
    if (t == nullptr) return;
    table_reader r(*t, route.path_of("respond"), "routes.respond", cx);
    fixed_response_config f;
    r.integer("status", f.status, 200, 599);
    std::string text;
    if (r.string("body", text)) {
        if (text.size() > 1024)
            r.invalid("body", "must be at most 1024 bytes (got " + std::to_string(text.size()) + ")");
        else
            f.body = text;
    }
    if (r.string("content_type", text)) {
        std::vector<value_part> parts;
        if (text.empty() || !parse_value(text, parts).empty() || parts.size() != 1 || parts[0].is_variable)
            r.invalid("content_type", "must be a media type like \"text/plain\" (got " + quoted(text) + ")");
        else
            f.content_type = text;
    }
    out.respond = std::move(f);
}

void read_basic_auth(table_reader& route, route_config& out, load_context& cx) {
    const auto* t = route.table("basic_auth");
    if (t == nullptr) return;
    table_reader r(*t, route.path_of("basic_auth"), "routes.basic_auth", cx);
    basic_auth_config a;
    if (r.string("realm", a.realm) &&
        (a.realm.empty() || a.realm.size() > 64 ||
         std::any_of(a.realm.begin(), a.realm.end(), [](char c) {
             return static_cast<unsigned char>(c) < 0x20 || c == 0x7f || c == '"' || c == '\\';
         })))
        r.invalid("realm", "must be 1 to 64 printable characters without '\"' or '\\' (got " + quoted(a.realm) + ")");
    r.require("users_file", "users_file = \"users.htpasswd\"");
    read_file(r, "users_file", a.users_file, cx);
    out.basic_auth = std::move(a);
}

void read_path_rewrite(table_reader& r, route_config& route) {
    r.boolean("strip_prefix", route.strip_prefix);
    std::string text;
    if (r.string("replace_prefix", text)) {
        if (!is_plain_path(text))
            r.invalid("replace_prefix", "must start with '/' and hold no spaces, control characters, '?' or "
                                        "'#' (got " + quoted(text) + ")");
        else if (route.strip_prefix)
            r.invalid("replace_prefix", "cannot be used with strip_prefix = true (choose one)");
        else
            route.replace_prefix = text;
    }
}

void read_match(table_reader& r, route_config& route) {
    r.name("listener", route.listener);
    std::string text;
    if (r.string("host", text)) {
        if (is_host_pattern(lowered(text))) {
            route.host = lowered(text);
        } else {
            r.invalid("host", "must be a hostname like \"example.com\" or a wildcard like "
                              "\"*.example.com\", without a port (got " +
                                  quoted(text) + ")");
        }
    }
    if (r.string("path_prefix", text)) {
        if (!text.starts_with('/')) {
            r.invalid("path_prefix", "must start with '/' (got " + quoted(text) + ")");
        } else if (!is_plain_path(text)) {
            r.invalid("path_prefix", "must not contain spaces, control characters, '?' or "
                                     "'#' (got " +
                                         quoted(text) + ")");
        } else {
            route.path_prefix = text;
        }
    }
}

} // namespace

void read_routes(table_reader& root, std::vector<route_config>& out, load_context& cx) {
    const auto elements = root.tables("routes");
    for (std::size_t i = 0; i < elements.size(); ++i) {
        route_config route;
        if (elements[i] != nullptr) {
            table_reader r(*elements[i], "routes[" + std::to_string(i) + "]", "routes", cx);
            read_match(r, route);
            r.name("backend", route.backend);
            read_path_rewrite(r, route);
            read_access_rules(r, route.allow, route.deny);
            read_basic_auth(r, route, cx);
            read_field_rules(r, "request_headers", route.request_headers, cx);
            read_field_rules(r, "response_headers", route.response_headers, cx);
            read_redirect(r, route, cx);
            read_respond(r, route, cx);
            // Where it goes: a backend, or an answer of its own; one of them.
            const int targets = !route.backend.empty() + route.redirect.has_value() + route.respond.has_value();
            if (targets == 0 && elements[i]->get("backend") == nullptr)
                r.require("backend", "backend = \"app\", or a [routes.redirect] or [routes.respond] table");
            else if (targets > 1)
                r.invalid(route.backend.empty() ? "redirect" : "backend",
                          "conflicts: a route sends to a backend, redirects or responds, only one of them");
        }
        out.push_back(std::move(route));
    }
}

} // namespace gw::config::detail
