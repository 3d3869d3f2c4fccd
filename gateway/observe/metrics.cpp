#include "gateway/observe/metrics.hpp"

#include <cstdio>
#include <string_view>


namespace gw {

namespace {

const char* const class_label[5] = {"1xx", "2xx", "3xx", "4xx", "5xx"};

// Label values are names validated by config/ ([A-Za-z0-9_.-]), but escape anyway.
std::string escape_label(std::string_view v) {
    std::string out;
    for (char c : v) {
        if (c == '\\' || c == '"')
            out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out;
}

class writer {
public:
    explicit writer(std::string& out) : out_(out) {}
    void family(const char* name, const char* type, const char* help) {
        out_ += "# HELP ";
        out_ += name;
        out_ += ' ';
        out_ += help;
        out_ += "\n# TYPE ";
        out_ += name;
        out_ += ' ';
        out_ += type;
        out_ += '\n';
    }
    void sample(const std::string& name, const std::string& labels, double value) {
        out_ += name;
        if (!labels.empty()) {
            out_ += '{';
            out_ += labels;
            out_ += '}';
        }
        char buf[48];
        std::snprintf(buf, sizeof buf, " %.17g\n", value);
        out_ += buf;
    }
    void sample(const std::string& name, const std::string& labels, std::uint64_t value) {
        sample(name, labels, static_cast<double>(value));
    }

private:
    std::string& out_;
};

std::string label(const char* k, std::string_view v) {
    return std::string(k) + "=\"" + escape_label(v) + "\"";
}

// A family with one sample per owner (listener or backend) and status class.
template <class Names, class Counts>
void per_class(writer& w, const char* name, const char* help, const char* owner, Names names,
               std::size_t owners, Counts counts) {
    w.family(name, "counter", help);
    for (std::size_t i = 0; i < owners; ++i)
        for (std::size_t c = 0; c < 5; ++c)
            w.sample(name, label(owner, names(i)) + "," + label("code", class_label[c]), counts(i)[c]);
}

// TLS listeners only: handshakes, failures by reason, certificates' expiry;
// and whether the kernel could take over the encryption (kTLS).
void write_tls(writer& w, const gateway_snapshot& s, const config::gateway_config& cfg) {
    w.family("gateway_tls_kernel_offload_available", "gauge",
             "1 when the kernel offers kernel TLS (the 'tls' ULP); the gateway does not use it yet.");
    w.sample("gateway_tls_kernel_offload_available", "", std::uint64_t{s.ktls_available ? 1u : 0u});
    // A family whose samples are emitted for each TLS listener, with its label.
    auto per_tls_listener = [&](const char* name, const char* type, const char* help, auto emit) {
        w.family(name, type, help);
        for (std::size_t l = 0; l < cfg.listeners.size(); ++l)
            if (cfg.listeners[l].tls)
                emit(l, label("listener", cfg.listeners[l].name) + ",");
    };
    per_tls_listener("gateway_tls_handshakes_total", "counter",
                     "TLS handshakes completed with clients, full or resumed (a session ticket).",
                     [&](std::size_t l, const std::string& ln) {
                         const char* name = "gateway_tls_handshakes_total";
                         w.sample(name, ln + label("resumed", "false"), s.counters.listeners[l].tls_handshakes);
                         w.sample(name, ln + label("resumed", "true"), s.counters.listeners[l].tls_resumed);
                     });
    per_tls_listener("gateway_tls_handshake_failures_total", "counter",
                     "TLS handshakes with clients that failed, by reason.",
                     [&](std::size_t l, const std::string& ln) {
                         for (std::size_t r = 0; r < tls_failure_names.size(); ++r)
                             w.sample("gateway_tls_handshake_failures_total",
                                      ln + label("reason", tls_failure_names[r]),
                                      s.counters.listeners[l].tls_failures[r]);
                     });
    per_tls_listener("gateway_tls_certificate_reloads_total", "counter",
                     "Certificate reloads (SIGHUP or a changed file): done, or failed (the old ones stay).",
                     [&](std::size_t l, const std::string& ln) {
                         if (l >= s.tls_reloads.size())
                             return; // (a snapshot without them)
                         const char* name = "gateway_tls_certificate_reloads_total";
                         w.sample(name, ln + label("result", "ok"), s.tls_reloads[l]);
                         w.sample(name, ln + label("result", "failed"), s.tls_reload_failures[l]);
                     });
    w.family("gateway_tls_certificate_expiry_seconds", "gauge",
             "When a listener's certificate expires (Unix time): alert on it minus time().");
    for (const auto& c : s.certificates)
        w.sample("gateway_tls_certificate_expiry_seconds",
                 label("listener", cfg.listeners[c.listener].name) + "," + label("file", c.file) + "," +
                     label("name", c.name) + "," + label("key_type", c.key_type),
                 static_cast<std::uint64_t>(c.not_after > 0 ? c.not_after : 0));
}

void write_listeners(writer& w, const gateway_snapshot& s, const config::gateway_config& cfg) {
    // Listeners.
    auto per_listener = [&](const char* name, const char* type, const char* help, auto value) {
        w.family(name, type, help);
        for (std::size_t l = 0; l < cfg.listeners.size(); ++l)
            w.sample(name, label("listener", cfg.listeners[l].name), value(l));
    };
    per_listener("gateway_connections", "gauge", "Open client connections.", [&](std::size_t l) {
        return static_cast<std::uint64_t>(s.open_connections[l]);
    });
    w.family("gateway_connections_parked", "gauge",
             "Idle client connections parked (socket only, no session; timeouts.client_park).");
    w.sample("gateway_connections_parked", "", static_cast<std::uint64_t>(s.parked));
    per_listener("gateway_connections_total", "counter", "Client connections accepted.",
                 [&](std::size_t l) { return s.counters.listeners[l].connections_total; });
    per_listener("gateway_requests_total", "counter", "Requests received (heads parsed).",
                 [&](std::size_t l) { return s.counters.listeners[l].requests_total; });
    per_class(w, "gateway_responses_total",
              "Responses sent to clients by status class, the gateway's own replies included.",
              "listener", [&](std::size_t l) { return cfg.listeners[l].name; }, cfg.listeners.size(),
              [&](std::size_t l) { return s.counters.listeners[l].responses_by_class; });
    per_listener("gateway_received_bytes_total", "counter", "Bytes received from clients.",
                 [&](std::size_t l) { return s.counters.listeners[l].bytes_in; });
    per_listener("gateway_sent_bytes_total", "counter", "Bytes sent to clients.",
                 [&](std::size_t l) { return s.counters.listeners[l].bytes_out; });
    w.family("gateway_request_duration_seconds", "histogram",
             "Time from a request's first byte to the end of its response.");
    for (std::size_t l = 0; l < cfg.listeners.size(); ++l) {
        const auto& h = s.counters.listeners[l].duration;
        const auto ln = label("listener", cfg.listeners[l].name);
        std::uint64_t cumulative = 0;
        for (std::size_t b = 0; b < duration_bounds.size(); ++b) {
            cumulative += h.buckets[b];
            char le[32];
            std::snprintf(le, sizeof le, "%g", duration_bounds[b]);
            w.sample("gateway_request_duration_seconds_bucket", ln + "," + label("le", le), cumulative);
        }
        cumulative += h.buckets.back();
        w.sample("gateway_request_duration_seconds_bucket", ln + "," + label("le", "+Inf"), cumulative);
        w.sample("gateway_request_duration_seconds_sum", ln, h.sum_seconds);
        w.sample("gateway_request_duration_seconds_count", ln, h.count);
    }
    w.family("gateway_client_refusals_total", "counter",
             "Client connections or requests refused by a client policy, by reason.");
    for (std::size_t l = 0; l < cfg.listeners.size(); ++l)
        for (std::size_t r = 0; r < client_refusal_names.size(); ++r)
            w.sample("gateway_client_refusals_total",
                     label("listener", cfg.listeners[l].name) + "," + label("reason", client_refusal_names[r]),
                     s.counters.listeners[l].client_refusals[r]);
    w.family("gateway_client_table_entries", "gauge",
             "Client addresses the per-client table follows now (client limits, PROXY protocol).");
    w.sample("gateway_client_table_entries", "", static_cast<std::uint64_t>(s.client_entries));
    w.family("gateway_client_table_capacity", "gauge", "The per-client table's size (global.client_table_size).");
    w.sample("gateway_client_table_capacity", "", static_cast<std::uint64_t>(s.client_capacity));
    w.family("gateway_client_table_untracked_total", "counter",
             "Connections admitted without per-client limits: their table bucket was full of open connections.");
    w.sample("gateway_client_table_untracked_total", "", s.clients_untracked);
    w.family("gateway_client_table_evictions_total", "counter",
             "Client addresses dropped from the table for a new one (least recently used, no open connection).");
    w.sample("gateway_client_table_evictions_total", "", s.clients_evicted);
    w.family("gateway_client_timeouts_total", "counter", "Client requests ended by a timeout (408).");
    w.sample("gateway_client_timeouts_total", "", s.counters.client_timeouts);
    w.family("gateway_admin_refused_total", "counter",
             "Admin connections closed on accept: admin.max_connections were open.");
    w.sample("gateway_admin_refused_total", "", s.counters.admin_refused);
    w.family("gateway_admin_timeouts_total", "counter",
             "Admin connections closed because a request did not arrive in time.");
    w.sample("gateway_admin_timeouts_total", "", s.counters.admin_timeouts);
    w.family("gateway_admin_unauthorized_total", "counter",
             "Admin API writes refused: no or a wrong bearer token (401).");
    w.sample("gateway_admin_unauthorized_total", "", s.counters.admin_unauthorized);
    write_tls(w, s, cfg);
    w.family("gateway_spliced_bytes_total", "counter",
             "Body bytes moved socket to socket with splice(2), never copied (buffers.splice).");
    w.sample("gateway_spliced_bytes_total", "", s.counters.spliced_bytes);

}

void write_backends(writer& w, const gateway_snapshot& s, const config::gateway_config& cfg) {
    // Backends.
    auto per_backend = [&](const char* name, const char* type, const char* help, auto value) {
        w.family(name, type, help);
        for (std::size_t b = 0; b < cfg.backends.size(); ++b)
            w.sample(name, label("backend", cfg.backends[b].name), value(b));
    };
    per_class(w, "gateway_backend_responses_total",
              "Responses from the backend's servers by status class.", "backend",
              [&](std::size_t b) { return cfg.backends[b].name; }, cfg.backends.size(),
              [&](std::size_t b) { return s.counters.backends[b].responses_by_class; });
    per_backend("gateway_backend_retries_total", "counter", "Connect attempts retried on another server.",
                [&](std::size_t b) { return s.counters.backends[b].retries; });
    per_backend("gateway_backend_request_retries_total", "counter",
                "Requests sent again on another server after a failure before any response byte (retry_on).",
                [&](std::size_t b) { return s.counters.backends[b].request_retries; });
    per_backend("gateway_backend_retries_over_budget_total", "counter",
                "Retries not made: the backend's retry budget was spent (retry_budget).",
                [&](std::size_t b) { return s.backends[b].retries_over_budget; });
    per_backend("gateway_backend_connect_timeouts_total", "counter", "Connect attempts that timed out.",
                [&](std::size_t b) { return s.counters.backends[b].connect_timeouts; });
    per_backend("gateway_backend_server_timeouts_total", "counter", "Responses that did not come in time (504).",
                [&](std::size_t b) { return s.counters.backends[b].server_timeouts; });
    per_backend("gateway_backend_queue_length", "gauge", "Sessions waiting for a server slot now.",
                [&](std::size_t b) { return static_cast<std::uint64_t>(s.backends[b].queued); });
    per_backend("gateway_backend_queued_total", "counter", "Sessions that had to wait for a server slot.",
                [&](std::size_t b) { return s.counters.backends[b].queued_total; });
    per_backend("gateway_backend_queue_seconds_total", "counter", "Time sessions spent waiting for a server slot.",
                [&](std::size_t b) { return s.counters.backends[b].queue_seconds; });
    per_backend("gateway_backend_queue_timeouts_total", "counter", "Sessions that gave up waiting (503).",
                [&](std::size_t b) { return s.backends[b].queue_timeouts; });
    per_backend("gateway_backend_idle_connections", "gauge",
                "Idle kept-alive connections to the backend's servers now, all workers.",
                [&](std::size_t b) { return s.counters.backends[b].idle_connections; });
    per_backend("gateway_backend_idle_closed_total", "counter",
                "Idle server connections closed after keepalive_timeout unused.",
                [&](std::size_t b) { return s.counters.backends[b].idle_closed; });

}

void write_servers(writer& w, const gateway_snapshot& s, const config::gateway_config& cfg) {
    // Servers.
    auto per_server = [&](const char* name, const char* type, const char* help, auto value) {
        w.family(name, type, help);
        for (std::size_t b = 0; b < cfg.backends.size(); ++b)
            for (const auto& srv : s.backends[b].servers)
                w.sample(name, label("backend", cfg.backends[b].name) + "," + label("server", srv.name),
                         value(srv));
    };
    per_server("gateway_server_up", "gauge", "1 when the server is up (health checks), else 0.",
               [](const server_snapshot& v) { return static_cast<std::uint64_t>(v.up ? 1 : 0); });
    per_server("gateway_server_weight", "gauge", "The server's weight now (the config's, or the admin API's).",
               [](const server_snapshot& v) { return static_cast<std::uint64_t>(v.weight); });
    per_server("gateway_server_ready", "gauge",
               "1 when the operator has the server ready, 0 when drained or in maintenance (admin API).",
               [](const server_snapshot& v) { return static_cast<std::uint64_t>(std::string_view(v.state) == "ready"); });
    per_server("gateway_server_maintenance", "gauge", "1 when the server is in maintenance (disabled, no health checks).",
               [](const server_snapshot& v) { return static_cast<std::uint64_t>(std::string_view(v.state) == "maint"); });
    per_server("gateway_server_active", "gauge", "Exchanges in progress on the server.",
               [](const server_snapshot& v) { return static_cast<std::uint64_t>(v.active); });
    per_server("gateway_server_maxconn", "gauge", "The server's maxconn (0 = unlimited).",
               [](const server_snapshot& v) { return static_cast<std::uint64_t>(v.maxconn); });
    per_server("gateway_server_requests_total", "counter", "Exchanges sent to the server.",
               [](const server_snapshot& v) { return v.requests; });
    per_server("gateway_server_connections_opened_total", "counter", "New connections opened to the server.",
               [](const server_snapshot& v) { return v.connects; });
    per_server("gateway_server_connect_failures_total", "counter", "Failed connects to the server.",
               [](const server_snapshot& v) { return v.connect_failures; });
    per_server("gateway_server_ejected", "gauge",
               "1 while passive health keeps the server out of rotation (backends.passive_health), else 0.",
               [](const server_snapshot& v) { return std::uint64_t{v.ejected ? 1u : 0u}; });
    per_server("gateway_server_ejections_total", "counter", "Times passive health ejected the server.",
               [](const server_snapshot& v) { return v.ejections; });
    per_server("gateway_server_health_checks_total", "counter", "Health check probes completed.",
               [](const server_snapshot& v) { return v.health_checks; });

}

void write_dns(writer& w, const gateway_snapshot& s) {
    // Server names followed in DNS ([dns]).
    auto per_name = [&](const char* name, const char* type, const char* help, auto value) {
        w.family(name, type, help);
        for (const auto& n : s.dns)
            w.sample(name, label("backend", n.backend) + "," + label("server", n.server) + "," + label("name", n.name),
                     value(n));
    };
    per_name("gateway_dns_addresses", "gauge", "Addresses the name stands for now (its servers).",
             [](const dns_name_snapshot& n) { return static_cast<std::uint64_t>(n.addresses.size()); });
    w.family("gateway_dns_address", "gauge", "One sample per address the name stands for now (always 1).");
    for (const auto& n : s.dns)
        for (const auto& a : n.addresses)
            w.sample("gateway_dns_address", label("backend", n.backend) + "," + label("server", n.server) + "," +
                                                label("name", n.name) + "," + label("address", a),
                     std::uint64_t{1});
    per_name("gateway_dns_resolutions_total", "counter", "Answers received for the name.",
             [](const dns_name_snapshot& n) { return n.resolutions; });
    per_name("gateway_dns_failures_total", "counter",
             "Questions about the name that failed (no such name, no answer, SERVFAIL...).",
             [](const dns_name_snapshot& n) { return n.failures; });
    per_name("gateway_dns_last_success_timestamp_seconds", "gauge",
             "When the name was last answered (seconds since 1970; 0 = never).",
             [](const dns_name_snapshot& n) { return static_cast<double>(n.last_success); });
}

void write_pool(writer& w, const gateway_snapshot& s) {
    // The buffer pool.
    const auto& p = s.pool;
    w.family("gateway_pool_buffer_size_bytes", "gauge", "Size of one pool buffer.");
    w.sample("gateway_pool_buffer_size_bytes", "", static_cast<std::uint64_t>(p.buffer_size));
    w.family("gateway_pool_buffers_limit", "gauge", "Buffers the pool may hand out in all (0 = unbounded).");
    w.sample("gateway_pool_buffers_limit", "", static_cast<std::uint64_t>(p.limit));
    w.family("gateway_pool_buffers_reserve", "gauge", "Buffers only critical allocations may take, per worker, summed.");
    w.sample("gateway_pool_buffers_reserve", "", static_cast<std::uint64_t>(p.reserve));
    w.family("gateway_pool_buffers_used", "gauge", "Buffers handed out now.");
    w.sample("gateway_pool_buffers_used", "", static_cast<std::uint64_t>(p.used));
    w.family("gateway_pool_buffers_free", "gauge", "Buffers free now (limit - used; cached buffers when unbounded).");
    w.sample("gateway_pool_buffers_free", "", static_cast<std::uint64_t>(p.free));
    w.family("gateway_pool_buffers_allocated", "gauge", "Buffers whose memory exists (used + cached).");
    w.sample("gateway_pool_buffers_allocated", "", static_cast<std::uint64_t>(p.allocated));
    w.family("gateway_pool_buffers_high_water", "gauge", "Most buffers used at once (sum over workers).");
    w.sample("gateway_pool_buffers_high_water", "", static_cast<std::uint64_t>(p.high_water));
    w.family("gateway_pool_acquires_total", "counter", "Buffers handed out.");
    w.sample("gateway_pool_acquires_total", "", p.acquires);
    w.family("gateway_pool_reserve_acquires_total", "counter", "Allocations that dipped into the reserve.");
    w.sample("gateway_pool_reserve_acquires_total", "", p.reserve_acquires);
    auto class_label_of = [](std::size_t c) {
        return label("class", alloc::to_string(static_cast<alloc::buffer_class>(c)));
    };
    w.family("gateway_pool_waiters", "gauge", "Coroutines waiting for a buffer now.");
    for (std::size_t c = 0; c < alloc::buffer_class_count; ++c)
        w.sample("gateway_pool_waiters", class_label_of(c), static_cast<std::uint64_t>(p.waiters[c]));
    w.family("gateway_pool_waits_total", "counter", "Times a coroutine had to wait for a buffer.");
    for (std::size_t c = 0; c < alloc::buffer_class_count; ++c)
        w.sample("gateway_pool_waits_total", class_label_of(c), p.waits[c]);
    w.family("gateway_pool_resumes_total", "counter", "Waiting coroutines woken.");
    w.sample("gateway_pool_resumes_total", "", p.resumes);
    w.family("gateway_pool_failed_resumes_total", "counter", "Woken coroutines that found no buffer.");
    w.sample("gateway_pool_failed_resumes_total", "", p.failed_resumes);
    w.family("gateway_pool_cancels_total", "counter", "Waits abandoned (timeouts, closed sessions).");
    w.sample("gateway_pool_cancels_total", "", p.cancels);
}

} // namespace

std::string render_metrics(const gateway_snapshot& s, const config::gateway_config& cfg) {
    std::string out;
    out.reserve(16 * 1024);
    writer w(out);

    w.family("gateway_workers", "gauge", "Worker threads.");
    w.sample("gateway_workers", "", static_cast<std::uint64_t>(s.pools.size()));
    w.family("gateway_draining", "gauge", "1 while the gateway drains for shutdown.");
    w.sample("gateway_draining", "", static_cast<std::uint64_t>(s.draining ? 1 : 0));
    w.family("gateway_config_generation", "gauge", "The running configuration: 1 at start, one more per reload.");
    w.sample("gateway_config_generation", "", s.generation);
    w.family("gateway_config_reloads_total", "counter",
             "Configuration reloads (SIGHUP, POST /api/reload): taken, or refused (the running one stays).");
    w.sample("gateway_config_reloads_total", label("result", "ok"), s.reloads);
    w.sample("gateway_config_reloads_total", label("result", "failed"), s.reload_failures);
    w.family("gateway_config_last_reload_success_timestamp_seconds", "gauge",
             "When a reload last took effect (seconds since 1970; 0 = never).");
    w.sample("gateway_config_last_reload_success_timestamp_seconds", "", static_cast<double>(s.last_reload));
    write_listeners(w, s, cfg);
    write_backends(w, s, cfg);
    write_servers(w, s, cfg);
    write_dns(w, s);
    write_pool(w, s);
    return out;
}

} // namespace gw
