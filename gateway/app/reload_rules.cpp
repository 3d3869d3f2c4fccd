#include "gateway/app/reload_rules.hpp"

namespace gw {

namespace {

std::string needs_restart(const std::string& what) {
    std::string out = what;
    out += " cannot change while the gateway runs (it is read once at start); restart to apply it";
    return out;
}

} // namespace

std::string fixed_setting_change(const config::gateway_config& now, const config::gateway_config& next) {
    if (now.global.workers != next.global.workers)
        return needs_restart("global.workers");
    if (now.global.shutdown_timeout != next.global.shutdown_timeout)
        return needs_restart("global.shutdown_timeout");
    if (now.global.client_table_size != next.global.client_table_size)
        return needs_restart("global.client_table_size"); // (the table is allocated once)
    if (!(now.buffers == next.buffers))
        return needs_restart("[buffers]");
    if (!(now.admin == next.admin))
        return needs_restart("[admin]");
    if (now.logging.access_log != next.logging.access_log || now.logging.format != next.logging.format)
        return needs_restart("logging.access_log or logging.format");
    return {};
}

} // namespace gw
