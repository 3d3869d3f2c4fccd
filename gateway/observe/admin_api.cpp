#include "gateway/observe/admin_api.hpp"

#include <openssl/crypto.h>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace gw {

namespace net = boost::asio;
namespace json = boost::json;

namespace {

constexpr const char* json_type = "application/json";

admin_reply json_reply(unsigned status, const json::value& v) {
    return admin_reply{status, json_type, json::serialize(v) + "\n", {}};
}

admin_reply error_json(unsigned status, std::string message, std::string extra_headers = {}) {
    auto r = json_reply(status, json::object{{"error", std::move(message)}});
    r.extra_headers = std::move(extra_headers);
    return r;
}

json::object server_json(const std::string& backend, const server_snapshot& s) {
    return json::object{{"backend", backend},
                        {"name", s.name},
                        {"address", s.address},
                        {"state", s.state},
                        {"health", s.up ? "up" : "down"},
                        {"weight", s.weight},
                        {"config_weight", s.config_weight},
                        {"maxconn", s.maxconn},
                        {"active", s.active},
                        {"requests", s.requests},
                        {"connections_opened", s.connects},
                        {"connect_failures", s.connect_failures},
                        {"health_checks", s.health_checks},
                        {"ejected", s.ejected},
                        {"ejections", s.ejections}};
}

json::object all_servers_json(const gateway_snapshot& snap) {
    json::array backends;
    for (const auto& b : snap.backends) {
        json::array servers;
        for (const auto& s : b.servers)
            servers.push_back(server_json(b.name, s));
        backends.push_back(json::object{{"name", b.name},
                                        {"queued", b.queued},
                                        {"queue_timeouts", b.queue_timeouts},
                                        {"servers", std::move(servers)}});
    }
    return json::object{{"backends", std::move(backends)}};
}

const server_snapshot* find_server(const gateway_snapshot& snap, std::string_view backend,
                                   std::string_view server) {
    for (const auto& b : snap.backends)
        if (b.name == backend)
            for (const auto& s : b.servers)
                if (s.name == server)
                    return &s;
    return nullptr;
}

// "/api/backends/B/servers/S" -> {B, S}; names as the config allows them.
std::optional<std::pair<std::string_view, std::string_view>> server_path(std::string_view path) {
    constexpr std::string_view head = "/api/backends/";
    constexpr std::string_view middle = "/servers/";
    if (!path.starts_with(head))
        return std::nullopt;
    path.remove_prefix(head.size());
    const auto m = path.find(middle);
    if (m == std::string_view::npos)
        return std::nullopt;
    const auto b = path.substr(0, m);
    const auto s = path.substr(m + middle.size());
    constexpr std::string_view name_chars =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-";
    for (const auto part : {b, s})
        if (part.empty() || part.size() > 64 || part.find_first_not_of(name_chars) != std::string_view::npos)
            return std::nullopt;
    return std::pair{b, s};
}

// A write is allowed when a token is configured and the request carries it.
// (Compared in constant time: the comparison must not tell how much matched.)
std::optional<admin_reply> refuse_write(const api_request& req, const admin_api_context& ctx) {
    if (ctx.token.empty())
        return error_json(403, "write endpoints are off: no admin token is configured "
                               "(admin.token or admin.token_env)");
    constexpr std::string_view scheme = "Bearer ";
    auto given = req.authorization;
    const bool ok = given.size() == scheme.size() + ctx.token.size() &&
                    given.substr(0, scheme.size()) == scheme &&
                    CRYPTO_memcmp(given.data() + scheme.size(), ctx.token.data(), ctx.token.size()) == 0;
    if (ok)
        return std::nullopt;
    if (ctx.unauthorized != nullptr)
        ++*ctx.unauthorized;
    return error_json(401, "a valid 'Authorization: Bearer <token>' is needed",
                      "WWW-Authenticate: Bearer realm=\"gateway-admin\"\r\n");
}

// The body of a PUT to a server: {"state": ..., "weight": ...}, at least one.
std::optional<admin_reply> read_change(std::string_view body, server_change& out) {
    boost::system::error_code ec;
    const json::value v = json::parse(body, ec);
    if (ec || !v.is_object())
        return error_json(400, "the body must be a JSON object like {\"state\": \"drain\"} or {\"weight\": 2}");
    for (const auto& [key, value] : v.as_object()) {
        if (key == "state") {
            const auto* s = value.if_string();
            if (s == nullptr || (*s != "ready" && *s != "drain" && *s != "maint"))
                return error_json(400, "state must be \"ready\", \"drain\" or \"maint\"");
            out.state = std::string(*s);
        } else if (key == "weight") {
            const auto* w = value.if_int64();
            const auto* u = value.if_uint64();
            const std::int64_t n = w != nullptr ? *w : (u != nullptr && *u <= 1000 ? static_cast<std::int64_t>(*u) : -1);
            if (n < 0 || n > 256)
                return error_json(400, "weight must be an integer from 0 to 256");
            out.weight = static_cast<unsigned>(n);
        } else {
            return error_json(400, "unknown field \"" + std::string(key) + "\": allowed are state and weight");
        }
    }
    if (!out.state && !out.weight)
        return error_json(400, "nothing to change: give state, weight or both");
    return std::nullopt;
}

} // namespace

bool is_api_path(std::string_view path) noexcept {
    return path == "/api" || path.starts_with("/api/");
}

net::awaitable<admin_reply> answer_api(const api_request& req, const admin_api_context& ctx) {
    const bool read = req.method == "GET" || req.method == "HEAD";
    if (req.path == "/api/servers") {
        if (!read)
            co_return error_json(405, "GET or HEAD", "Allow: GET, HEAD\r\n");
        const auto snap = co_await ctx.snapshot();
        co_return json_reply(200, all_servers_json(snap));
    }
    if (req.path == "/api/reload") {
        if (req.method != "POST")
            co_return error_json(405, "POST", "Allow: POST\r\n");
        if (auto refused = refuse_write(req, ctx))
            co_return std::move(*refused);
        if (!ctx.reload)
            co_return error_json(503, "reload is not available: the gateway was not started from a file");
        const auto r = co_await ctx.reload();
        json::object out{{"result", r.ok ? "reloaded" : "refused"}, {"generation", r.generation}};
        if (!r.ok)
            out["error"] = r.message;
        // (A file that cannot be applied: 422, the running configuration stays.)
        co_return json_reply(r.ok ? 200 : 422, json::value(std::move(out)));
    }
    const auto names = server_path(req.path);
    if (!names)
        co_return error_json(404, "no such endpoint: see GET /api/servers, GET or PUT "
                                  "/api/backends/<backend>/servers/<server>, POST /api/reload");
    const auto [backend, server] = *names;
    if (!read && req.method != "PUT")
        co_return error_json(405, "GET, HEAD or PUT", "Allow: GET, HEAD, PUT\r\n");
    if (!read) {
        if (auto refused = refuse_write(req, ctx))
            co_return std::move(*refused);
        server_change change{std::string(backend), std::string(server), {}, {}};
        if (auto bad = read_change(req.body, change))
            co_return std::move(*bad);
        const auto outcome = ctx.change_server(change);
        if (outcome == change_outcome::no_backend)
            co_return error_json(404, "no backend named \"" + change.backend + "\"");
        if (outcome == change_outcome::no_server)
            co_return error_json(404, "backend \"" + change.backend + "\" has no server named \"" +
                                          change.server + "\"");
    }
    const auto snap = co_await ctx.snapshot();
    const auto* s = find_server(snap, backend, server);
    if (s == nullptr)
        co_return error_json(404, "no server \"" + std::string(backend) + "/" + std::string(server) + "\"");
    co_return json_reply(200, server_json(std::string(backend), *s));
}

} // namespace gw
