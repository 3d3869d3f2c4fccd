// Broken configurations and the exact lines an operator sees for them.
#include "config/check.hpp"
#include "config/load.hpp"

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace gw::config;

namespace {

// A valid rest of a file (7 lines). Each case puts its own lines in front, so the
// positions in the expected messages count from the case's first line.
const std::string rest = R"([[listeners]]
name = "http"
listen = "0.0.0.0:8080"
[[backends]]
name = "app"
[[backends.servers]]
address = "127.0.0.1:9000"
)";

struct broken {
    const char* what;
    std::string toml;
    std::vector<std::string> expected; // every line, in order
};

std::vector<std::string> messages_of(const load_result& r) {
    std::vector<std::string> out;
    for (const auto& e : r.errors) {
        out.push_back(to_string(e));
    }
    return out;
}

const std::vector<broken> cases = {
    // Unknown keys, with suggestions.
    {"misspelt key",
     "[buffers]\nresrve = 3\n" + rest,
     {"gateway.toml:2:1: buffers.resrve is not a known key; did you mean 'reserve'?"}},
    {"misspelt section",
     "[bufers]\nsize = 1\n" + rest,
     {"gateway.toml:1:2: bufers is not a known key; did you mean 'buffers'?"}},
    {"key in the wrong section",
     "[buffers]\nworkers = 4\n" + rest,
     {"gateway.toml:2:1: buffers.workers is not a known key; 'workers' belongs in [global]"}},
    {"key in the wrong array section",
     "[global]\nmaxconn = 4\n" + rest,
     {"gateway.toml:2:1: global.maxconn is not a known key; 'maxconn' belongs in "
      "[[backends.servers]]"}},
    {"table in the wrong place",
     "[health_check]\npath = \"/\"\n" + rest,
     {"gateway.toml:1:2: health_check is not a known key; 'health_check' belongs in [[backends]]"}},
    {"key of several sections",
     "[global]\nname = \"x\"\n" + rest,
     {"gateway.toml:2:1: global.name is not a known key; 'name' belongs in [[listeners]], "
      "[[backends]] or "
      "[[backends.servers]]"}},
    {"unknown key with nothing close",
     "[timeouts]\nfoo = \"1s\"\n" + rest,
     {"gateway.toml:2:1: timeouts.foo is not a known key (known keys here: client_head, "
      "client_idle, client_park, connect, "
      "server, queue, tunnel, send)"}},
    {"unknown top-level key",
     "colour = 1\n" + rest,
     {"gateway.toml:1:1: colour is not a known key (known sections: global, admin, buffers, "
      "timeouts, logging, tracing, dns, "
      "listeners, routes, backends)"}},
    {"unknown key in an array section",
     rest + "wieght = 2\n",
     {"gateway.toml:8:1: backends[0].servers[0].wieght is not a known key; did you mean "
      "'weight'?"}},
    {"wrong case",
     "[global]\nWorkers = 4\n" + rest,
     {"gateway.toml:2:1: global.Workers is not a known key; did you mean 'workers'?"}},

    // Types.
    {"integer for a duration",
     "[timeouts]\nconnect = 5\n" + rest,
     {"gateway.toml:2:11: timeouts.connect must be a duration string like \"5s\" (got integer 5)"}},
    {"float for an integer",
     "[global]\nworkers = 1.5\n" + rest,
     {"gateway.toml:2:11: global.workers must be an integer (got floating-point 1.5)"}},
    {"string for a boolean",
     "[logging]\naccess_log = \"yes\"\n" + rest,
     {"gateway.toml:2:14: logging.access_log must be true or false (got string \"yes\")"}},
    {"integer for an address",
     "[admin]\nlisten = 8404\n" + rest,
     {"gateway.toml:2:10: admin.listen must be an address string like \"127.0.0.1:8080\" (got "
      "integer 8404)"}},
    {"boolean for a size",
     "[buffers]\nsize = true\n" + rest,
     {"gateway.toml:2:8: buffers.size must be a size like \"16KiB\" or a whole number of bytes "
      "(got boolean "
      "true)"}},
    {"array for a string",
     "[[routes]]\nbackend = [\"app\"]\n" + rest,
     {"gateway.toml:2:11: routes[0].backend must be a string (got array)"}},
    {"integer for an enum",
     "[logging]\nlevel = 3\n" + rest,
     {"gateway.toml:2:9: logging.level must be one of \"debug\", \"info\", \"warning\" or "
      "\"error\" (got "
      "integer 3)"}},
    {"table section written as an array",
     "[[global]]\nworkers = 1\n" + rest,
     {"gateway.toml:1:1: global must be a table, written [global] (got array)"}},
    {"array section written as a table",
     "[listeners]\nname = \"x\"\n[[backends]]\nname = \"app\"\n"
     "[[backends.servers]]\naddress = \"h:1\"\n",
     {"gateway.toml:1:1: listeners must be an array of tables, written [[listeners]] (got table)"}},
    {"array element that is not a table",
     "listeners = [1]\n[[backends]]\nname = \"app\"\n"
     "[[backends.servers]]\naddress = \"h:1\"\n",
     {"gateway.toml:1:14: listeners[0] must be a table (got integer 1)"}},
    {"health check that is not a table",
     rest.substr(0, rest.find("[[backends.servers]]")) +
         "health_check = 5\n[[backends.servers]]\naddress = \"h:1\"\n",
     {"gateway.toml:6:16: backends[0].health_check must be a table, written "
      "[backends.health_check] (got "
      "integer 5)"}},
    {"servers written as a table",
     rest.substr(0, rest.find("[[backends.servers]]")) + "[backends.servers]\naddress = \"h:1\"\n",
     {"gateway.toml:6:1: backends[0].servers must be an array of tables, written "
      "[[backends.servers]] (got "
      "table)"}},

    // Values of the right type that are not acceptable.
    {"duration without unit",
     "[timeouts]\nconnect = \"5\"\n" + rest,
     {"gateway.toml:2:11: timeouts.connect must be a duration like \"5s\"; \"5\" has no unit (use "
      "ms, s, m or "
      "h)"}},
    {"zero timeout",
     "[timeouts]\nconnect = \"0s\"\n" + rest,
     {"gateway.toml:2:11: timeouts.connect must be at least 1ms (got \"0s\")"}},
    {"timeout too long",
     "[timeouts]\ntunnel = \"721h\"\n" + rest,
     {"gateway.toml:2:10: timeouts.tunnel must be at most 720h (got \"721h\")"}},
    {"misspelt enum value",
     "[logging]\nformat = \"jsno\"\n" + rest,
     {"gateway.toml:2:10: logging.format must be one of \"text\" or \"json\" (got \"jsno\"); did "
      "you mean "
      "\"json\"?"}},
    {"wake strategy",
     "[buffers]\nwake = \"all\"\n" + rest,
     {"gateway.toml:2:8: buffers.wake must be one of \"reserve-aware\", \"per-release\" or "
      "\"wake-all\" (got "
      "\"all\")"}},
    {"too many workers",
     "[global]\nworkers = 300\n" + rest,
     {"gateway.toml:2:11: global.workers must be at most 256 (got 300)"}},
    {"reserve below 2",
     "[buffers]\nreserve = 1\n" + rest,
     {"gateway.toml:2:11: buffers.reserve must be at least 2 (got 1)"}},
    {"buffer too small",
     "[buffers]\nsize = \"512B\"\n" + rest,
     {"gateway.toml:2:8: buffers.size must be at least 1KiB (got \"512B\")"}},
    {"buffer too large as bytes",
     "[buffers]\nsize = 2097152\n" + rest,
     {"gateway.toml:2:8: buffers.size must be at most 1MiB (got 2097152)"}},
    {"decimal size unit",
     "[buffers]\nsize = \"16KB\"\n" + rest,
     {"gateway.toml:2:8: buffers.size must be a size like \"16KiB\"; \"16KB\" has an unknown unit "
      "\"KB\" (use "
      "B, KiB, MiB, GiB or TiB); did you mean \"KiB\"?"}},
    {"negative size",
     "[buffers]\nmemory = -1\n" + rest,
     {"gateway.toml:2:10: buffers.memory must not be negative (got -1)"}},
    {"address without port",
     "[admin]\nlisten = \"localhost\"\n" + rest,
     {"gateway.toml:2:10: admin.listen must be an address like \"127.0.0.1:8080\"; \"localhost\" "
      "has no port "
      "(write host:port, e.g. \"localhost:8080\")"}},
    {"server on all interfaces",
     rest + "[[backends.servers]]\naddress = \"*:9000\"\n",
     {"gateway.toml:9:11: backends[0].servers[1].address must name a host; \"*\" (all interfaces) "
      "only makes "
      "sense for a listener (got \"*:9000\")"}},
    {"server on port 0",
     rest + "[[backends.servers]]\naddress = \"127.0.0.1:0\"\n",
     {"gateway.toml:9:11: backends[0].servers[1].address must have a port from 1 to 65535 (got "
      "\"127.0.0.1:0\")"}},
    {"negative maxconn",
     rest + "maxconn = -1\n",
     {"gateway.toml:8:11: backends[0].servers[0].maxconn must be at least 0 (got -1)"}},
    {"admin token too short",
     "[admin]\ntoken = \"short\"\n" + rest,
     {"gateway.toml:2:9: admin.token must be 16 to 256 characters (got 5)"}},
    {"admin token_env not a variable name",
     "[admin]\ntoken_env = \"1-TOKEN\"\n" + rest,
     {"gateway.toml:2:13: admin.token_env must be an environment variable name: letters, digits and '_', "
      "not starting with a digit (got \"1-TOKEN\")"}},
    {"weight too large",
     rest + "weight = 300\n",
     {"gateway.toml:8:10: backends[0].servers[0].weight must be at most 256 (got 300)"}},
    {"name with a space",
     "[[listeners]]\nname = \"my app\"\nlisten = \"*:1\"\n" + rest,
     {"gateway.toml:2:8: listeners[0].name must be 1 to 64 letters, digits, '_', '-' or '.' (got "
      "\"my app\")"}},
    {"control character shown escaped",
     "[[listeners]]\nname = \"a\\tb\"\nlisten = \"*:1\"\n" + rest,
     {"gateway.toml:2:8: listeners[0].name must be 1 to 64 letters, digits, '_', '-' or '.' (got "
      "\"a\\tb\")"}},
    {"route host with a port",
     "[[routes]]\nhost = \"example.com:80\"\nbackend = \"app\"\n" + rest,
     {"gateway.toml:2:8: routes[0].host must be a hostname like \"example.com\" or a wildcard like "
      "\"*.example.com\", without a port (got \"example.com:80\")"}},
    {"route prefix without slash",
     "[[routes]]\npath_prefix = \"api\"\nbackend = \"app\"\n" + rest,
     {"gateway.toml:2:15: routes[0].path_prefix must start with '/' (got \"api\")"}},
    {"route prefix with a query",
     "[[routes]]\npath_prefix = \"/a?b\"\nbackend = \"app\"\n" + rest,
     {"gateway.toml:2:15: routes[0].path_prefix must not contain spaces, control characters, '?' "
      "or '#' (got "
      "\"/a?b\")"}},
    {"health check path",
     rest.substr(0, rest.find("[[backends.servers]]")) +
         "[backends.health_check]\npath = \"healthz\"\n[[backends.servers]]\naddress = \"h:1\"\n",
     {"gateway.toml:7:8: backends[0].health_check.path must be a path starting with '/', without "
      "spaces or "
      "control characters (got \"healthz\")"}},
    {"health check status",
     rest.substr(0, rest.find("[[backends.servers]]")) +
         "[backends.health_check]\nexpect_status = 600\n[[backends.servers]]\naddress = "
         "\"h:1\"\n",
     {"gateway.toml:7:17: backends[0].health_check.expect_status must be at most 599 (got 600)"}},

    // Required keys: reported at the table that lacks them.
    {"listener without name",
     "[[listeners]]\nlisten = \"*:1\"\n" + rest,
     {"gateway.toml:1:1: listeners[0].name is required (e.g. name = \"http\")"}},
    {"listener without address",
     "[[listeners]]\nname = \"x\"\n" + rest,
     {"gateway.toml:1:1: listeners[0].listen is required (e.g. listen = \"0.0.0.0:8080\")"}},
    {"route without backend",
     "[[routes]]\npath_prefix = \"/\"\n" + rest,
     {"gateway.toml:1:1: routes[0].backend is required (e.g. backend = \"app\", or a [routes.redirect] or "
      "[routes.respond] table)"}},
    {"route rule on a framing field",
     "[[routes]]\nbackend = \"app\"\n[routes.request_headers]\nset = { \"Content-Length\" = \"0\" }\n" + rest,
     {"gateway.toml:4:9: routes[0].request_headers.set.Content-Length names a field that frames the message or "
      "runs the connection; rules may not touch Content-Length, Transfer-Encoding, Host, Connection, Upgrade, TE, "
      "Trailer, Keep-Alive or Proxy-Connection"}},
    {"route rule removing Transfer-Encoding",
     "[[routes]]\nbackend = \"app\"\n[routes.response_headers]\nremove = [\"x-a\", \"transfer-encoding\"]\n" + rest,
     {"gateway.toml:4:18: routes[0].response_headers.remove[1] names a field that frames the message or "
      "runs the connection; rules may not touch Content-Length, Transfer-Encoding, Host, Connection, Upgrade, TE, "
      "Trailer, Keep-Alive or Proxy-Connection"}},
    {"route rule with an unknown variable",
     "[[routes]]\nbackend = \"app\"\n[routes.request_headers]\nadd = { \"X-Ip\" = \"%{remote_addr}\" }\n" + rest,
     {"gateway.toml:4:9: routes[0].request_headers.add.X-Ip names an unknown variable %{remote_addr} (known: "
      "client_address, request_id, host, path, scheme)"}},
    {"route rule with a line break",
     "[[routes]]\nbackend = \"app\"\n[routes.request_headers]\nset = { \"X-A\" = \"a\\r\\nX-B: b\" }\n" + rest,
     {"gateway.toml:4:9: routes[0].request_headers.set.X-A must not contain control characters (CR, LF, NUL...)"}},
    {"route with a backend and a fixed response",
     "[[routes]]\nbackend = \"app\"\n[routes.respond]\nbody = \"ok\"\n" + rest,
     {"gateway.toml:2:11: routes[0].backend conflicts: a route sends to a backend, redirects or responds, only one "
      "of them"}},
    {"redirect with a status that is no redirect",
     "[[routes]]\n[routes.redirect]\nstatus = 304\n" + rest,
     {"gateway.toml:3:10: routes[0].redirect.status must be 301, 302, 303, 307 or 308 (got 304)"}},
    {"both prefix rewrites",
     "[[routes]]\nbackend = \"app\"\nstrip_prefix = true\nreplace_prefix = \"/v2/\"\n" + rest,
     {"gateway.toml:4:18: routes[0].replace_prefix cannot be used with strip_prefix = true (choose one)"}},
    {"network with host bits",
     "[[listeners]]\nname = \"p\"\nlisten = \"*:1\"\nallow = [\"10.1.0.0/8\"]\n" + rest,
     {"gateway.toml:4:9: listeners[0].allow must be a list of networks like [\"10.0.0.0/8\", \"2001:db8::/32\"] (element 1: \"10.1.0.0/8\" has bits set after its prefix)"}},
    {"network that is a host name",
     "[[listeners]]\nname = \"p\"\nlisten = \"*:1\"\ntrusted_proxies = [\"lb.local\"]\n" + rest,
     {"gateway.toml:4:19: listeners[0].trusted_proxies must be a list of networks like [\"10.0.0.0/8\", \"2001:db8::/32\"] (element 1: \"lb.local\" is not an IP address or network)"}},
    {"proxy protocol from anyone",
     "[[listeners]]\nname = \"p\"\nlisten = \"*:1\"\nproxy_protocol = true\n" + rest,
     {"gateway.toml:4:18: listeners[0].proxy_protocol needs proxy_protocol_from: the networks of the load balancers that send the header, like [\"10.0.0.0/8\"]"}},
    {"proxy protocol sources without it",
     "[[listeners]]\nname = \"p\"\nlisten = \"*:1\"\nproxy_protocol_from = [\"10.0.0.0/8\"]\n" + rest,
     {"gateway.toml:4:23: listeners[0].proxy_protocol_from is set but proxy_protocol is not true"}},
    {"burst without rate",
     "[[listeners]]\nname = \"p\"\nlisten = \"*:1\"\nclient_burst = 5\n" + rest,
     {"gateway.toml:4:16: listeners[0].client_burst is set but client_rate is not (the burst of which rate?)"}},
    {"route deny of an ipv6 prefix too long",
     "[[routes]]\nbackend = \"app\"\ndeny = [\"::/129\"]\n" + rest,
     {"gateway.toml:3:8: routes[0].deny must be a list of networks like [\"10.0.0.0/8\", \"2001:db8::/32\"] (element 1: \"::/129\" has a prefix longer than 128 bits)"}},
    {"client table too small",
     "[global]\nclient_table_size = 10\n" + rest,
     {"gateway.toml:2:21: global.client_table_size must be at least 1024 (got 10)"}},
    {"retry on an unknown condition",
     "[[listeners]]\nname = \"http\"\nlisten = \"0.0.0.0:8080\"\n[[backends]]\nname = \"app\"\nretry_on = [\"reset\", \"500\"]\n[[backends.servers]]\naddress = \"127.0.0.1:9000\"\n",
     {"gateway.toml:6:12: backends[0].retry_on must list conditions among \"reset\", \"timeout\", \"502\" and \"503\" (element 2 is \"500\")"}},
    {"retry on timeout without a try timeout",
     "[[listeners]]\nname = \"http\"\nlisten = \"0.0.0.0:8080\"\n[[backends]]\nname = \"app\"\nretry_on = [\"timeout\"]\n[[backends.servers]]\naddress = \"127.0.0.1:9000\"\n",
     {"gateway.toml:6:12: backends[0].retry_on lists \"timeout\" but try_timeout is not set (how long is a try?)"}},
    {"ejection longer than its bound",
     rest + "[backends.passive_health]\nejection = \"10m\"\nmax_ejection = \"1m\"\n",
     {"gateway.toml:10:16: backends[0].passive_health.max_ejection must be at least ejection (10m)"}},
    {"server without address",
     rest + "[[backends.servers]]\nweight = 2\n",
     {"gateway.toml:8:1: backends[0].servers[1].address is required (e.g. address = "
      "\"127.0.0.1:9000\")"}},
    {"backend without name",
     "[[backends]]\n[[backends.servers]]\naddress = \"h:1\"\n" + rest,
     {"gateway.toml:1:1: backends[0].name is required (e.g. name = \"app\")"}},

    // Cross-checks.
    {"no listeners",
     "[[backends]]\nname = \"app\"\n[[backends.servers]]\naddress = \"h:1\"\n",
     {"gateway.toml:1:1: no listeners are defined; add a [[listeners]] table with a name and a "
      "listen address"}},
    {"empty file",
     "",
     {"gateway.toml:1:1: no listeners are defined; add a [[listeners]] table with a name and a "
      "listen address",
      "gateway.toml:1:1: no backends are defined; add a [[backends]] table with a name and at "
      "least one "
      "[[backends.servers]]"}},
    {"backend without servers",
     rest + "[[backends]]\nname = \"empty\"\n",
     {"gateway.toml:8:1: backends[1] (\"empty\") has no servers; add at least one "
      "[[backends.servers]] with an "
      "address"}},
    {"duplicate listener name",
     rest + "[[listeners]]\nname = \"http\"\nlisten = \"*:81\"\n",
     {"gateway.toml:9:8: listeners[1].name \"http\" is already used by listeners[0].name (line "
      "2)"}},
    {"duplicate backend name",
     rest + "[[backends]]\nname = \"app\"\n[[backends.servers]]\naddress = \"h:1\"\n",
     {"gateway.toml:9:8: backends[1].name \"app\" is already used by backends[0].name (line 5)"}},
    {"duplicate server name, one of them a default",
     rest + "name = \"s2\"\n[[backends.servers]]\naddress = \"h:1\"\n",
     {"gateway.toml:9:1: backends[0].servers[1].name \"s2\" is already used by "
      "backends[0].servers[0].name (line "
      "8)"}},
    {"same listen address twice",
     rest + "[[listeners]]\nname = \"b\"\nlisten = \"0.0.0.0:8080\"\n",
     {"gateway.toml:10:10: listeners[1].listen 0.0.0.0:8080 conflicts with listeners[0].listen "
      "0.0.0.0:8080 "
      "(line 3): both would bind port 8080"}},
    {"all interfaces overlap a specific address",
     rest + "[[listeners]]\nname = \"b\"\nlisten = \"*:8080\"\n",
     {"gateway.toml:10:10: listeners[1].listen *:8080 conflicts with listeners[0].listen "
      "0.0.0.0:8080 (line 3): "
      "both would bind port 8080"}},
    {"admin on a listener's address",
     "[admin]\nlisten = \"127.0.0.1:8080\"\n" + rest,
     {"gateway.toml:2:10: admin.listen 127.0.0.1:8080 conflicts with listeners[0].listen "
      "0.0.0.0:8080 (line 5); "
      "give the admin listener its own port or set admin.enabled = false"}},
    {"route to a misspelt backend",
     "[[routes]]\nbackend = \"ap\"\n" + rest,
     {"gateway.toml:2:11: routes[0].backend \"ap\" is not a defined backend; did you mean 'app'?"}},
    {"route to an unknown backend",
     "[[routes]]\nbackend = \"static\"\n" + rest,
     {"gateway.toml:2:11: routes[0].backend \"static\" is not a defined backend; defined backends: "
      "app"}},
    {"route on an unknown listener",
     "[[routes]]\nlistener = \"htp\"\nbackend = \"app\"\n" + rest,
     {"gateway.toml:2:12: routes[0].listener \"htp\" is not a defined listener; did you mean "
      "'http'?"}},
    {"unknown default backend",
     "[[listeners]]\nname = \"x\"\nlisten = \"*:1\"\ndefault_backend = \"nope\"\n" + rest,
     {"gateway.toml:4:19: listeners[0].default_backend \"nope\" is not a defined backend; defined "
      "backends: app"}},
    {"limit and memory together",
     "[buffers]\nlimit = 100\nmemory = \"1MiB\"\n" + rest,
     {"gateway.toml:3:10: buffers.limit and buffers.memory are mutually exclusive; set only one of "
      "them"}},
    {"maxrewrite not below size",
     "[buffers]\nsize = \"8KiB\"\nmaxrewrite = \"8KiB\"\n" + rest,
     {"gateway.toml:3:14: buffers.maxrewrite must be less than buffers.size (8KiB) so that a "
      "request head has "
      "room (got 8KiB)"}},
    {"limit too small for the workers",
     "[global]\nworkers = 4\n[buffers]\nlimit = 8\n" + rest,
     {"gateway.toml:4:9: buffers.limit must be 0 (unbounded) or at least 12 = workers (4) x "
      "(reserve (2) + 1) "
      "(got 8)"}},
    {"limit too small for one worker",
     "[buffers]\nlimit = 2\n" + rest,
     {"gateway.toml:2:9: buffers.limit must be 0 (unbounded) or at least 3 = workers (1) x "
      "(reserve (2) + 1) "
      "(got 2); global.workers = 0 is checked as 1 worker here, and the gateway re-checks against "
      "its real "
      "worker count at start"}},
    {"memory too small for the workers",
     "[global]\nworkers = 2\n[buffers]\nmemory = \"64KiB\"\n" + rest,
     {"gateway.toml:4:10: buffers.memory must hold at least 6 = workers (2) x (reserve (2) + 1) "
      "buffers of "
      "16KiB, i.e. at least 96KiB (got 64KiB, 4 buffers)"}},
    {"health check timeout not below interval",
     rest.substr(0, rest.find("[[backends.servers]]")) +
         "[backends.health_check]\ninterval = \"2s\"\ntimeout = "
         "\"2s\"\n[[backends.servers]]\naddress = \"h:1\"\n",
     {"gateway.toml:8:11: backends[0].health_check.timeout must be less than "
      "backends[0].health_check.interval "
      "(2s) (got 2s)"}},

    // DNS discovery.
    {"name server that is a host name",
     "[dns]\nnameservers = [\"10.0.0.1:53\", \"dns.local:53\"]\n" + rest,
     {"gateway.toml:2:15: dns.nameservers must be a list of IP addresses with a port like "
      "\"10.96.0.10:53\" (element 2 is \"dns.local:53\", not an IP address)"}},
    {"min_ttl above max_ttl",
     "[dns]\nmin_ttl = \"2m\"\nmax_ttl = \"1m\"\n" + rest,
     {"gateway.toml:2:11: dns.min_ttl must not be above dns.max_ttl (1m)"}},
    {"srv and address together",
     rest + "[[backends.servers]]\nsrv = \"_http._tcp.api\"\naddress = \"api:80\"\n",
     {"gateway.toml:9:7: backends[0].servers[1].srv and address are two ways to say where the "
      "server is; give one"}},
    {"srv that is not an SRV name",
     rest + "[[backends.servers]]\nsrv = \"api.example\"\n",
     {"gateway.toml:9:7: backends[0].servers[1].srv must be an SRV name like "
      "\"_http._tcp.api.example\" (got \"api.example\")"}},
    {"discover on an IP address",
     rest + "[[backends.servers]]\naddress = \"10.0.0.2:80\"\ndiscover = \"all\"\n",
     {"gateway.toml:10:12: backends[0].servers[1].discover needs a host name in address; "
      "10.0.0.2:80 is an IP address"}},
    {"max_servers for one server",
     rest + "[[backends.servers]]\naddress = \"api:80\"\nmax_servers = 4\n",
     {"gateway.toml:10:15: backends[0].servers[1].max_servers applies to discover = \"all\" and "
      "to srv entries"}},

    // Syntax errors keep toml++'s position and words.
    {"missing value",
     "[buffers]\nsize = \n" + rest,
     {"gateway.toml:2:8: Error while parsing key-value pair: expected value, saw '\\n'"}},
    {"duplicate key",
     "[global]\nworkers = 1\nworkers = 2\n" + rest,
     {"gateway.toml:3:11: Error while parsing key-value pair: cannot redefine existing integer "
      "'workers'"}},
};

} // namespace

BOOST_AUTO_TEST_SUITE(errors)

BOOST_AUTO_TEST_CASE(each_broken_config_gives_its_exact_messages) {
    for (const auto& c : cases) {
        BOOST_TEST_CONTEXT(c.what) {
            const auto result = load_string(c.toml, "gateway.toml");
            BOOST_TEST(!result.config);
            const auto actual = messages_of(result);
            BOOST_TEST(actual == c.expected, boost::test_tools::per_element());
        }
    }
}

BOOST_AUTO_TEST_CASE(every_error_is_reported_at_once_sorted_by_line) {
    // Sections are read in a fixed order (global before timeouts before listeners), but
    // the messages come out in file order.
    const std::string text = R"([[listeners]]
name = "http"
listen = "0.0.0.0:8080"
default_backend = "nope"
[timeouts]
connect = "5"
queue = 10
[global]
workers = -1
wrokers = 2
[[backends]]
name = "app"
retries = 11
[[backends.servers]]
address = "127.0.0.1:9000"
maxconn = "1"
[[backends.servers]]
name = "s1"
address = "localhost"
)";
    const auto result = load_string(text, "gateway.toml");
    BOOST_TEST(!result.config);
    const std::vector<std::string> expected{
        "gateway.toml:4:19: listeners[0].default_backend \"nope\" is not a defined backend; "
        "defined backends: app",
        "gateway.toml:6:11: timeouts.connect must be a duration like \"5s\"; \"5\" has no unit "
        "(use ms, s, m or h)",
        "gateway.toml:7:9: timeouts.queue must be a duration string like \"5s\" (got integer 10)",
        "gateway.toml:9:11: global.workers must be at least 0 (got -1)",
        "gateway.toml:10:1: global.wrokers is not a known key; did you mean 'workers'?",
        "gateway.toml:13:11: backends[0].retries must be at most 10 (got 11)",
        "gateway.toml:16:11: backends[0].servers[0].maxconn must be an integer (got string \"1\")",
        "gateway.toml:18:8: backends[0].servers[1].name \"s1\" is already used by "
        "backends[0].servers[0].name "
        "(line 14)",
        "gateway.toml:19:11: backends[0].servers[1].address must be an address like "
        "\"127.0.0.1:8080\"; "
        "\"localhost\" has no port (write host:port, e.g. \"localhost:8080\")",
    };
    BOOST_TEST(messages_of(result) == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_failed_value_is_not_reported_again_by_cross_checks) {
    // workers is wrong, so the limit check (which needs it) stays quiet; a route whose
    // backend name is malformed is not also reported as naming an undefined backend.
    const auto result =
        load_string("[global]\nworkers = \"4\"\n[buffers]\nlimit = 1\n[[routes]]\nbackend = "
                    "\"x y\"\n" +
                        rest,
                    "gateway.toml");
    const std::vector<std::string> expected{
        "gateway.toml:2:11: global.workers must be an integer (got string \"4\")",
        "gateway.toml:6:11: routes[0].backend must be 1 to 64 letters, digits, '_', '-' or '.' "
        "(got \"x y\")",
    };
    BOOST_TEST(messages_of(result) == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(every_message_is_one_line) {
    const auto result = load_string("\"bad\\nkey\" = 1\n" + rest, "gateway.toml");
    BOOST_TEST_REQUIRE(result.errors.size() == 1u);
    BOOST_TEST(to_string(result.errors[0]).find('\n') == std::string::npos);
    BOOST_TEST(to_string(result.errors[0]) == "gateway.toml:1:1: bad\\nkey is not a known key "
                                              "(known sections: global, admin, buffers, timeouts, "
                                              "logging, tracing, dns, listeners, routes, backends)");
}

BOOST_AUTO_TEST_CASE(an_unreadable_file_is_one_error_without_position) {
    const auto result = load_file("/nonexistent/gateway.toml");
    BOOST_TEST(!result.config);
    BOOST_TEST_REQUIRE(result.errors.size() == 1u);
    BOOST_TEST(to_string(result.errors[0]) ==
               "/nonexistent/gateway.toml: cannot read the file: No such file or "
               "directory");
    const auto dir = load_file(std::filesystem::temp_directory_path().string());
    BOOST_TEST_REQUIRE(dir.errors.size() == 1u);
    BOOST_TEST(dir.errors[0].message == "cannot read the file: Is a directory");
}

BOOST_AUTO_TEST_CASE(run_check_prints_every_error_and_returns_2) {
    const auto path = std::filesystem::temp_directory_path() / "gw_config_check_bad.toml";
    {
        std::ofstream out(path);
        out << "[buffers]\nresrve = 3\nsize = \"1\"\n" << rest;
    }
    std::ostringstream out, err;
    const int status = run_check(path.string(), out, err);
    std::filesystem::remove(path);
    BOOST_TEST(status == 2);
    BOOST_TEST(out.str().empty());
    const std::string file = path.string();
    BOOST_TEST(err.str() ==
               file + ":2:1: buffers.resrve is not a known key; did you mean 'reserve'?\n" + file +
                   ":3:8: buffers.size must be at least 1KiB (got \"1\")\n");
}

BOOST_AUTO_TEST_CASE(run_check_on_a_missing_file_returns_2) {
    std::ostringstream out, err;
    BOOST_TEST(run_check("/nonexistent/gateway.toml", out, err) == 2);
    BOOST_TEST(out.str().empty());
    BOOST_TEST(err.str() ==
               "/nonexistent/gateway.toml: cannot read the file: No such file or directory\n");
}

BOOST_AUTO_TEST_SUITE_END()
