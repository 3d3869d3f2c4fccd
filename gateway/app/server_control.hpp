#pragma once
// The admin API's changes to servers, applied to the running gateway: a
// server's state and weight on the backend every worker shares, and, for a
// server that stops taking requests, its idle pooled connections closed on
// every worker (each on its own thread, as the pool is the worker's alone).

#include <string>
#include <vector>

#include "config/config.hpp"
#include "gateway/observe/admin_api.hpp"

namespace gw {

struct shared_state;
class worker;

// Any thread. Logs the change (who asked is the admin listener's client).
change_outcome change_server(shared_state& shared, const std::vector<worker*>& workers,
                             const server_change& change);

// The admin API's bearer token: admin.token_env's variable when it is set and
// not empty, else admin.token; empty: the write endpoints are off (a warning
// says so when token_env names a variable that is not set).
std::string admin_token(const config::admin_config& admin);

} // namespace gw
