// Cross-checks: rules that relate several values, run after the whole file is read.
#include "config/validate.hpp"

#include "config/suggest.hpp"
#include "config/units.hpp"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

namespace gw::config::detail {

namespace {

std::string indexed(std::string_view section, std::size_t i) {
    return std::string(section) + "[" + std::to_string(i) + "]";
}

std::string line_of(const load_context& cx, const std::string& path) {
    return "line " + std::to_string(cx.find(path).line);
}

// True if two listening addresses would compete for the same socket. Port 0 asks the
// kernel for a fresh port each time, so it never conflicts. Hostnames are compared as
// written: resolving them is the gateway's job, not the checker's.
bool binds_overlap(const host_port& a, const host_port& b) {
    if (a.port != b.port || a.port == 0) return false;
    if (a.kind == host_kind::any || b.kind == host_kind::any) return true;
    if (a.kind == b.kind && a.host == b.host) return true;
    auto all_v4 = [](const host_port& h) {
        return h.kind == host_kind::ipv4 && h.host == "0.0.0.0";
    };
    auto all_v6 = [](const host_port& h) { return h.kind == host_kind::ipv6 && h.host == "::"; };
    if ((all_v4(a) && b.kind == host_kind::ipv4) || (all_v4(b) && a.kind == host_kind::ipv4)) {
        return true;
    }
    return (all_v6(a) && b.kind == host_kind::ipv6) || (all_v6(b) && a.kind == host_kind::ipv6);
}

// "; did you mean 'api'?" or "; defined backends: app, api" (or "; none is defined").
std::string reference_hint(const std::string& name, const std::vector<std::string>& defined,
                           std::string_view what) {
    if (auto guess = closest_match(name, defined)) return "; did you mean '" + *guess + "'?";
    if (defined.empty()) return "; no " + std::string(what) + " is defined";
    std::string list;
    for (const auto& d : defined) {
        list += (list.empty() ? "" : ", ") + d;
    }
    return "; defined " + std::string(what) + "s: " + list;
}

void check_buffers(gateway_config& c, load_context& cx) {
    auto& b = c.buffers;
    const bool size_ok = !cx.failed("buffers.size");
    if (b.maxrewrite >= b.size && size_ok && !cx.failed("buffers.maxrewrite")) {
        cx.error("buffers.maxrewrite",
                 "buffers.maxrewrite must be less than buffers.size (" + format_size(b.size) +
                     ") so that a request head has room (got " + format_size(b.maxrewrite) + ")");
    }
    if (b.limit > 0 && b.memory > 0 && !cx.failed("buffers.limit") &&
        !cx.failed("buffers.memory")) {
        cx.error("buffers.memory",
                 "buffers.limit and buffers.memory are mutually exclusive; set only one of them");
        return;
    }
    const bool from_memory = b.memory > 0;
    if (from_memory) {
        if (!size_ok || cx.failed("buffers.memory")) return;
        // The gateway only reads `limit`: the budget becomes a number of buffers here.
        b.limit = static_cast<std::size_t>(b.memory / b.size);
    }
    if (b.limit == 0 && !from_memory) return; // unbounded
    if (cx.failed("global.workers") || cx.failed("buffers.reserve") || cx.failed("buffers.limit")) {
        return;
    }
    // Each worker's shard needs its reserve plus one buffer, or a worker can starve.
    const std::size_t workers = std::max<std::size_t>(c.global.workers, 1);
    const std::size_t needed = minimum_buffer_limit(workers, b.reserve);
    if (b.limit >= needed) return;
    const std::string rule = std::to_string(needed) + " = workers (" + std::to_string(workers) +
                             ") x (reserve (" + std::to_string(b.reserve) + ") + 1)";
    const std::string recheck =
        c.global.workers == 0
            ? "; global.workers = 0 is checked as 1 worker here, and the gateway re-checks "
              "against its real worker count at start"
            : "";
    if (from_memory) {
        cx.error("buffers.memory", "buffers.memory must hold at least " + rule + " buffers of " +
                                       format_size(b.size) + ", i.e. at least " +
                                       format_size(needed * b.size) + " (got " +
                                       format_size(b.memory) + ", " + std::to_string(b.limit) +
                                       " buffers)" + recheck);
    } else {
        cx.error("buffers.limit", "buffers.limit must be 0 (unbounded) or at least " + rule +
                                      " (got " + std::to_string(b.limit) + ")" + recheck);
    }
}

// Reports a second use of a name; `names` maps each name to the path that used it first.
void check_unique(std::map<std::string, std::string>& names, const std::string& name,
                  const std::string& path, load_context& cx) {
    if (name.empty() || cx.failed(path)) return;
    const auto [it, inserted] = names.emplace(name, path);
    if (!inserted) {
        cx.error(path, path + " " + quoted(name) + " is already used by " + it->second + " (" +
                           line_of(cx, it->second) + ")");
    }
}

void check_listeners(const gateway_config& c, load_context& cx) {
    if (c.listeners.empty()) {
        if (!cx.failed("listeners")) {
            cx.error("", "no listeners are defined; add a [[listeners]] table with a name and a "
                         "listen address");
        }
        return;
    }
    std::map<std::string, std::string> names;
    for (std::size_t i = 0; i < c.listeners.size(); ++i) {
        check_unique(names, c.listeners[i].name, indexed("listeners", i) + ".name", cx);
    }
    // Two sockets on one address: the second bind would fail at start, after the check.
    for (std::size_t i = 0; i < c.listeners.size(); ++i) {
        const std::string path = indexed("listeners", i) + ".listen";
        if (cx.failed(path) || cx.failed(indexed("listeners", i))) continue;
        for (std::size_t j = 0; j < i; ++j) {
            const std::string other = indexed("listeners", j) + ".listen";
            if (cx.failed(other) || !binds_overlap(c.listeners[i].listen, c.listeners[j].listen)) {
                continue;
            }
            cx.error(path, path + " " + to_string(c.listeners[i].listen) + " conflicts with " +
                               other + " " + to_string(c.listeners[j].listen) + " (" +
                               line_of(cx, other) + "): both would bind port " +
                               std::to_string(c.listeners[i].listen.port));
            break;
        }
    }
    if (c.admin.enabled && !cx.failed("admin.listen")) {
        for (std::size_t j = 0; j < c.listeners.size(); ++j) {
            const std::string other = indexed("listeners", j) + ".listen";
            if (cx.failed(other) || !binds_overlap(c.admin.listen, c.listeners[j].listen)) continue;
            cx.error("admin.listen",
                     "admin.listen " + to_string(c.admin.listen) + " conflicts with " + other +
                         " " + to_string(c.listeners[j].listen) + " (" + line_of(cx, other) +
                         "); give the admin listener its own port or set admin.enabled = false");
            break;
        }
    }
}

void check_backends(const gateway_config& c, load_context& cx) {
    if (c.backends.empty()) {
        if (!cx.failed("backends")) {
            cx.error(
                "",
                "no backends are defined; add a [[backends]] table with a name and at least one "
                "[[backends.servers]]");
        }
        return;
    }
    std::map<std::string, std::string> names;
    for (std::size_t i = 0; i < c.backends.size(); ++i) {
        const auto& b = c.backends[i];
        const std::string path = indexed("backends", i);
        check_unique(names, b.name, path + ".name", cx);
        if (b.servers.empty() && !cx.failed(path + ".servers") && !cx.failed(path)) {
            cx.error(path,
                     path + " (" + (b.name.empty() ? "unnamed" : quoted(b.name)) +
                         ") has no servers; add at least one [[backends.servers]] with an address");
        }
        std::map<std::string, std::string> server_names;
        for (std::size_t j = 0; j < b.servers.size(); ++j) {
            check_unique(server_names, b.servers[j].name, indexed(path + ".servers", j) + ".name",
                         cx);
        }
        const std::string check = path + ".health_check";
        if (b.health_check && b.health_check->timeout >= b.health_check->interval &&
            !cx.failed(check + ".timeout") && !cx.failed(check + ".interval")) {
            cx.error(check + ".timeout", check + ".timeout must be less than " + check +
                                             ".interval (" +
                                             format_duration(b.health_check->interval) + ") (got " +
                                             format_duration(b.health_check->timeout) + ")");
        }
    }
}

// Every name a route or listener refers to must be defined. When a definition itself
// failed to load, an "undefined" error would only repeat that error, so none is given.
void check_references(const gateway_config& c, load_context& cx) {
    std::vector<std::string> backends;
    bool backends_complete = !cx.failed("backends");
    for (std::size_t i = 0; i < c.backends.size(); ++i) {
        if (cx.failed(indexed("backends", i) + ".name") || cx.failed(indexed("backends", i))) {
            backends_complete = false;
        }
        if (!c.backends[i].name.empty()) backends.push_back(c.backends[i].name);
    }
    std::vector<std::string> listeners;
    bool listeners_complete = !cx.failed("listeners");
    for (std::size_t i = 0; i < c.listeners.size(); ++i) {
        if (cx.failed(indexed("listeners", i) + ".name") || cx.failed(indexed("listeners", i))) {
            listeners_complete = false;
        }
        if (!c.listeners[i].name.empty()) listeners.push_back(c.listeners[i].name);
    }
    auto check = [&cx](const std::string& path, const std::string& name,
                       const std::vector<std::string>& defined, bool complete,
                       std::string_view what) {
        if (name.empty() || !complete || cx.failed(path)) return;
        if (std::find(defined.begin(), defined.end(), name) != defined.end()) return;
        cx.error(path, path + " " + quoted(name) + " is not a defined " + std::string(what) +
                           reference_hint(name, defined, what));
    };
    for (std::size_t i = 0; i < c.listeners.size(); ++i) {
        const std::string path = indexed("listeners", i) + ".default_backend";
        check(path, c.listeners[i].default_backend, backends, backends_complete, "backend");
    }
    for (std::size_t i = 0; i < c.routes.size(); ++i) {
        const std::string path = indexed("routes", i);
        check(path + ".backend", c.routes[i].backend, backends, backends_complete, "backend");
        check(path + ".listener", c.routes[i].listener, listeners, listeners_complete, "listener");
    }
}

// A route's fixed response is written from one buffer, head and body together.
void check_routes(const gateway_config& c, load_context& cx) {
    for (std::size_t i = 0; i < c.routes.size(); ++i) {
        const auto& r = c.routes[i].respond;
        if (!r) continue;
        const std::size_t head = 256 + r->content_type.size(); // (status line, framing fields)
        if (head + r->body.size() > c.buffers.size) {
            const std::string path = indexed("routes", i) + ".respond.body";
            cx.error(path, path + " does not fit in a buffer with its head (" + std::to_string(head + r->body.size()) +
                               " bytes; buffers.size is " + std::to_string(c.buffers.size) + ")");
        }
    }
}

} // namespace

void validate(gateway_config& config, load_context& cx) {
    check_buffers(config, cx);
    check_listeners(config, cx);
    check_backends(config, cx);
    check_references(config, cx);
    check_routes(config, cx);
}

} // namespace gw::config::detail
