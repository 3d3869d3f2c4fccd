#include "gateway/app/server_control.hpp"

#include <cstdlib>

#include <boost/asio/post.hpp>

#include "gateway/app/worker.hpp"
#include "gateway/observe/error_log.hpp"

namespace gw {

namespace {
server_admin admin_of(const std::string& state) {
    if (state == "drain")
        return server_admin::drain;
    if (state == "maint")
        return server_admin::maint;
    return server_admin::ready; // (the API accepts only these three)
}
} // namespace

change_outcome change_server(shared_state& shared, const std::vector<worker*>& workers,
                             const server_change& change) {
    const generation_ptr gen = shared.current();
    for (const auto& bp : gen->backends) {
        backend_state& be = *bp;
        if (be.name() != change.backend)
            continue;
        // (The set held while walked: DNS or a reload may replace it meanwhile.)
        for (const auto set = be.servers(); const auto& sp : set->servers) {
            server_state& s = *sp;
            if (s.name != change.server)
                continue;
            if (change.weight)
                be.set_weight(s, *change.weight);
            if (change.state)
                be.set_admin(s, admin_of(*change.state));
            if (!s.serving() || s.weight.load() == 0)
                for (worker* w : workers)
                    boost::asio::post(w->io(), [w, sp] { sp->idle(w->index()).clear(); });
            error_log(config::log_level::warning, "admin API: server " + be.name() + '/' + s.name + " is now " +
                                                      to_string(s.admin.load()) + ", weight " +
                                                      std::to_string(s.weight.load()));
            return change_outcome::done;
        }
        return change_outcome::no_server;
    }
    return change_outcome::no_backend;
}

std::string admin_token(const config::admin_config& admin) {
    if (!admin.token_env.empty()) {
        if (const char* v = std::getenv(admin.token_env.c_str()); v != nullptr && *v != '\0')
            return v;
        if (admin.token.empty())
            error_log(config::log_level::warning, "admin.token_env names " + admin.token_env +
                                                      ", which is not set: the admin API's write endpoints are off");
    }
    return admin.token;
}

} // namespace gw
