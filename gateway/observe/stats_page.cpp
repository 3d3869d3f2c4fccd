// The /stats page: one self-contained HTML document, no script, no external
// asset; it refreshes itself with a meta tag.
#include <cstdio>
#include <string>
#include <string_view>

#include "gateway/observe/metrics.hpp"

namespace gw {

namespace {

std::string html_escape(std::string_view v) {
    std::string out;
    for (char c : v) {
        switch (c) {
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '&': out += "&amp;"; break;
        case '"': out += "&quot;"; break;
        default: out += c;
        }
    }
    return out;
}

std::string num(double v, const char* fmt = "%.0f") {
    char buf[64];
    std::snprintf(buf, sizeof buf, fmt, v);
    return buf;
}

std::string cell(const std::string& v, const char* cls = nullptr) {
    return cls ? "<td class=\"" + std::string(cls) + "\">" + v + "</td>" : "<td>" + v + "</td>";
}

constexpr std::string_view style = R"(
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#1b1f24;background:#fafbfc}
h1{font-size:1.4em;margin:0 0 .2em}h2{font-size:1.1em;margin:1.4em 0 .4em}
table{border-collapse:collapse;background:#fff;box-shadow:0 1px 2px #0002}
th,td{padding:.3em .8em;border-bottom:1px solid #e3e6ea;text-align:right}
th{background:#eef1f4;font-weight:600}td:first-child,th:first-child{text-align:left}
.up{color:#0a7d32;font-weight:600}.down{color:#c62828;font-weight:600}
.muted{color:#6a737d}.bar{display:inline-block;height:.7em;background:#4a90d9;vertical-align:middle}
)";

// The buffer pool: one row per worker and their sum, and the wake rule's efficiency.
void pool_section(std::string& h, const gateway_snapshot& s, const config::gateway_config& cfg) {
    const auto& p = s.pool;
    const double wake_efficiency =
        p.resumes ? 100.0 * static_cast<double>(p.resumes - p.failed_resumes) / static_cast<double>(p.resumes)
                  : 100.0;
    h += "<h2>Buffer pool</h2><table><tr><th>worker</th><th>used</th><th>free</th><th>limit</th>"
         "<th>reserve</th><th>high water</th><th>waiting (crit / norm)</th><th>waits</th>"
         "<th>resumes</th><th>failed resumes</th><th>from reserve</th><th>use</th></tr>";
    auto pool_row = [&](const std::string& name, const alloc::pool_stats& ps) {
        const double share =
            ps.limit ? 100.0 * static_cast<double>(ps.used) / static_cast<double>(ps.limit) : 0.0;
        h += "<tr>" + cell(name) + cell(std::to_string(ps.used)) + cell(std::to_string(ps.free)) +
             cell(ps.limit ? std::to_string(ps.limit) : "unbounded") + cell(std::to_string(ps.reserve)) +
             cell(std::to_string(ps.high_water)) +
             cell(std::to_string(ps.waiters[0]) + " / " + std::to_string(ps.waiters[1])) +
             cell(std::to_string(ps.waits_total())) + cell(std::to_string(ps.resumes)) +
             cell(std::to_string(ps.failed_resumes)) + cell(std::to_string(ps.reserve_acquires)) +
             cell("<span class=\"bar\" style=\"width:" + num(share * 0.8) + "px\"></span> " +
                  num(share) + "%") +
             "</tr>";
    };
    for (std::size_t i = 0; i < s.pools.size(); ++i)
        pool_row(std::to_string(i), s.pools[i]);
    pool_row("<b>all</b>", p);
    h += "</table><p>Buffer size " + std::to_string(p.buffer_size) +
         " B. Wake efficiency: " + num(wake_efficiency, "%.2f") +
         "% of wake-ups found a buffer (" +
         (cfg.buffers.wake == config::wake_strategy::reserve_aware ? "reserve-aware"
          : cfg.buffers.wake == config::wake_strategy::per_release ? "per-release"
                                                                   : "wake-all") +
         " wake rule).</p></body></html>\n";
}

} // namespace

std::string render_stats_page(const gateway_snapshot& s, const config::gateway_config& cfg,
                              unsigned refresh_seconds) {
    std::string h;
    h.reserve(16 * 1024);
    h += "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">";
    h += "<meta http-equiv=\"refresh\" content=\"" + std::to_string(refresh_seconds) + "\">";
    h += "<title>gateway stats</title><style>";
    h += style;
    h += "</style></head><body><h1>gateway</h1><p class=\"muted\">";
    h += std::to_string(s.pools.size()) + " workers &middot; " + std::to_string(s.sessions) +
         " open connections &middot; " + (s.draining ? "<b>draining</b>" : "serving") +
         " &middot; refreshes every " + std::to_string(refresh_seconds) + " s</p>";

    h += "<h2>Listeners</h2><table><tr><th>listener</th><th>address</th><th>open</th>"
         "<th>connections</th><th>requests</th><th>2xx</th><th>3xx</th><th>4xx</th><th>5xx</th>"
         "<th>bytes in</th><th>bytes out</th><th>mean time</th></tr>";
    for (std::size_t l = 0; l < cfg.listeners.size(); ++l) {
        const auto& c = s.counters.listeners[l];
        const auto& a = cfg.listeners[l].listen;
        h += "<tr>" + cell(html_escape(cfg.listeners[l].name)) +
             cell(html_escape(a.host) + ":" + std::to_string(a.port)) +
             cell(std::to_string(s.open_connections[l])) +
             cell(std::to_string(c.connections_total)) + cell(std::to_string(c.requests_total));
        for (std::size_t k = 1; k < 5; ++k)
            h += cell(std::to_string(c.responses_by_class[k]));
        h += cell(std::to_string(c.bytes_in)) + cell(std::to_string(c.bytes_out)) +
             cell(c.duration.count ? num(1000 * c.duration.sum_seconds / c.duration.count, "%.2f ms")
                                   : "-") +
             "</tr>";
    }
    h += "</table>";

    h += "<h2>Backends and servers</h2><table><tr><th>backend / server</th><th>state</th>"
         "<th>weight</th><th>active</th><th>maxconn</th><th>queued</th><th>requests</th>"
         "<th>connects</th><th>connect failures</th><th>2xx</th><th>5xx</th></tr>";
    for (std::size_t b = 0; b < cfg.backends.size(); ++b) {
        const auto& be = s.backends[b];
        const auto& bc = s.counters.backends[b];
        h += "<tr><td><b>" + html_escape(cfg.backends[b].name) + "</b> <span class=\"muted\">" +
             (cfg.backends[b].balance == config::balance_mode::leastconn ? "leastconn" : "roundrobin") +
             "</span></td>" + cell("") + cell("") + cell("") + cell("") +
             cell(std::to_string(be.queued) + " <span class=\"muted\">(" +
                  std::to_string(bc.queued_total) + " in all, " +
                  std::to_string(be.queue_timeouts) + " timed out)</span>") +
             cell("") + cell("") + cell("") + cell(std::to_string(bc.responses_by_class[1])) +
             cell(std::to_string(bc.responses_by_class[4])) + "</tr>";
        for (const auto& sv : be.servers) {
            const bool up = sv.up;
            const std::string_view mode = sv.state;
            // DRAIN / MAINT (the admin API) say more than UP/DOWN: nothing new goes there.
            std::string status = mode == "ready" ? (up ? "UP" : "DOWN")
                                 : mode == "drain" ? (up ? "UP, DRAIN" : "DOWN, DRAIN")
                                                   : "MAINT";
            if (sv.ejected) // passive health took it out for a while
                status += ", EJECTED";
            h += "<tr>" + cell("&nbsp;&nbsp;" + html_escape(sv.name) + " <span class=\"muted\">" +
                               sv.address + "</span>") +
                 cell(status, up && mode == "ready" && !sv.ejected ? "up" : "down") + cell(std::to_string(sv.weight)) +
                 cell(std::to_string(sv.active)) +
                 cell(sv.maxconn ? std::to_string(sv.maxconn) : "&infin;") + cell("") +
                 cell(std::to_string(sv.requests)) + cell(std::to_string(sv.connects)) +
                 cell(std::to_string(sv.connect_failures)) + cell("") + cell("") + "</tr>";
        }
    }
    h += "</table>";

    pool_section(h, s, cfg);
    return h;
}

} // namespace gw
