#include "bench/corpus/observer.hpp"

#include <cerrno>
#include <cstring>
#include <list>
#include <stdexcept>
#include <string_view>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench/corpus/vectors.hpp"

namespace gw::corpus {

struct observer::connection_state {
    int fd = -1;
    std::uint64_t id = 0;
    std::string bytes;        // everything the proxy sent on this connection
    std::size_t answered = 0; // requests answered so far
    std::size_t oddities = 0; // oddities reported so far
    bool closing = false;
};

namespace {

void set_nonblocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

// Writes all of `data`, waiting for room as needed (answers are small; a proxy
// that stops reading for 2 s loses the connection).
bool send_all(int fd, std::string_view data) {
    while (!data.empty()) {
        const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
        if (n > 0) {
            data.remove_prefix(static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            pollfd p{fd, POLLOUT, 0};
            if (::poll(&p, 1, 2000) <= 0)
                return false;
            continue;
        }
        return false;
    }
    return true;
}

// "/r/<i>": the index of a response vector, or -1.
long response_index(std::string_view target) {
    if (!target.starts_with("/r/") || target.size() == 3 || target.size() > 9)
        return -1;
    long i = 0;
    for (char c : target.substr(3)) {
        if (c < '0' || c > '9')
            return -1;
        i = i * 10 + (c - '0');
    }
    return i < static_cast<long>(response_vectors().size()) ? i : -1;
}

} // namespace

observer::observer(std::uint16_t port) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listen_fd_ < 0)
        throw std::runtime_error("observer: socket: " + std::string(std::strerror(errno)));
    const int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::listen(listen_fd_, 128) != 0) {
        const std::string e = std::strerror(errno);
        ::close(listen_fd_);
        throw std::runtime_error("observer: cannot listen on 127.0.0.1:" + std::to_string(port) +
                                 ": " + e);
    }
    socklen_t len = sizeof a;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    set_nonblocking(listen_fd_);
    if (::pipe(wake_) != 0) {
        ::close(listen_fd_);
        throw std::runtime_error("observer: pipe failed");
    }
    thread_ = std::thread([this] { run(); });
}

observer::~observer() {
    stop_ = true;
    const char b = 0;
    [[maybe_unused]] auto n = ::write(wake_[1], &b, 1);
    thread_.join();
    ::close(listen_fd_);
    ::close(wake_[0]);
    ::close(wake_[1]);
}

observer::mark_t observer::mark() const {
    std::lock_guard lock(mutex_);
    return {requests_.size(), oddities_.size(), connections_};
}

std::vector<observed_request> observer::requests_since(mark_t m) const {
    std::lock_guard lock(mutex_);
    return {requests_.begin() + static_cast<std::ptrdiff_t>(m.requests), requests_.end()};
}

std::vector<observed_oddity> observer::oddities_since(mark_t m) const {
    std::lock_guard lock(mutex_);
    return {oddities_.begin() + static_cast<std::ptrdiff_t>(m.oddities), oddities_.end()};
}

std::uint64_t observer::connections() const {
    std::lock_guard lock(mutex_);
    return connections_;
}

void observer::run() {
    std::list<connection_state> conns;
    std::vector<pollfd> fds;
    while (!stop_) {
        fds.clear();
        fds.push_back({wake_[0], POLLIN, 0});
        fds.push_back({listen_fd_, POLLIN, 0});
        for (auto& c : conns)
            fds.push_back({c.fd, POLLIN, 0});
        if (::poll(fds.data(), fds.size(), 1000) < 0 && errno != EINTR)
            break;
        if (fds[1].revents & POLLIN) {
            for (;;) {
                const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
                if (fd < 0)
                    break;
                const int one = 1;
                ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                std::lock_guard lock(mutex_);
                conns.push_back({fd, ++connections_, {}, 0, 0, false});
            }
        }
        std::size_t i = 2;
        for (auto it = conns.begin(); it != conns.end(); ++i) {
            if (i < fds.size() && fds[i].fd == it->fd && (fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                on_readable(*it);
            if (it->closing) {
                ::close(it->fd);
                it = conns.erase(it);
            } else {
                ++it;
            }
        }
    }
    for (auto& c : conns)
        ::close(c.fd);
}

void observer::on_readable(connection_state& c) {
    char buf[16384];
    bool eof = false;
    for (;;) {
        const ssize_t n = ::recv(c.fd, buf, sizeof buf, 0);
        if (n > 0) {
            c.bytes.append(buf, static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        eof = n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK);
        break;
    }
    const auto parsed = parse_requests(c.bytes);
    for (std::size_t k = c.answered; k < parsed.messages.size() && !c.closing; ++k) {
        answer(c, parsed.messages[k]);
        c.answered = k + 1;
    }
    if (parsed.oddities.size() > c.oddities) {
        std::lock_guard lock(mutex_);
        for (std::size_t k = c.oddities; k < parsed.oddities.size(); ++k)
            oddities_.push_back({c.id, parsed.oddities[k], c.bytes});
        c.oddities = parsed.oddities.size();
    }
    // A strict server refuses what it cannot read the one way, and closes.
    if (!parsed.oddities.empty() && !c.closing) {
        send_all(c.fd, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        c.closing = true;
    }
    if (eof)
        c.closing = true;
}

void observer::answer(connection_state& c, const message& m) {
    observed_request r{0, c.id, m.method, m.target, std::string(m.get("host").value_or("")),
                       m.body, m.version};
    {
        std::lock_guard lock(mutex_);
        r.seq = next_seq_++;
        requests_.push_back(r);
    }
    std::string_view path = m.target;
    if (const auto scheme = path.find("://"); scheme != std::string_view::npos) {
        const auto slash = path.find('/', scheme + 3);
        path = slash == std::string_view::npos ? std::string_view("/") : path.substr(slash);
    }
    if (const long v = response_index(path); v >= 0) {
        const auto& vec = response_vectors()[static_cast<std::size_t>(v)];
        send_all(c.fd, vec.bytes);
        if (vec.close_after) {
            ::shutdown(c.fd, SHUT_WR);
            c.closing = true;
        }
        return;
    }
    const std::string body = path == "/probe" ? std::string(probe_body)
                                              : "seq=" + std::to_string(r.seq) + "\n";
    std::string out = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " +
                      std::to_string(body.size()) + "\r\nX-Observer-Seq: " +
                      std::to_string(r.seq) + "\r\n\r\n";
    if (m.method != "HEAD")
        out += body;
    if (!send_all(c.fd, out))
        c.closing = true;
}

} // namespace gw::corpus
