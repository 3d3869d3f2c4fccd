// TOML -> gateway_config: the schema, section by section, and the two entry points.
//
// Reading never stops at the first mistake: every reader reports its error to the
// load_context and leaves the default in place, so one run shows everything that is
// wrong. The generic reading of one table is reader.cpp; cross-checks between values
// are validate.cpp.
#include "config/load.hpp"

#include "config/client_reader.hpp"
#include "config/context.hpp"
#include "config/reader.hpp"
#include "config/resilience_reader.hpp"
#include "config/route_reader.hpp"
#include "config/tls_reader.hpp"
#include "config/validate.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <memory>
#include <system_error>
#include <utility>

namespace gw::config {

namespace {

using detail::address_rules;
using detail::enum_name;
using detail::load_context;
using detail::position_of;
using detail::lowered;
using detail::table_reader;

// Upper bounds that are not in the schema's nature but keep arithmetic and memory sane;
// all of them are documented in docs/config-reference.md.
constexpr duration max_duration = std::chrono::hours{720}; // 30 days
constexpr std::uint64_t kib = 1024;
constexpr std::uint64_t mib = 1024 * kib;
constexpr std::uint64_t tib = 1024 * 1024 * mib;
constexpr std::int64_t max_count = 10'000'000; // connections, queue slots
constexpr std::uint64_t max_bytes = std::numeric_limits<std::uint64_t>::max();

constexpr enum_name<wake_strategy> wake_names[] = {{"reserve-aware", wake_strategy::reserve_aware},
                                                   {"per-release", wake_strategy::per_release},
                                                   {"wake-all", wake_strategy::wake_all}};
constexpr enum_name<log_format> format_names[] = {{"text", log_format::text},
                                                  {"json", log_format::json}};
constexpr enum_name<log_level> level_names[] = {{"debug", log_level::debug},
                                                {"info", log_level::info},
                                                {"warning", log_level::warning},
                                                {"error", log_level::error}};
constexpr enum_name<discover_mode> discover_names[] = {{"off", discover_mode::off},
                                                       {"one", discover_mode::one},
                                                       {"all", discover_mode::all}};
constexpr enum_name<proxy_send> send_proxy_names[] = {{"off", proxy_send::off},
                                                     {"v1", proxy_send::v1},
                                                     {"v2", proxy_send::v2}};
constexpr enum_name<balance_mode> balance_names[] = {{"roundrobin", balance_mode::roundrobin},
                                                     {"leastconn", balance_mode::leastconn}};

void read_global(table_reader& root, gateway_config& c, load_context& cx) {
    if (const auto* t = root.table("global")) {
        table_reader r(*t, "global", "global", cx);
        r.integer("workers", c.global.workers, 0, 256);
        r.duration_value("shutdown_timeout", c.global.shutdown_timeout, duration{0}, max_duration);
        r.boolean("watch_config", c.global.watch_config);
        r.integer("client_table_size", c.global.client_table_size, 1024, 16'777'216);
    }
    if (const auto* t = root.table("admin")) {
        table_reader r(*t, "admin", "admin", cx);
        r.boolean("enabled", c.admin.enabled);
        r.address("listen", c.admin.listen, {});
        r.integer("max_connections", c.admin.max_connections, 1, 65536);
        r.token("token", c.admin.token);
        r.environment_name("token_env", c.admin.token_env);
    }
    if (const auto* t = root.table("logging")) {
        table_reader r(*t, "logging", "logging", cx);
        r.boolean("access_log", c.logging.access_log);
        r.enumeration("format", c.logging.format, format_names);
        r.enumeration("level", c.logging.level, level_names);
    }
    if (const auto* t = root.table("tracing")) {
        table_reader r(*t, "tracing", "tracing", cx);
        r.boolean("enabled", c.tracing.enabled);
        r.boolean("sampled", c.tracing.sampled);
    }
}

void read_dns(table_reader& root, dns_config& d, load_context& cx) {
    const auto* t = root.table("dns");
    if (t == nullptr) return;
    table_reader r(*t, "dns", "dns", cx);
    r.ip_address_list("nameservers", d.nameservers);
    r.duration_value("timeout", d.timeout, duration{10}, std::chrono::seconds{30});
    r.integer("tries", d.tries, 1, 10);
    r.duration_value("min_ttl", d.min_ttl, duration{100}, max_duration);
    r.duration_value("max_ttl", d.max_ttl, duration{100}, max_duration);
    r.duration_value("hold", d.hold, duration{0}, max_duration);
    if (d.min_ttl > d.max_ttl && !cx.failed("dns.min_ttl") && !cx.failed("dns.max_ttl")) {
        r.invalid("min_ttl", "must not be above dns.max_ttl (" + format_duration(d.max_ttl) + ")");
    }
}

// "_http._tcp.api.example": an SRV name (RFC 2782), underscored service and protocol
// labels, then a host name.
bool is_srv_name(std::string_view name) {
    for (int label = 0; label < 2; ++label) {
        const auto dot = name.find('.');
        if (!name.starts_with('_') || dot == std::string_view::npos || dot < 2) return false;
        if (!is_hostname(name.substr(1, dot - 1))) return false;
        name.remove_prefix(dot + 1);
    }
    return is_hostname(name);
}

void read_buffers(table_reader& root, buffers_config& b, load_context& cx) {
    const auto* t = root.table("buffers");
    if (t == nullptr) return;
    table_reader r(*t, "buffers", "buffers", cx);
    r.size("size", b.size, 1 * kib, 1 * mib);
    r.integer("limit", b.limit, 0, std::int64_t{1} << 30);
    r.size("memory", b.memory, 0, 1 * tib);
    r.integer("reserve", b.reserve, 2, 1024);
    // The default follows the size; only an explicit value needs the "< size" check.
    b.maxrewrite = b.size / 2;
    r.size("maxrewrite", b.maxrewrite, 0, 1 * mib);
    r.enumeration("wake", b.wake, wake_names);
    r.boolean("splice", b.splice);
}

void read_timeouts(table_reader& root, timeouts_config& to, load_context& cx) {
    const auto* t = root.table("timeouts");
    if (t == nullptr) return;
    table_reader r(*t, "timeouts", "timeouts", cx);
    const duration min{1};
    r.duration_value("client_head", to.client_head, min, max_duration);
    r.duration_value("client_idle", to.client_idle, min, max_duration);
    r.duration_value("client_park", to.client_park, min, max_duration);
    r.duration_value("connect", to.connect, min, max_duration);
    r.duration_value("server", to.server, min, max_duration);
    r.duration_value("queue", to.queue, min, max_duration);
    r.duration_value("tunnel", to.tunnel, min, max_duration);
    r.duration_value("send", to.send, min, max_duration);
}

void read_listeners(table_reader& root, std::vector<listener_config>& out, load_context& cx) {
    const auto elements = root.tables("listeners");
    for (std::size_t i = 0; i < elements.size(); ++i) {
        listener_config l;
        if (elements[i] != nullptr) {
            table_reader r(*elements[i], "listeners[" + std::to_string(i) + "]", "listeners", cx);
            r.require("name", "name = \"http\"");
            r.name("name", l.name);
            r.require("listen", "listen = \"0.0.0.0:8080\"");
            r.address("listen", l.listen, {});
            r.name("default_backend", l.default_backend);
            r.integer("max_connections", l.max_connections, 0, max_count);
            r.size("body_limit", l.body_limit, 0, max_bytes);
            detail::read_listener_tls(r, l, cx);
            detail::read_listener_clients(r, l);
        }
        out.push_back(std::move(l));
    }
}

// What a health check sends: an origin-form target, where a query is allowed.
bool is_check_target(std::string_view path) {
    return path.starts_with('/') && std::none_of(path.begin(), path.end(), [](char c) {
               const auto u = static_cast<unsigned char>(c);
               return u <= 0x20 || u == 0x7f || c == '#';
           });
}

std::optional<health_check_config> read_health_check(table_reader& backend, load_context& cx) {
    const auto* t = backend.table("health_check");
    if (t == nullptr) return std::nullopt;
    health_check_config h;
    table_reader r(*t, backend.path_of("health_check"), "backends.health_check", cx);
    std::string text;
    if (r.string("path", text)) {
        if (is_check_target(text)) {
            h.path = text;
        } else {
            r.invalid("path", "must be a path starting with '/', without spaces or control "
                              "characters (got " +
                                  quoted(text) + ")");
        }
    }
    r.duration_value("interval", h.interval, duration{1}, max_duration);
    r.duration_value("timeout", h.timeout, duration{1}, max_duration);
    r.integer("rise", h.rise, 1, 100);
    r.integer("fall", h.fall, 1, 100);
    r.integer("expect_status", h.expect_status, 100, 599);
    return h;
}

// Where a server is: an address (an IP literal, or a host name that follows DNS as
// `discover` says) or the SRV records of `srv`.
void read_server_address(table_reader& sr, server_config& s, load_context& cx) {
    std::string srv;
    host_port address;
    const bool has_srv = sr.string("srv", srv);
    const bool has_address =
        sr.address("address", address, {.allow_any = false, .allow_port_0 = false});
    discover_mode discover = discover_mode::off;
    const bool has_discover = sr.enumeration("discover", discover, discover_names);
    if (has_srv) {
        srv = lowered(srv);
        if (has_address) {
            sr.invalid("srv", "and address are two ways to say where the server is; give one");
        } else if (!is_srv_name(srv)) {
            sr.invalid("srv", "must be an SRV name like \"_http._tcp.api.example\" (got " +
                                  quoted(srv) + ")");
        } else if (has_discover) {
            sr.invalid("discover", "does not apply to an SRV entry, which always has one server per "
                                   "SRV target");
        } else {
            s.srv = srv;
            s.address = {host_kind::hostname, srv, 0};
            s.discover = discover_mode::all;
        }
    } else if (!cx.failed(sr.path_of("srv"))) {
        sr.require("address", "address = \"127.0.0.1:9000\"");
        if (has_address) {
            s.address = address;
            const bool name = address.kind == host_kind::hostname;
            s.discover = name ? discover_mode::one : discover_mode::off;
            if (has_discover) {
                if (!name && discover != discover_mode::off) {
                    sr.invalid("discover", "needs a host name in address; " + to_string(address) +
                                               " is an IP address");
                } else {
                    s.discover = discover;
                }
            }
        }
    }
    if (sr.integer("max_servers", s.max_servers, 1, 1024) && s.discover != discover_mode::all &&
        s.srv.empty() && !cx.failed(sr.path_of("address"))) {
        sr.invalid("max_servers", "applies to discover = \"all\" and to srv entries");
    }
}

void read_backends(table_reader& root, std::vector<backend_config>& out, load_context& cx) {
    const auto elements = root.tables("backends");
    for (std::size_t i = 0; i < elements.size(); ++i) {
        backend_config b;
        if (elements[i] != nullptr) {
            table_reader r(*elements[i], "backends[" + std::to_string(i) + "]", "backends", cx);
            r.require("name", "name = \"app\"");
            r.name("name", b.name);
            r.enumeration("balance", b.balance, balance_names);
            r.integer("retries", b.retries, 0, 10);
            r.integer("queue_limit", b.queue_limit, 0, max_count);
            r.integer("keepalive_pool", b.keepalive_pool, 0, 100'000);
            r.duration_value("keepalive_timeout", b.keepalive_timeout, std::chrono::milliseconds{1},
                             std::chrono::hours{24});
            detail::read_backend_tls(r, b, cx);
            b.health_check = read_health_check(r, cx);
            detail::read_passive_health(r, b, cx);
            detail::read_retry(r, b);
            r.enumeration("send_proxy", b.send_proxy, send_proxy_names);
            const auto servers = r.tables("servers");
            for (std::size_t j = 0; j < servers.size(); ++j) {
                server_config s;
                // Built in two steps: g++ 12 -O2 misreports "literal" + string (-Wrestrict).
                s.name = "s";
                s.name += std::to_string(j + 1);
                if (servers[j] != nullptr) {
                    table_reader sr(*servers[j],
                                    r.path_of("servers") + "[" + std::to_string(j) + "]",
                                    "backends.servers", cx);
                    sr.name("name", s.name);
                    read_server_address(sr, s, cx);
                    sr.integer("weight", s.weight, 0, 256);
                    sr.integer("maxconn", s.maxconn, 0, max_count);
                    detail::read_server_tls(sr, b, s, cx);
                }
                b.servers.push_back(std::move(s));
            }
        }
        out.push_back(std::move(b));
    }
}

load_result finish(load_context& cx, std::unique_ptr<gateway_config> config) {
    load_result result;
    if (cx.has_errors()) {
        result.errors = cx.take_errors();
    } else {
        result.config = std::move(config);
    }
    return result;
}

load_result load_document(std::string_view text, const std::string& file) {
    load_context cx(file);
    toml::table document;
    try {
        document = toml::parse(text, std::string_view(file));
    } catch (const toml::parse_error& e) {
        // toml++ stops at the first syntax error; its position and wording are kept.
        cx.error_at(position_of(e.source()), std::string(e.description()));
        return finish(cx, nullptr);
    }
    auto config = std::make_unique<gateway_config>();
    table_reader root(document, "", "", cx);
    read_global(root, *config, cx);
    read_buffers(root, config->buffers, cx);
    read_timeouts(root, config->timeouts, cx);
    read_dns(root, config->dns, cx);
    read_listeners(root, config->listeners, cx);
    detail::read_routes(root, config->routes, cx);
    read_backends(root, config->backends, cx);
    detail::validate(*config, cx);
    return finish(cx, std::move(config));
}

} // namespace

load_result load_string(std::string_view toml, std::string_view file_name) {
    const std::string file(file_name);
    try {
        return load_document(toml, file);
    } catch (const std::exception& e) {
        // A bug or an allocation failure, not the operator's mistake; still never thrown.
        return {nullptr,
                {{file, 0, 0, one_line(std::string("internal error while loading: ") + e.what())}}};
    } catch (...) {
        return {nullptr, {{file, 0, 0, "internal error while loading"}}};
    }
}

load_result load_file(const std::string& path) {
    try {
        const std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                                   &std::fclose);
        auto cannot_read = [&path](int error) {
            return load_result{
                nullptr,
                {{path, 0, 0, "cannot read the file: " + std::generic_category().message(error)}}};
        };
        if (!file) return cannot_read(errno);
        std::string text;
        char chunk[16 * 1024];
        std::size_t n = 0;
        while ((n = std::fread(chunk, 1, sizeof chunk, file.get())) > 0) {
            text.append(chunk, n);
        }
        if (std::ferror(file.get()) != 0) return cannot_read(errno);
        return load_string(text, path);
    } catch (const std::exception& e) {
        return {nullptr,
                {{path, 0, 0, one_line(std::string("internal error while reading: ") + e.what())}}};
    }
}

} // namespace gw::config
