#include "bench/gwbench/cli.hpp"

#include <charconv>
#include <cmath>
#include <stdexcept>

namespace gw::bench {

const char* usage() noexcept {
    return R"(usage:
  gwbench origin --listen HOST:PORT [--size N] [--chunked] [--delay MS] [--status N]
                 [--close] [--threads T]
  gwbench load URL (-d SECONDS | -n REQUESTS) [-c CONNS] [-t THREADS] [--rate R]
               [--method M] [--body-size N] [-H 'Name: value']... [--json FILE|-]
               [--timeout MS] [--expect-2xx] [--no-resume] [--tls-max 1.2|1.3]
  gwbench --help | --version

origin: an HTTP/1.1 test server; runs until SIGINT or SIGTERM and prints
"origin listening on HOST:PORT" once bound (the real port when 0 is asked).
  --listen HOST:PORT  address to bind (port 0: any free port)    [127.0.0.1:8080]
  --size N            response body bytes (k, M, G suffixes)     [64]
  --chunked           Transfer-Encoding: chunked instead of Content-Length
  --delay MS          wait before the response head              [0]
  --status N          response status code                       [200]
  --close             Connection: close after each response
  --threads T         threads, each with its own SO_REUSEPORT acceptor [1]
  Per request: ?size=N&chunked=1&delay=MS&status=N&close=1; /echo streams the
  request body back; /echo-head answers with the request head as received.

load: keep-alive HTTP/1.1 load on an http:// or https:// URL.
  -c, --connections N  connections, spread over the threads     [1]
  -t, --threads N      threads, one event loop each             [1]
  -d, --duration D     run time: 10, 10s, 500ms, 2m
  -n, --requests N     send N requests in all, then stop
  --rate R             fixed rate in requests/s over all connections, latency
                       corrected for coordinated omission (as wrk2); default:
                       closed loop (each connection sends as soon as answered)
  --method M           request method                           [GET]
  --body-size N        request body bytes (Content-Length)      [0]
  -H, --header 'Name: value'  extra request header (repeatable)
  --json FILE|-        write the result as JSON (- = stdout, the table then goes
                       to stderr)
  --timeout MS         per connect and per request               [2000]
  --expect-2xx         exit 3 unless every request got a 2xx answer (no error):
                       a probe, e.g. a container health check
  --no-resume          https: a full handshake on every new connection (by
                       default a connection offers its previous one's session)
  --tls-max V          https: the highest TLS version offered   [1.3]
  With -H 'Connection: close' every request opens a connection: over https, a
  handshake per request (gwbench then reports handshakes per second).
  A progress line is printed every second when stdout is a terminal.
)";
}

namespace {

[[noreturn]] void fail(const std::string& msg) {
    throw std::invalid_argument(msg);
}

std::uint64_t parse_uint(const std::string& s, const std::string& what) {
    std::uint64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc{} || p != s.data() + s.size())
        fail(what + ": not a number: '" + s + "'");
    return v;
}

double parse_double(const std::string& s, const std::string& what) {
    std::size_t used = 0;
    double v = 0;
    try {
        v = std::stod(s, &used);
    } catch (const std::exception&) {
        fail(what + ": not a number: '" + s + "'");
    }
    if (used != s.size() || !std::isfinite(v) || v < 0)
        fail(what + ": not a positive number: '" + s + "'");
    return v;
}

// HOST:PORT, [V6]:PORT.
void parse_listen(const std::string& s, origin_command& o) {
    auto colon = s.rfind(':');
    if (colon == std::string::npos) fail("--listen: want HOST:PORT, got '" + s + "'");
    std::string host = s.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    auto port = parse_uint(s.substr(colon + 1), "--listen port");
    if (port > 65535) fail("--listen: port out of range: " + std::to_string(port));
    o.host = host.empty() ? "0.0.0.0" : host;
    o.port = static_cast<std::uint16_t>(port);
}

// Walks the arguments; value() takes the next one or fails naming the option.
struct arg_cursor {
    const std::vector<std::string>& args;
    std::size_t i = 0;
    bool done() const { return i >= args.size(); }
    const std::string& next() { return args[i++]; }
    const std::string& value(const std::string& opt) {
        if (done()) fail(opt + " needs a value");
        return next();
    }
};

void parse_origin(arg_cursor& a, origin_command& o) {
    bool listen = false;
    while (!a.done()) {
        const std::string& opt = a.next();
        if (opt == "--listen") {
            parse_listen(a.value(opt), o);
            listen = true;
        } else if (opt == "--size") {
            o.opts.body_size = static_cast<std::size_t>(parse_size(a.value(opt)));
        } else if (opt == "--chunked") {
            o.opts.chunked = true;
        } else if (opt == "--delay") {
            o.opts.delay = std::chrono::milliseconds(parse_uint(a.value(opt), opt));
        } else if (opt == "--status") {
            auto s = parse_uint(a.value(opt), opt);
            if (s < 200 || s > 999)
                fail("--status must be in 200..999 (got " + std::to_string(s) + ")");
            o.opts.status = static_cast<unsigned>(s);
        } else if (opt == "--close") {
            o.opts.keep_alive = false;
        } else if (opt == "--threads") {
            o.threads = static_cast<std::size_t>(parse_uint(a.value(opt), opt));
            if (o.threads == 0) fail("--threads must be at least 1");
        } else {
            fail("origin: unknown option '" + opt + "' (see --help)");
        }
    }
    if (!listen) fail("origin: --listen HOST:PORT is required");
}

void parse_load(arg_cursor& a, cli_command& c) {
    auto& o = c.load;
    while (!a.done()) {
        const std::string& opt = a.next();
        if (opt == "-c" || opt == "--connections") {
            o.connections = static_cast<std::size_t>(parse_uint(a.value(opt), opt));
        } else if (opt == "-t" || opt == "--threads") {
            o.threads = static_cast<std::size_t>(parse_uint(a.value(opt), opt));
        } else if (opt == "-d" || opt == "--duration") {
            o.duration = parse_duration(a.value(opt));
            if (o.duration.count() <= 0) fail(opt + " must be positive");
        } else if (opt == "-n" || opt == "--requests") {
            o.requests = parse_uint(a.value(opt), opt);
            if (o.requests == 0) fail(opt + " must be at least 1");
        } else if (opt == "--rate") {
            o.rate = parse_double(a.value(opt), opt);
            if (o.rate <= 0) fail("--rate must be positive");
        } else if (opt == "--method") {
            o.method = a.value(opt);
        } else if (opt == "--body-size") {
            o.body_size = static_cast<std::size_t>(parse_size(a.value(opt)));
        } else if (opt == "-H" || opt == "--header") {
            o.headers.push_back(a.value(opt));
        } else if (opt == "--no-resume") {
            o.tls_resume = false;
        } else if (opt == "--tls-max") {
            const auto v = a.value(opt);
            if (v != "1.2" && v != "1.3") fail("--tls-max must be 1.2 or 1.3 (got '" + v + "')");
            o.tls_max_version = v == "1.2" ? 0x0303 : 0;
        } else if (opt == "--json") {
            c.json_path = a.value(opt);
        } else if (opt == "--expect-2xx") {
            c.expect_2xx = true;
        } else if (opt == "--timeout") {
            o.timeout = std::chrono::milliseconds(parse_uint(a.value(opt), opt));
            if (o.timeout.count() == 0) fail("--timeout must be positive");
        } else if (!opt.empty() && opt[0] == '-') {
            fail("load: unknown option '" + opt + "' (see --help)");
        } else if (o.url.empty()) {
            o.url = opt;
        } else {
            fail("load: more than one URL ('" + o.url + "', '" + opt + "')");
        }
    }
    if (o.url.empty()) fail("load: the URL is missing");
    if ((o.duration.count() > 0) == (o.requests > 0))
        fail("load: give exactly one of -d DURATION and -n REQUESTS");
    if (o.connections == 0 || o.threads == 0) fail("load: -c and -t must be at least 1");
    url_parts u;
    if (auto err = parse_url(o.url, u); !err.empty()) fail("load: " + err);
}

} // namespace

std::chrono::nanoseconds parse_duration(const std::string& s) {
    std::size_t unit = s.find_first_not_of("0123456789.");
    std::string num = s.substr(0, unit);
    std::string suffix = unit == std::string::npos ? "" : s.substr(unit);
    double v = parse_double(num, "duration");
    double scale = suffix.empty() || suffix == "s" ? 1e9
                   : suffix == "ms"                ? 1e6
                   : suffix == "us"                ? 1e3
                   : suffix == "m"                 ? 60e9
                   : suffix == "h"                 ? 3600e9
                                                   : -1;
    if (scale < 0) fail("duration: unknown unit in '" + s + "' (use ms, s, m, h)");
    return std::chrono::nanoseconds(static_cast<std::int64_t>(std::llround(v * scale)));
}

std::uint64_t parse_size(const std::string& s) {
    if (s.empty()) fail("size: empty");
    std::uint64_t mult = 1;
    std::string num = s;
    switch (s.back()) {
    case 'k':
    case 'K':
        mult = 1024;
        break;
    case 'm':
    case 'M':
        mult = 1024 * 1024;
        break;
    case 'g':
    case 'G':
        mult = 1024ull * 1024 * 1024;
        break;
    default:
        break;
    }
    if (mult != 1) num.pop_back();
    return parse_uint(num, "size") * mult;
}

cli_command parse_cli(const std::vector<std::string>& args) {
    cli_command c;
    arg_cursor a{args};
    if (a.done()) fail("no command (see --help)");
    const std::string& cmd = a.next();
    if (cmd == "--help" || cmd == "-h" || cmd == "help") {
        c.what = cli_command::kind::help;
    } else if (cmd == "--version" || cmd == "-V") {
        c.what = cli_command::kind::version;
    } else if (cmd == "origin") {
        c.what = cli_command::kind::origin;
        parse_origin(a, c.origin);
    } else if (cmd == "load") {
        c.what = cli_command::kind::load;
        parse_load(a, c);
    } else {
        fail("unknown command '" + cmd + "' (see --help)");
    }
    return c;
}

} // namespace gw::bench
