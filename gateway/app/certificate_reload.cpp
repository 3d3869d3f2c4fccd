#include "gateway/app/certificate_reload.hpp"

#include <exception>
#include <memory>

#include "gateway/app/worker.hpp"
#include "gateway/observe/error_log.hpp"

namespace gw {

certificate_reloader::certificate_reloader(shared_state& shared) : shared_(shared) { track_new(); }

void certificate_reloader::track_new() {
    std::lock_guard lock(mutex_);
    const auto gen = shared_.current();
    for (std::size_t l = 0; l < gen->tls.size(); ++l)
        if (gen->tls[l])
            files_of(*gen, l);
}

std::vector<std::string> certificate_reloader::paths_of(const config::listener_tls_config& t) {
    std::vector<std::string> out;
    for (const auto& c : t.certificates)
        for (const auto* f : {&c.cert, &c.key})
            out.push_back(f->path);
    return out;
}

settled_change<certificate_reloader::stamps>& certificate_reloader::files_of(const generation& gen,
                                                                             std::size_t l) {
    const std::size_t slot = gen.slots[l];
    if (files_.size() <= slot)
        files_.resize(slot + 1);
    auto& w = files_[slot];
    auto paths = paths_of(*gen.config->listeners[l].tls);
    if (w.paths != paths) { // (new: the reload that made it read them just now)
        w.files = settled_change<stamps>(stamps_of(*gen.config->listeners[l].tls));
        w.paths = std::move(paths);
    }
    return w.files;
}

certificate_reloader::stamps certificate_reloader::stamps_of(const config::listener_tls_config& t) {
    stamps out;
    for (const auto& path : paths_of(t))
        out.push_back(stamp_of(path));
    return out;
}

bool certificate_reloader::reload(const generation& gen, std::size_t l) {
    const auto& listener = gen.config->listeners[l];
    const std::size_t slot = gen.slots[l];
    files_of(gen, l).acted(stamps_of(*listener.tls));
    try {
        auto store = std::make_shared<const tls::certificate_store>(listener.tls->certificates);
        const auto n = store->all().size();
        gen.tls[l]->replace_certificates(std::move(store));
        shared_.tls_reloads[slot].fetch_add(1, std::memory_order_relaxed);
        error_log(config::log_level::info, "listener '" + listener.name + "': " + std::to_string(n) +
                                               (n == 1 ? " certificate" : " certificates") + " reloaded");
        return true;
    } catch (const std::exception& e) {
        shared_.tls_reload_failures[slot].fetch_add(1, std::memory_order_relaxed);
        error_log(config::log_level::error, std::string(e.what()) + " (listener '" + listener.name +
                                                "' keeps its certificates)");
        return false;
    }
}

std::size_t certificate_reloader::reload_all() {
    std::lock_guard lock(mutex_);
    const auto gen = shared_.current();
    std::size_t failed = 0;
    for (std::size_t l = 0; l < gen->tls.size(); ++l)
        if (gen->tls[l] && !reload(*gen, l))
            ++failed;
    return failed;
}

void certificate_reloader::reload_changed() {
    std::lock_guard lock(mutex_);
    const auto gen = shared_.current();
    for (std::size_t l = 0; l < gen->tls.size(); ++l) {
        // A change is acted on once it held still for a look: a certificate
        // and its key are two files, and one written before the other would
        // otherwise fail to load for a moment.
        if (gen->tls[l] && files_of(*gen, l).changed(stamps_of(*gen->config->listeners[l].tls)))
            reload(*gen, l);
    }
}

} // namespace gw
