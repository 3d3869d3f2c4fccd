#include "config/resilience_reader.hpp"

#include "config/diagnostics.hpp"
#include "config/units.hpp"

#include <algorithm>
#include <string>
#include <vector>

namespace gw::config::detail {

namespace {

constexpr duration max_ejection_bound = std::chrono::hours{24};

} // namespace

void read_passive_health(table_reader& backend, backend_config& b, load_context& cx) {
    const auto* t = backend.table("passive_health");
    if (t == nullptr) return;
    passive_health_config p;
    table_reader r(*t, backend.path_of("passive_health"), "backends.passive_health", cx);
    r.integer("failures", p.failures, 1, 1000);
    r.duration_value("window", p.window, duration{1}, max_ejection_bound);
    r.duration_value("ejection", p.ejection, duration{1}, max_ejection_bound);
    const bool max_given = r.duration_value("max_ejection", p.max_ejection, duration{1}, max_ejection_bound);
    r.integer("max_ejected_percent", p.max_ejected_percent, 1, 100);
    r.boolean("count_server_errors", p.count_server_errors);
    if (p.max_ejection < p.ejection) {
        if (max_given)
            r.invalid("max_ejection", "must be at least ejection (" + format_duration(p.ejection) + ")");
        else
            p.max_ejection = p.ejection; // (a long first ejection: the default bound follows it)
    }
    b.passive_health = p;
}

void read_retry(table_reader& r, backend_config& b) {
    std::vector<std::string> on;
    if (r.string_list("retry_on", on)) {
        retry_config& x = b.retry;
        x.on_reset = x.on_timeout = x.on_502 = x.on_503 = false;
        for (std::size_t i = 0; i < on.size(); ++i) {
            const auto& w = on[i];
            if (w == "reset") x.on_reset = true;
            else if (w == "timeout") x.on_timeout = true;
            else if (w == "502") x.on_502 = true;
            else if (w == "503") x.on_503 = true;
            else {
                r.invalid("retry_on", "must list conditions among \"reset\", \"timeout\", \"502\" and \"503\" (element " +
                                          std::to_string(i + 1) + " is " + quoted(w) + ")");
                return;
            }
        }
    }
    r.duration_value("try_timeout", b.retry.try_timeout, duration{0}, max_ejection_bound);
    r.integer("retry_budget", b.retry.budget_percent, 0, 100);
    std::string header;
    if (r.string("retry_header", header)) {
        const bool token = !header.empty() && std::all_of(header.begin(), header.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
        });
        if (token)
            b.retry.header = header;
        else
            r.invalid("retry_header", "must be a field name like \"Idempotency-Key\" (got " + quoted(header) + ")");
    }
    if (b.retry.on_timeout && b.retry.try_timeout.count() == 0 && !r.has("try_timeout"))
        r.invalid("retry_on", "lists \"timeout\" but try_timeout is not set (how long is a try?)");
}

} // namespace gw::config::detail
