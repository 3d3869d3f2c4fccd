#pragma once
// What tells that a file changed without reading it: its modification time,
// size and inode, through symlinks (a Kubernetes ConfigMap or Secret swaps a
// symlink to a new directory: the inode changes even when the time does not).
// A watcher acts on a change once it held still for a second look, so that
// files written in several steps are read whole.

#include <string>
#include <vector>

#include <sys/stat.h>

namespace gw {

struct file_stamp {
    timespec mtime{};
    off_t size = -1; // -1: the file could not be looked at
    ino_t inode = 0;

    bool operator==(const file_stamp& o) const noexcept {
        return mtime.tv_sec == o.mtime.tv_sec && mtime.tv_nsec == o.mtime.tv_nsec && size == o.size &&
               inode == o.inode;
    }
};

inline file_stamp stamp_of(const std::string& path) {
    struct stat st {};
    file_stamp s;
    if (::stat(path.c_str(), &st) == 0) {
        s.mtime = st.st_mtim;
        s.size = st.st_size;
        s.inode = st.st_ino;
    }
    return s;
}

// A watched thing's stamps (a file_stamp, or the stamps of several files read
// together): `changed()` is true once per change, when the stamp differs from
// the one last acted on and held still since the last look.
template <class Stamp>
class settled_change {
public:
    explicit settled_change(const Stamp& now = {}) : seen_(now), settling_(now) {}
    bool changed(const Stamp& now) {
        const bool act = !(now == seen_) && now == settling_;
        if (act)
            seen_ = now;
        settling_ = now;
        return act;
    }
    // Acted on by other means (SIGHUP): what it is now counts as seen.
    void acted(const Stamp& now) { seen_ = now; }

private:
    Stamp seen_, settling_;
};

} // namespace gw
