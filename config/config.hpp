// The gateway's configuration as plain, immutable structs with their defaults.
//
// This header is the whole contract between config/ and the rest of the gateway: the
// loader (load.hpp) fills these structs from TOML and validates them as a whole, and the
// gateway only ever reads a std::shared_ptr<const gateway_config>. No TOML type appears
// here, so no other folder ever touches TOML. Every default below is documented, with its
// range, in docs/config-reference.md.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace gw::config {

// Durations are written "250ms", "30s", "5m", "1h"; milliseconds are the finest unit.
using duration = std::chrono::milliseconds;

// What kind of host a host_port names. The gateway resolves only `hostname`; IP literals
// are used as they are, and `any` binds all interfaces (both address families).
enum class host_kind { any, ipv4, ipv6, hostname };

// "host:port", "[v6]:port" or "*:port", parsed without any networking library.
// `host` is the IPv4 dotted quad, the IPv6 text without brackets, the hostname as
// written (lower-cased), or "*" for `any`.
struct host_port {
    host_kind kind = host_kind::any;
    std::string host = "*";
    std::uint16_t port = 0;

    friend bool operator==(const host_port&, const host_port&) = default;
};

// An IP network, "10.0.0.0/8", "2001:db8::/32", or one address ("192.0.2.7",
// a /32 or /128). An IPv4 network also matches IPv4-mapped IPv6 peers
// (::ffff:10.1.2.3), which a dual-stack listener sees.
struct ip_network {
    bool v6 = false;
    std::uint8_t bytes[16] = {}; // network order; IPv4 in the first 4
    unsigned prefix = 0;         // bits: 0..32 or 0..128

    friend bool operator==(const ip_network&, const ip_network&) = default;
};
using network_list = std::vector<ip_network>;

struct global_config {
    unsigned workers = 0;                                 // 0 = one worker per CPU core
    duration shutdown_timeout = std::chrono::seconds{30}; // graceful drain on SIGTERM
    bool watch_config = false; // reload when the configuration file changes
    // Client addresses the per-client limits follow at once (all listeners, all
    // workers): a fixed table of this many entries, 64 bytes each, allocated at
    // start. Read at start only.
    std::size_t client_table_size = 65536;

    friend bool operator==(const global_config&, const global_config&) = default;
};

struct admin_config {
    bool enabled = true;
    host_port listen{host_kind::ipv4, "127.0.0.1", 8404};
    // Admin connections open at once; more are closed on accept. Each holds 4 KiB
    // of its own and no pool buffer while it reads.
    std::size_t max_connections = 64;
    // The bearer token the admin API's write endpoints ask for: the environment
    // variable named by token_env when it is set, else token; neither: the write
    // endpoints are off.
    std::string token;
    std::string token_env;

    friend bool operator==(const admin_config&, const admin_config&) = default;
};

// The buffer pool's wake rule on release (DESIGN.md section 2); the two others exist only
// to reproduce the seed's comparison.
enum class wake_strategy { reserve_aware, per_release, wake_all };

struct buffers_config {
    std::size_t size = 16 * 1024;
    // Buffers in all, over every worker; 0 = unbounded. When `memory` is set the loader
    // stores memory / size here, so the gateway only ever reads `limit`.
    std::size_t limit = 0;
    std::uint64_t memory = 0; // the byte budget as written; 0 = not set
    std::size_t reserve = 2;  // only critical (response) allocations may take these
    // Room kept free for header rewriting; defaults to size / 2, always < size. A request
    // head must fit in size - maxrewrite (else 431).
    std::size_t maxrewrite = 8 * 1024;
    wake_strategy wake = wake_strategy::reserve_aware;
    // Content-Length bodies larger than a buffer move socket to socket with
    // splice(2) through a pipe, never copied into the gateway's memory.
    bool splice = true;

    friend bool operator==(const buffers_config&, const buffers_config&) = default;
};

// The smallest non-zero buffers.limit that lets `workers` shards each keep its reserve
// plus one buffer (DESIGN.md section 2). The gateway re-checks this at start when
// global.workers = 0, with the real number of workers.
constexpr std::size_t minimum_buffer_limit(std::size_t workers, std::size_t reserve) {
    return workers * (reserve + 1);
}

struct timeouts_config {
    duration client_head = std::chrono::seconds{10}; // request head incomplete -> 408
    duration client_idle = std::chrono::seconds{60}; // keep-alive idle between requests
    // An idle connection keeps its session (coroutines, timers) this long, then
    // only its socket stays (~0.4 KiB): the session comes back when it is readable.
    duration client_park = std::chrono::milliseconds{100};
    duration connect = std::chrono::seconds{5};      // per connect attempt to a server
    duration server = std::chrono::seconds{30}; // waiting for the server's response head -> 504
    duration queue = std::chrono::seconds{10};  // waiting in a backend queue -> 503
    duration tunnel = std::chrono::hours{1};    // idle Upgrade/WebSocket tunnel
    duration send = std::chrono::seconds{30};   // a write that makes no progress

    friend bool operator==(const timeouts_config&, const timeouts_config&) = default;
};

enum class log_format { text, json };
enum class log_level { debug, info, warning, error };

struct logging_config {
    bool access_log = true; // one line per request on stdout
    log_format format = log_format::text;
    log_level level = log_level::info;

    friend bool operator==(const logging_config&, const logging_config&) = default;
};

// W3C Trace Context on requests (docs/config-reference.md, [tracing]).
struct tracing_config {
    bool enabled = false; // traceparent kept (a new span per hop) or started; trace id logged
    bool sampled = false; // the sampled flag of the traces the gateway starts

    friend bool operator==(const tracing_config&, const tracing_config&) = default;
};

// A file the gateway reads besides the configuration (a certificate, a key, a CA
// bundle): its path (made absolute against the configuration's directory) and
// where the configuration names it ("gateway.toml:12:7: listeners[0].tls.certificates[0].key"),
// so that a file that fails to load, at start or on a reload, is reported at its setting.
struct file_setting {
    std::string path;
    std::string origin;
    bool empty() const noexcept { return path.empty(); }

    // The same file (where the config names it does not matter).
    friend bool operator==(const file_setting& a, const file_setting& b) { return a.path == b.path; }
};

enum class tls_version { v1_2, v1_3 };
enum class client_verify_mode { off, optional, required };

// One certificate of a TLS listener: a PEM chain (leaf first) and its private key.
struct certificate_config {
    file_setting cert;
    file_setting key;

    friend bool operator==(const certificate_config&, const certificate_config&) = default;
};

// TLS termination on a listener (docs/config-reference.md, [listeners.tls]).
struct listener_tls_config {
    std::vector<certificate_config> certificates; // at least one; the first is the default
    tls_version min_version = tls_version::v1_2;
    std::string ciphers;      // TLS 1.2 cipher list (OpenSSL syntax); empty = OpenSSL's default
    std::string ciphersuites; // TLS 1.3 suites; empty = OpenSSL's default
    std::string groups;       // key exchange groups; empty = OpenSSL's default
    bool session_tickets = true;
    duration ticket_rotation = std::chrono::hours{12}; // a key encrypts new tickets this long
    file_setting client_ca;                            // CA bundle for client certificates
    client_verify_mode client_verify = client_verify_mode::off;
    std::string client_subject_header; // request header for the verified subject; empty = none

    friend bool operator==(const listener_tls_config&, const listener_tls_config&) = default;
};

struct listener_config {
    std::string name;
    host_port listen;
    std::string default_backend;     // empty = answer 404 when no route matches
    std::size_t max_connections = 0; // 0 = unlimited
    std::uint64_t body_limit = 0;    // bytes; 0 = no limit, else larger bodies get 413
    std::optional<listener_tls_config> tls; // absent = plain HTTP
    // A plain listener that answers every request with 308 to https:// on the same
    // host and path (port https_port, left out when 443) instead of proxying.
    bool redirect_https = false;
    std::uint16_t https_port = 443;
    // Access rules on the client address: deny wins; a non-empty allow admits
    // only its networks. Refused: 403 and the connection closes.
    network_list allow, deny;
    // Peers whose X-Forwarded-For is extended; from anyone else it is replaced.
    network_list trusted_proxies;
    // A PROXY protocol header (v1 or v2) starts every connection; accepted only
    // from these peers (non-empty when proxy_protocol), anything else refused.
    bool proxy_protocol = false;
    network_list proxy_protocol_from;
    // Per client address (the PROXY protocol's when there is one): connections
    // open at once, and requests per second with a burst (token bucket); 0 = no limit.
    std::size_t client_connections = 0;
    unsigned client_rate = 0;
    unsigned client_burst = 0; // 0 = client_rate

    friend bool operator==(const listener_config&, const listener_config&) = default;
};

// What a header rule's value may name, filled in per request.
enum class field_variable { client_address, request_id, host, path, scheme };

// A header rule's value, parsed: literal text and %{variable}s in turn.
struct value_part {
    std::string text;      // literal (when !is_variable)
    bool is_variable = false;
    field_variable variable = field_variable::client_address;
    friend bool operator==(const value_part&, const value_part&) = default;
};

// One rule on a head's fields ([routes.request_headers], [routes.response_headers]).
// A route's rules apply in this order: every remove, then every set, then every add.
struct header_rule {
    enum class action { remove, set, add };
    action what = action::set;
    std::string name;              // the field's name as written (matched case-insensitively)
    std::vector<value_part> value; // empty for remove
    friend bool operator==(const header_rule&, const header_rule&) = default;
};

// A route that answers with a redirect ([routes.redirect]); the query is kept.
struct redirect_config {
    unsigned status = 302;   // 301, 302, 303, 307 or 308
    std::string scheme;      // empty = the request's
    std::string host;        // empty = the request's Host (may carry a port)
    std::string path;        // empty = the request's path (after the route's prefix rewrite)
    friend bool operator==(const redirect_config&, const redirect_config&) = default;
};

// A route that answers itself with a fixed response ([routes.respond]).
struct fixed_response_config {
    unsigned status = 200;
    std::string body;
    std::string content_type = "text/plain; charset=utf-8";
    friend bool operator==(const fixed_response_config&, const fixed_response_config&) = default;
};

// HTTP basic authentication on a route ([routes.basic_auth]): the users file
// holds "user:hash" lines (bcrypt, SHA-crypt or yescrypt, as htpasswd -B or
// mkpasswd write them), loaded by the gateway at start and on every reload.
struct basic_auth_config {
    std::string realm = "restricted";
    file_setting users_file;
    friend bool operator==(const basic_auth_config&, const basic_auth_config&) = default;
};

// Routes are evaluated in file order; the first match wins. Empty fields match anything.
// A route sends to its backend, or answers itself (redirect or respond): exactly one.
struct route_config {
    std::string listener; // empty = every listener
    std::string host;     // lower-cased; exact or "*.example.com"
    std::string path_prefix = "/";
    std::string backend;
    // The path sent on: path_prefix removed (strip_prefix, then at least "/"), or
    // replaced by replace_prefix. Neither: unchanged.
    bool strip_prefix = false;
    std::optional<std::string> replace_prefix;
    std::vector<header_rule> request_headers;  // on the request sent to the server
    std::vector<header_rule> response_headers; // on the response sent to the client
    std::optional<redirect_config> redirect;
    std::optional<fixed_response_config> respond;
    network_list allow, deny; // as a listener's, for this route's requests (403)
    std::optional<basic_auth_config> basic_auth; // 401 without valid credentials
};

enum class balance_mode { roundrobin, leastconn };

struct health_check_config {
    std::string path = "/healthz";
    duration interval = std::chrono::seconds{2};
    duration timeout = std::chrono::seconds{1}; // always < interval
    unsigned rise = 2;                          // consecutive successes to mark a server up
    unsigned fall = 3;                          // consecutive failures to mark it down
    unsigned expect_status = 200;

    friend bool operator==(const health_check_config&, const health_check_config&) = default;
};

// Passive health (outlier ejection, [backends.passive_health]): what the
// exchanges see of a server takes it out of rotation for a while.
struct passive_health_config {
    unsigned failures = 5;                          // consecutive failures that eject
    duration window = std::chrono::seconds{10};     // ... within this long of the first
    duration ejection = std::chrono::seconds{10};   // the first ejection; doubles each time after
    duration max_ejection = std::chrono::minutes{5};
    unsigned max_ejected_percent = 50;              // of a backend's servers at once (at least one)
    bool count_server_errors = false;                            // 5xx responses count as failures

    friend bool operator==(const passive_health_config&, const passive_health_config&) = default;
};

// Retries of a request on another server after it was sent (backends.retry_on
// and neighbours). A request is retried only when it is safe to send twice
// (idempotent method, or marked by retry_header), has no body, and nothing of
// a response reached the client.
struct retry_config {
    bool on_reset = true;    // closed or reset by the server before any response byte
    bool on_timeout = false; // no response head within try_timeout
    bool on_502 = false, on_503 = false; // the server answered that
    duration try_timeout{0}; // 0 = none: timeouts.server alone (504)
    unsigned budget_percent = 20; // retries in flight at most this share of the backend's requests (at least 3)
    std::string header;      // a request carrying this field may be retried whatever its method

    friend bool operator==(const retry_config&, const retry_config&) = default;
};

// How a server whose address is a host name follows DNS (docs/config-reference.md,
// [dns] and backends.servers.discover).
enum class discover_mode {
    off, // resolved once at start (an IP literal is always this)
    one, // one server at the name's first address, re-resolved as its TTL says
    all, // one server per address the name has, re-resolved as its TTL says
};

// The resolver that follows server names (c-ares; docs/config-reference.md, [dns]).
struct dns_config {
    std::vector<host_port> nameservers; // IP literals; empty = /etc/resolv.conf
    duration timeout = std::chrono::seconds{1}; // per try, per name server
    unsigned tries = 2;
    // A name is asked again when its answer's TTL runs out, within these bounds.
    duration min_ttl = std::chrono::seconds{1};
    duration max_ttl = std::chrono::seconds{60};
    // When asking fails, the last good answer is kept this long after it
    // expired, then its servers leave; meanwhile the name is asked every min_ttl.
    duration hold = std::chrono::seconds{30};

    friend bool operator==(const dns_config&, const dns_config&) = default;
};

struct server_config {
    std::string name; // defaults to "s<index+1>"
    host_port address; // for an SRV entry: the SRV name as a hostname, port 0
    // Set by the loader: a host name follows DNS (`one` unless the config says),
    // an IP literal is `off`; an SRV entry is `all`.
    discover_mode discover = discover_mode::off;
    std::string srv; // "_http._tcp.api.example": one server per SRV target; empty = address
    std::size_t max_servers = 16; // `all` and SRV: servers at most (the first by DNS order)
    unsigned weight = 1;     // 0 = drained: no new requests
    std::size_t maxconn = 0; // 0 = unlimited
    // TLS to this server, resolved by the loader: the server's own `tls` or else
    // its backend's; the name sent as SNI and verified (the server's or the
    // backend's tls_server_name, else the address's host: a host name, or an IP
    // address, which is verified as an IP and sends no SNI).
    bool tls = false;
    std::string tls_server_name;

    friend bool operator==(const server_config&, const server_config&) = default;
};

// TLS to a backend's servers (docs/config-reference.md, [[backends]] tls_*).
struct upstream_tls_config {
    bool enabled = false;       // the servers' default; a server may say otherwise
    bool verify = true;         // the server's certificate and name
    file_setting ca;            // CA bundle; empty = the system store
    std::string server_name;    // SNI and verified name for every server; empty = each its own
    file_setting cert, key;     // a client certificate, when the servers ask for one

    friend bool operator==(const upstream_tls_config&, const upstream_tls_config&) = default;
};

// A PROXY protocol header sent first on every connection to the servers
// (backends.send_proxy): the client's address for servers behind the gateway.
enum class proxy_send { off, v1, v2 };

struct backend_config {
    std::string name;
    balance_mode balance = balance_mode::roundrobin;
    unsigned retries = 2;
    std::size_t queue_limit = 0;                     // 0 = unbounded FIFO queue
    // Idle connections kept per server and worker, at most: the pool holds
    // what demand needed lately (upstream/idle_connections.hpp), and those left
    // unused for keepalive_timeout close.
    std::size_t keepalive_pool = 10'000;
    duration keepalive_timeout = std::chrono::seconds{10};
    std::optional<health_check_config> health_check; // absent = no active checks
    std::optional<passive_health_config> passive_health; // absent = no outlier ejection
    retry_config retry;
    proxy_send send_proxy = proxy_send::off;
    upstream_tls_config tls;
    std::vector<server_config> servers;              // never empty once loaded

    friend bool operator==(const backend_config&, const backend_config&) = default;
};

struct gateway_config {
    global_config global;
    admin_config admin;
    buffers_config buffers;
    timeouts_config timeouts;
    logging_config logging;
    tracing_config tracing;
    std::vector<listener_config> listeners; // at least one, names unique
    std::vector<route_config> routes;       // every name they use exists
    std::vector<backend_config> backends;   // at least one, names unique
    dns_config dns;
};

} // namespace gw::config
