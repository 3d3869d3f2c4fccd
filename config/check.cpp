#include "config/check.hpp"

#include "config/load.hpp"
#include "config/units.hpp"

namespace gw::config {

namespace {

std::string_view name_of(wake_strategy w) {
    switch (w) {
    case wake_strategy::reserve_aware:
        return "reserve-aware";
    case wake_strategy::per_release:
        return "per-release";
    case wake_strategy::wake_all:
        return "wake-all";
    }
    return "?";
}

std::string_view name_of(balance_mode b) {
    return b == balance_mode::leastconn ? "leastconn" : "roundrobin";
}

void print_buffers(const gateway_config& c, std::ostream& out) {
    const auto& b = c.buffers;
    out << "buffers: " << format_size(b.size) << " each, limit ";
    if (b.limit == 0) {
        out << "unbounded";
    } else {
        out << b.limit;
        if (b.memory > 0) out << " (from memory " << format_size(b.memory) << ")";
        if (c.global.workers == 0) {
            out << " (checked for 1 worker; re-checked against the worker count at start)";
        }
    }
    out << ", reserve " << b.reserve << ", maxrewrite " << format_size(b.maxrewrite) << ", wake "
        << name_of(b.wake) << '\n';
}

void print_summary(const std::string& path, const gateway_config& c, std::ostream& out) {
    out << path << ": configuration OK\n";
    out << "workers: ";
    if (c.global.workers == 0) {
        out << "one per CPU core\n";
    } else {
        out << c.global.workers << '\n';
    }
    out << "admin: " << (c.admin.enabled ? to_string(c.admin.listen) : std::string("disabled"))
        << '\n';
    print_buffers(c, out);
    for (const auto& l : c.listeners) {
        out << "listener " << l.name << ": " << to_string(l.listen);
        if (!l.default_backend.empty()) out << " (default backend " << l.default_backend << ")";
        out << '\n';
    }
    for (const auto& b : c.backends) {
        out << "backend " << b.name << " (" << name_of(b.balance) << ", " << b.servers.size()
            << (b.servers.size() == 1 ? " server" : " servers")
            << (b.health_check ? ", health check " + b.health_check->path : std::string()) << "):";
        for (const auto& s : b.servers) {
            out << ' ' << s.name << '=' << to_string(s.address) << " weight " << s.weight;
            if (s.maxconn > 0) out << " maxconn " << s.maxconn;
            out << (&s == &b.servers.back() ? "" : ",");
        }
        out << '\n';
    }
    out << "routes: " << c.routes.size() << '\n';
}

} // namespace

int run_check(const std::string& path, std::ostream& out, std::ostream& err) {
    const load_result result = load_file(path);
    if (!result.config) {
        for (const auto& e : result.errors) {
            err << to_string(e) << '\n';
        }
        return 2;
    }
    print_summary(path, *result.config, out);
    return 0;
}

} // namespace gw::config
