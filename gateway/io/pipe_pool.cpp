#include "gateway/io/pipe_pool.hpp"

#include <fcntl.h>
#include <unistd.h>

namespace gw {

namespace {
void close_pipe(pipe_fds p) noexcept {
    ::close(p.read);
    ::close(p.write);
}
} // namespace

pipe_pool::~pipe_pool() {
    for (auto p : idle_)
        close_pipe(p);
}

pipe_fds pipe_pool::take() noexcept {
    if (!idle_.empty()) {
        const auto p = idle_.back();
        idle_.pop_back();
        return p;
    }
    int fds[2];
    if (::pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0)
        return {};
    return {fds[0], fds[1]};
}

void pipe_pool::give(pipe_fds p, bool empty) noexcept {
    if (!p)
        return;
    if (empty && idle_.size() < keep_) {
        idle_.push_back(p);
        return;
    }
    close_pipe(p);
}

} // namespace gw
