#include "gateway/observe/counters.hpp"

namespace gw {

void duration_histogram::observe(double seconds) noexcept {
    std::size_t i = 0;
    while (i < duration_bounds.size() && seconds > duration_bounds[i])
        ++i;
    ++buckets[i];
    sum_seconds += seconds;
    ++count;
}

duration_histogram& duration_histogram::operator+=(const duration_histogram& o) noexcept {
    for (std::size_t i = 0; i < buckets.size(); ++i)
        buckets[i] += o.buckets[i];
    sum_seconds += o.sum_seconds;
    count += o.count;
    return *this;
}

listener_counters& listener_counters::operator+=(const listener_counters& o) noexcept {
    connections_total += o.connections_total;
    requests_total += o.requests_total;
    for (std::size_t i = 0; i < responses_by_class.size(); ++i)
        responses_by_class[i] += o.responses_by_class[i];
    bytes_in += o.bytes_in;
    bytes_out += o.bytes_out;
    duration += o.duration;
    tls_handshakes += o.tls_handshakes;
    tls_resumed += o.tls_resumed;
    for (std::size_t i = 0; i < tls_failures.size(); ++i)
        tls_failures[i] += o.tls_failures[i];
    for (std::size_t i = 0; i < client_refusals.size(); ++i)
        client_refusals[i] += o.client_refusals[i];
    return *this;
}

backend_counters& backend_counters::operator+=(const backend_counters& o) noexcept {
    for (std::size_t i = 0; i < responses_by_class.size(); ++i)
        responses_by_class[i] += o.responses_by_class[i];
    retries += o.retries;
    request_retries += o.request_retries;
    connect_timeouts += o.connect_timeouts;
    server_timeouts += o.server_timeouts;
    queued_total += o.queued_total;
    queue_seconds += o.queue_seconds;
    idle_closed += o.idle_closed;
    idle_connections += o.idle_connections;
    return *this;
}

worker_counters& worker_counters::operator+=(const worker_counters& o) {
    if (listeners.size() < o.listeners.size())
        listeners.resize(o.listeners.size());
    if (backends.size() < o.backends.size())
        backends.resize(o.backends.size());
    for (std::size_t i = 0; i < o.listeners.size(); ++i)
        listeners[i] += o.listeners[i];
    for (std::size_t i = 0; i < o.backends.size(); ++i)
        backends[i] += o.backends[i];
    client_timeouts += o.client_timeouts;
    admin_refused += o.admin_refused;
    admin_timeouts += o.admin_timeouts;
    admin_unauthorized += o.admin_unauthorized;
    spliced_bytes += o.spliced_bytes;
    return *this;
}

} // namespace gw
