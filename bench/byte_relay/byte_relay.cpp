// byte_relay: the floor under any proxy's CPU per request on this machine.
//
// It relays bytes between each client connection and a connection of its own to
// the origin, with no HTTP at all: one thread, level-triggered epoll, one read
// and one write per message and direction, as a proxy that did nothing but move
// the bytes would. proxy-compare.py measures it beside the proxies: what it costs
// per request is what the kernel costs (two receives, two sends, the peers'
// wake-ups), which no proxy built on the socket API can go below.
//
//   byte_relay LISTEN_PORT ORIGIN_PORT [--splice]     (both on 127.0.0.1)
//
// --splice moves the bytes socket -> pipe -> socket with splice(2) instead of
// through user memory, as the gateway does for large bodies: the floor for those.
//
// A bench tool, not product code: blocking connect to the origin at accept time,
// exits on any set-up error.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <utility>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

constexpr std::size_t chunk = 64 * 1024;

// One direction's state is kept on the side that writes: bytes read from the
// peer that the socket did not take yet. While they wait, the peer is not read.
struct end {
    int fd = -1;
    int peer = -1;
    std::unique_ptr<char[]> pending;
    std::size_t off = 0, len = 0;
    int pipe_r = -1, pipe_w = -1; // --splice: bytes on their way to fd
};

std::vector<end> ends;
int ep = -1;
bool use_splice = false;

void watch(int fd, unsigned events, int op) {
    epoll_event ev{};
    ev.events = events;
    ev.data.fd = fd;
    if (::epoll_ctl(ep, op, fd, &ev) != 0 && op != EPOLL_CTL_DEL) {
        std::perror("epoll_ctl");
        std::exit(1);
    }
}

void close_pair(int fd) {
    const int peer = ends[static_cast<std::size_t>(fd)].peer;
    for (int f : {fd, peer}) {
        if (f < 0)
            continue;
        ::close(f);
        end& e = ends[static_cast<std::size_t>(f)];
        if (e.pipe_r >= 0) {
            ::close(e.pipe_r);
            ::close(e.pipe_w);
        }
        e = end{};
    }
}

sockaddr_in loopback(int port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

void set_nodelay(int fd) {
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

// Sends what waits for `to`; true when nothing is left (else errno says why).
bool flush(end& to) {
    while (use_splice && to.len != 0) {
        const ssize_t n = ::splice(to.pipe_r, nullptr, to.fd, nullptr, to.len,
                                   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
        if (n < 0)
            return false;
        to.len -= static_cast<std::size_t>(n);
    }
    while (to.len != 0) {
        const ssize_t n = ::send(to.fd, to.pending.get() + to.off, to.len, MSG_NOSIGNAL);
        if (n < 0)
            return false;
        to.off += static_cast<std::size_t>(n);
        to.len -= static_cast<std::size_t>(n);
    }
    to.off = 0;
    return true;
}

// Stop reading the source until the sink took the rest (the sink's own reads
// wait too: a request/response relay has one direction busy at a time).
void hold(int fd, end& to) {
    watch(fd, 0, EPOLL_CTL_MOD);
    watch(to.fd, EPOLLOUT, EPOLL_CTL_MOD);
}

void on_readable_splice(int fd, end& to) {
    const ssize_t n = ::splice(fd, nullptr, to.pipe_w, nullptr, 1 << 20,
                               SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
    if (n <= 0) {
        if (n < 0 && errno == EAGAIN)
            return;
        close_pair(fd);
        return;
    }
    to.len += static_cast<std::size_t>(n);
    if (!flush(to)) {
        if (errno != EAGAIN)
            close_pair(fd);
        else
            hold(fd, to);
    }
}

void on_readable(int fd, char* buf) {
    end& from = ends[static_cast<std::size_t>(fd)];
    end& to = ends[static_cast<std::size_t>(from.peer)];
    if (use_splice) {
        on_readable_splice(fd, to);
        return;
    }
    const ssize_t n = ::recv(fd, buf, chunk, 0);
    if (n <= 0) {
        if (n < 0 && errno == EAGAIN)
            return;
        close_pair(fd);
        return;
    }
    const ssize_t w = ::send(to.fd, buf, static_cast<std::size_t>(n), MSG_NOSIGNAL);
    if (w == n)
        return;
    if (w < 0 && errno != EAGAIN) {
        close_pair(fd);
        return;
    }
    const std::size_t sent = w < 0 ? 0 : static_cast<std::size_t>(w);
    if (!to.pending)
        to.pending = std::make_unique<char[]>(chunk);
    std::memcpy(to.pending.get(), buf + sent, static_cast<std::size_t>(n) - sent);
    to.off = 0;
    to.len = static_cast<std::size_t>(n) - sent;
    hold(fd, to);
}

void on_writable(int fd) {
    end& to = ends[static_cast<std::size_t>(fd)];
    if (!flush(to)) {
        if (errno != EAGAIN)
            close_pair(fd);
        return;
    }
    watch(fd, EPOLLIN, EPOLL_CTL_MOD);
    watch(to.peer, EPOLLIN, EPOLL_CTL_MOD);
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 3 || argc > 4 || (argc == 4 && std::strcmp(argv[3], "--splice") != 0)) {
        std::fprintf(stderr, "usage: byte_relay LISTEN_PORT ORIGIN_PORT [--splice]\n");
        return 2;
    }
    use_splice = argc == 4;
    const sockaddr_in listen_at = loopback(std::atoi(argv[1]));
    const sockaddr_in origin = loopback(std::atoi(argv[2]));
    const int l = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    const int one = 1;
    ::setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(l, reinterpret_cast<const sockaddr*>(&listen_at), sizeof listen_at) != 0 ||
        ::listen(l, 1024) != 0) {
        std::perror("byte_relay: listen");
        return 1;
    }
    ep = ::epoll_create1(0);
    watch(l, EPOLLIN, EPOLL_CTL_ADD);
    auto buf = std::make_unique<char[]>(chunk);
    epoll_event events[256];
    for (;;) {
        const int n = ::epoll_wait(ep, events, 256, -1);
        for (int i = 0; i < n; ++i) {
            const int fd = events[i].data.fd;
            if (fd == l) {
                int c;
                while ((c = ::accept4(l, nullptr, nullptr, SOCK_NONBLOCK)) >= 0) {
                    const int s = ::socket(AF_INET, SOCK_STREAM, 0);
                    if (::connect(s, reinterpret_cast<const sockaddr*>(&origin), sizeof origin) != 0) {
                        std::perror("byte_relay: connect to the origin");
                        ::close(c);
                        ::close(s);
                        continue;
                    }
                    ::fcntl(s, F_SETFL, O_NONBLOCK);
                    set_nodelay(c);
                    set_nodelay(s);
                    const auto need = static_cast<std::size_t>(std::max(c, s)) + 1;
                    if (ends.size() < need)
                        ends.resize(need);
                    for (const auto& [fd_, peer] : {std::pair{c, s}, std::pair{s, c}}) {
                        end& e = ends[static_cast<std::size_t>(fd_)];
                        e = end{};
                        e.fd = fd_;
                        e.peer = peer;
                        int p[2];
                        if (use_splice && ::pipe2(p, O_NONBLOCK | O_CLOEXEC) == 0) {
                            e.pipe_r = p[0];
                            e.pipe_w = p[1];
                        }
                    }
                    watch(c, EPOLLIN, EPOLL_CTL_ADD);
                    watch(s, EPOLLIN, EPOLL_CTL_ADD);
                }
                continue;
            }
            if (static_cast<std::size_t>(fd) >= ends.size() || ends[static_cast<std::size_t>(fd)].fd < 0)
                continue; // closed earlier in this batch
            if (events[i].events & EPOLLOUT)
                on_writable(fd);
            else
                on_readable(fd, buf.get());
        }
    }
}
