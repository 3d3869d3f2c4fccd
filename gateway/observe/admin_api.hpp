#pragma once
// The admin API (docs/admin-api.md): servers as JSON, and changes to them.
//   GET /api/servers                      every backend and its servers
//   GET /api/backends/B/servers/S         one server
//   PUT /api/backends/B/servers/S         {"state": "ready"|"drain"|"maint", "weight": 0..256}
//   POST /api/reload                      re-read the configuration file and apply it
// Reads are open like /metrics; writes need `Authorization: Bearer <admin token>`
// and are off when no token is configured. Bodies are small JSON (1 KiB at most).

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "gateway/observe/admin_reply.hpp"
#include "gateway/observe/snapshot.hpp"

namespace gw {

// A change to one server asked through the API (validated here, applied by app/).
struct server_change {
    std::string backend;
    std::string server;
    std::optional<std::string> state; // "ready", "drain" or "maint"
    std::optional<unsigned> weight;   // 0..256
};

enum class change_outcome { done, no_backend, no_server };

// What POST /api/reload did (app/ re-reads the configuration file).
struct reload_reply {
    bool ok = false;
    std::uint64_t generation = 0; // the one running now
    std::string message;          // why it was refused (file:line:col: ... for a bad file)
};

// What the API needs of the gateway.
struct admin_api_context {
    std::string_view token; // empty: write endpoints off
    std::function<boost::asio::awaitable<gateway_snapshot>()> snapshot;
    std::function<change_outcome(const server_change&)> change_server;
    // Re-reads the configuration file and applies it (null: not available).
    std::function<boost::asio::awaitable<reload_reply>()> reload;
    std::uint64_t* unauthorized = nullptr; // counts refused writes (401)
};

// A request to the API, its head already read (and its body, if any).
struct api_request {
    std::string_view method;
    std::string_view path; // without the query
    std::string_view authorization;
    std::string_view body;
};

// Whether `path` is the API's (/api/...).
bool is_api_path(std::string_view path) noexcept;

boost::asio::awaitable<admin_reply> answer_api(const api_request& req, const admin_api_context& ctx);

} // namespace gw
