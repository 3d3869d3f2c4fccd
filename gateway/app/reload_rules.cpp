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
    if (!(now.buffers == next.buffers))
        return needs_restart("[buffers]");
    if (!(now.admin == next.admin))
        return needs_restart("[admin]");
    if (now.logging.access_log != next.logging.access_log || now.logging.format != next.logging.format)
        return needs_restart("logging.access_log or logging.format");
    // Listeners are bound once per worker at start: their number, names and
    // addresses stay (their other settings, TLS included, may change).
    if (now.listeners.size() != next.listeners.size())
        return needs_restart("the number of listeners");
    for (std::size_t l = 0; l < now.listeners.size(); ++l)
        if (now.listeners[l].name != next.listeners[l].name || now.listeners[l].listen != next.listeners[l].listen)
            return needs_restart("listeners[" + std::to_string(l) + "] (its name or address)");
    return {};
}

} // namespace gw
