#pragma once
// Certificates re-read while the gateway runs: on SIGHUP, and when one of a TLS
// listener's files changes (checked every second on worker 0: modification
// time, size and inode, so that a Kubernetes secret, which swaps a symlink,
// is seen as well as a file written in place; acted on once unchanged for a
// second look, so that a certificate and key written one after the other are
// read together). New handshakes use the new
// certificates; open connections keep the ones they were given. A file that
// fails to load keeps the listener's old certificates in service, with one
// error line (the setting, the file, OpenSSL's reason) and a count.

#include <cstddef>
#include <mutex>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "gateway/app/file_stamp.hpp"

namespace gw {

struct shared_state;
struct generation;

class certificate_reloader {
public:
    explicit certificate_reloader(shared_state& shared);

    // Re-reads every TLS listener's certificates. Returns how many failed.
    std::size_t reload_all();
    // Re-reads those of the listeners whose files changed since last seen.
    void reload_changed();
    // Takes the files of the running generation's TLS listeners as they are
    // now where it has not seen them (a reload just added the listener or gave
    // it other files, and read them).
    void track_new();

private:
    using stamps = std::vector<file_stamp>; // a listener's certificate and key files
    static stamps stamps_of(const config::listener_tls_config& t);
    static std::vector<std::string> paths_of(const config::listener_tls_config& t);
    bool reload(const generation& gen, std::size_t listener); // (holding mutex_)
    // What is known of listener `l`'s files (by its slot): as they are now
    // when first asked, or when a reload gave the listener other files.
    settled_change<stamps>& files_of(const generation& gen, std::size_t l);

    struct watched {
        std::vector<std::string> paths;
        settled_change<stamps> files;
    };
    shared_state& shared_;
    std::mutex mutex_; // SIGHUP (main thread) and the watch (worker 0)
    std::vector<watched> files_; // per listener slot
};

} // namespace gw
