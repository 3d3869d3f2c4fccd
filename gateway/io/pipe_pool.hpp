#pragma once
// A worker's pipes for splice(2): a body moves socket -> pipe -> socket inside
// the kernel (page references, no copy through user memory). Pipes are reused
// while empty; HAProxy keeps a pool of them the same way (maxpipes).
//
// Worker thread only.

#include <cstddef>
#include <vector>

namespace gw {

struct pipe_fds {
    int read = -1;
    int write = -1;
    explicit operator bool() const noexcept { return read >= 0; }
};

class pipe_pool {
public:
    // At most `keep` idle pipes are cached; more are closed when given back.
    explicit pipe_pool(std::size_t keep = 64) : keep_(keep) {}
    ~pipe_pool();
    pipe_pool(const pipe_pool&) = delete;
    pipe_pool& operator=(const pipe_pool&) = delete;

    // A cached pipe or a new one (non-blocking ends); an invalid one when the
    // system refuses (out of descriptors): the caller relays without splice.
    pipe_fds take() noexcept;
    // `empty`: nothing left inside (else the pipe is closed, never reused dirty).
    void give(pipe_fds p, bool empty) noexcept;

private:
    std::size_t keep_;
    std::vector<pipe_fds> idle_;
};

} // namespace gw
