#include "config/client_reader.hpp"

#include <limits>

namespace gw::config::detail {

void read_access_rules(table_reader& r, network_list& allow, network_list& deny) {
    r.network_list("allow", allow);
    r.network_list("deny", deny);
}

void read_listener_clients(table_reader& r, listener_config& l) {
    read_access_rules(r, l.allow, l.deny);
    r.network_list("trusted_proxies", l.trusted_proxies);
    r.boolean("proxy_protocol", l.proxy_protocol);
    r.network_list("proxy_protocol_from", l.proxy_protocol_from);
    // A PROXY header is believed only from the balancer that writes it: trusting
    // anyone would let every client choose the address the gateway sees.
    if (l.proxy_protocol && !r.has("proxy_protocol_from"))
        r.invalid("proxy_protocol", "needs proxy_protocol_from: the networks of the load balancers that "
                                    "send the header, like [\"10.0.0.0/8\"]");
    else if (l.proxy_protocol && l.proxy_protocol_from.empty() && r.has("proxy_protocol_from"))
        r.invalid("proxy_protocol_from", "is empty: no balancer could send the PROXY header");
    else if (!l.proxy_protocol && !l.proxy_protocol_from.empty())
        r.invalid("proxy_protocol_from", "is set but proxy_protocol is not true");
    r.integer("client_connections", l.client_connections, 0, 1'000'000);
    r.integer("client_rate", l.client_rate, 0, 1'000'000);
    r.integer("client_burst", l.client_burst, 0, 1'000'000);
    if (l.client_burst != 0 && l.client_rate == 0)
        r.invalid("client_burst", "is set but client_rate is not (the burst of which rate?)");
    if (l.client_burst == 0)
        l.client_burst = l.client_rate;
}

} // namespace gw::config::detail
