#include "gateway/io/dns_resolver.hpp"

#include <algorithm>
#include <cstring>
#include <mutex>
#include <stdexcept>

#include <ares.h>
#include <arpa/nameser.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace gw {

namespace net = boost::asio;
using error_code = boost::system::error_code;
using tcp = net::ip::tcp;

namespace {

class dns_error_category final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "dns"; }
    std::string message(int ev) const override { return ares_strerror(ev); }
};

error_code dns_error(int status) {
    return status == ARES_SUCCESS ? error_code{} : error_code(status, dns_category());
}

void init_library() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS)
            throw std::runtime_error("cannot start c-ares");
    });
}

// One query in flight: the coroutine's completion handler, until c-ares answers.
template <class Handler, class Result>
struct pending {
    Handler handler;
    dns_resolver::executor_type ex;
    void complete(error_code ec, Result r) {
        // Posted, never run inside c-ares' own call (the coroutine resumes on its loop).
        net::post(ex, [h = std::move(handler), ec, r = std::move(r)]() mutable { std::move(h)(ec, std::move(r)); });
        delete this;
    }
};

template <class P>
void on_addrinfo(void* arg, int status, int /*timeouts*/, ares_addrinfo* res) {
    auto* p = static_cast<P*>(arg);
    dns_answer out;
    if (status == ARES_SUCCESS && res != nullptr) {
        int ttl = -1;
        for (const ares_addrinfo_node* n = res->nodes; n != nullptr; n = n->ai_next) {
            tcp::endpoint ep;
            if (n->ai_family == AF_INET && n->ai_addrlen >= sizeof(sockaddr_in)) {
                std::memcpy(ep.data(), n->ai_addr, sizeof(sockaddr_in));
            } else if (n->ai_family == AF_INET6 && n->ai_addrlen >= sizeof(sockaddr_in6)) {
                std::memcpy(ep.data(), n->ai_addr, sizeof(sockaddr_in6));
            } else {
                continue;
            }
            if (std::find(out.endpoints.begin(), out.endpoints.end(), ep) == out.endpoints.end())
                out.endpoints.push_back(ep);
            ttl = ttl < 0 ? n->ai_ttl : std::min(ttl, n->ai_ttl);
        }
        out.ttl = std::chrono::seconds(std::max(ttl, 0));
        if (out.endpoints.empty())
            status = ARES_ENODATA;
    }
    if (res != nullptr)
        ares_freeaddrinfo(res);
    p->complete(dns_error(status), std::move(out));
}

} // namespace

const boost::system::error_category& dns_category() noexcept {
    static const dns_error_category c;
    return c;
}

struct dns_resolver::watch {
    watch(const executor_type& ex, int fd) : descriptor(ex, fd) {}
    net::posix::stream_descriptor descriptor; // c-ares' socket: released, never closed, by us
    bool want_read = false, want_write = false;
    bool reading = false, writing = false;
    bool gone = false;
};

dns_resolver::dns_resolver(executor_type ex, const dns_options& o)
    : ex_(std::move(ex)), timer_(ex_), alive_(std::make_shared<bool>(true)) {
    init_library();
    ares_options opts{};
    opts.timeout = static_cast<int>(o.timeout.count());
    opts.tries = static_cast<int>(o.tries);
    opts.sock_state_cb = [](void* self, ares_socket_t fd, int r, int w) { on_socket_state(self, fd, r, w); };
    opts.sock_state_cb_data = this;
    if (ares_init_options(&channel_, &opts, ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_SOCK_STATE_CB) !=
        ARES_SUCCESS)
        throw std::runtime_error("cannot start c-ares (DNS resolver)");
    if (!o.nameservers.empty()) {
        std::string csv;
        for (const auto& s : o.nameservers)
            csv += (csv.empty() ? "" : ",") + s;
        if (const int st = ares_set_servers_ports_csv(channel_, csv.c_str()); st != ARES_SUCCESS) {
            ares_destroy(channel_);
            throw std::runtime_error("DNS name servers \"" + csv + "\": " + ares_strerror(st));
        }
    }
}

dns_resolver::~dns_resolver() {
    *alive_ = false;
    ares_destroy(channel_); // queries still running complete with ARES_EDESTRUCTION
    for (auto& [fd, w] : watches_) {
        w->gone = true;
        w->descriptor.release();
    }
    timer_.cancel();
}

void dns_resolver::cancel() {
    ares_cancel(channel_); // each query's callback runs now, with ARES_ECANCELLED
    paused_ = true;        // c-ares' sockets stay open, unwatched until the next query
    for (auto& [fd, w] : watches_)
        w->descriptor.cancel();
    timer_.cancel();
}

void dns_resolver::on_socket_state(void* data, int fd, int readable, int writable) {
    auto* self = static_cast<dns_resolver*>(data);
    auto it = self->watches_.find(fd);
    if (readable == 0 && writable == 0) {
        if (it != self->watches_.end()) {
            // (Before c-ares closes it: out of the reactor first.)
            it->second->gone = true;
            it->second->descriptor.release();
            self->watches_.erase(it);
        }
        return;
    }
    if (it == self->watches_.end())
        it = self->watches_.emplace(fd, std::make_shared<watch>(self->ex_, fd)).first;
    const auto w = it->second;
    w->want_read = readable != 0;
    w->want_write = writable != 0;
    if (self->paused_)
        return;
    if (w->want_read && !w->reading)
        self->wait(w, false);
    if (w->want_write && !w->writing)
        self->wait(w, true);
}

void dns_resolver::wait(const std::shared_ptr<watch>& w, bool for_write) {
    (for_write ? w->writing : w->reading) = true;
    w->descriptor.async_wait(for_write ? net::posix::descriptor_base::wait_write
                                       : net::posix::descriptor_base::wait_read,
                             [this, w, for_write, alive = alive_](const error_code& ec) {
                                 (for_write ? w->writing : w->reading) = false;
                                 if (!*alive || w->gone)
                                     return;
                                 if (ec && ec != net::error::operation_aborted)
                                     return;
                                 if (!ec) {
                                     const int fd = w->descriptor.native_handle();
                                     ares_process_fd(channel_, for_write ? ARES_SOCKET_BAD : fd,
                                                     for_write ? fd : ARES_SOCKET_BAD);
                                 }
                                 // (Aborted by cancel(): watched again when a query starts.)
                                 if (!paused_ && !w->gone && (for_write ? w->want_write : w->want_read) &&
                                     !(for_write ? w->writing : w->reading))
                                     wait(w, for_write);
                                 if (!ec)
                                     arm_timer();
                             });
}

void dns_resolver::resume() {
    if (!paused_)
        return;
    paused_ = false;
    for (auto& [fd, w] : watches_) {
        if (w->want_read && !w->reading)
            wait(w, false);
        if (w->want_write && !w->writing)
            wait(w, true);
    }
}

void dns_resolver::arm_timer() {
    timeval buf{};
    const timeval* tv = ares_timeout(channel_, nullptr, &buf);
    if (tv == nullptr) { // nothing running
        timer_.cancel();
        return;
    }
    timer_.expires_after(std::chrono::seconds(tv->tv_sec) + std::chrono::microseconds(tv->tv_usec));
    timer_.async_wait([this, alive = alive_](const error_code& ec) {
        if (ec || !*alive)
            return;
        ares_process_fd(channel_, ARES_SOCKET_BAD, ARES_SOCKET_BAD); // timeouts, retries
        arm_timer();
    });
}

net::awaitable<std::tuple<error_code, dns_answer>> dns_resolver::resolve(const std::string& host,
                                                                         std::uint16_t port) {
    const std::string service = std::to_string(port);
    auto token = net::as_tuple(net::use_awaitable);
    auto [ec, answer] = co_await net::async_initiate<decltype(token), void(error_code, dns_answer)>(
        [this, &host, &service](auto handler) {
            using P = pending<decltype(handler), dns_answer>;
            auto* p = new P{std::move(handler), ex_};
            ares_addrinfo_hints hints{};
            hints.ai_family = AF_UNSPEC;
            hints.ai_flags = ARES_AI_NUMERICSERV;
            resume();
            ares_getaddrinfo(channel_, host.c_str(), service.c_str(), &hints, &on_addrinfo<P>, p);
            arm_timer();
        },
        token);
    co_return std::tuple{ec, std::move(answer)};
}

net::awaitable<std::tuple<error_code, std::vector<dns_resolver::srv_target>>>
dns_resolver::query_srv(const std::string& name) {
    using targets = std::vector<srv_target>;
    auto token = net::as_tuple(net::use_awaitable);
    auto [ec, out] = co_await net::async_initiate<decltype(token), void(error_code, targets)>(
        [this, &name](auto handler) {
            using P = pending<decltype(handler), targets>;
            auto* p = new P{std::move(handler), ex_};
            resume();
            ares_query(
                channel_, name.c_str(), ns_c_in, ns_t_srv,
                [](void* arg, int status, int, unsigned char* abuf, int alen) {
                    targets found;
                    if (status == ARES_SUCCESS) {
                        ares_srv_reply* srv = nullptr;
                        status = ares_parse_srv_reply(abuf, alen, &srv);
                        for (auto* r = srv; status == ARES_SUCCESS && r != nullptr; r = r->next)
                            found.push_back({r->host, r->port, r->priority, r->weight});
                        if (srv != nullptr)
                            ares_free_data(srv);
                    }
                    static_cast<P*>(arg)->complete(dns_error(status), std::move(found));
                },
                p);
            arm_timer();
        },
        token);
    // RFC 2782: lower priority first; among equals, the heavier first.
    std::stable_sort(out.begin(), out.end(), [](const srv_target& a, const srv_target& b) {
        return a.priority != b.priority ? a.priority < b.priority : a.weight > b.weight;
    });
    co_return std::tuple{ec, std::move(out)};
}

net::awaitable<std::tuple<error_code, dns_answer>> dns_resolver::resolve_srv(const std::string& name) {
    auto [ec, targets] = co_await query_srv(name);
    dns_answer out;
    if (ec)
        co_return std::tuple{ec, out};
    bool ttl_set = false;
    error_code last;
    for (const auto& t : targets) {
        auto [aec, a] = co_await resolve(t.host, t.port);
        if (aec) {
            last = aec;
            continue;
        }
        for (const auto& ep : a.endpoints)
            if (std::find(out.endpoints.begin(), out.endpoints.end(), ep) == out.endpoints.end()) {
                out.endpoints.push_back(ep);
                out.hosts.push_back(t.host);
            }
        out.ttl = ttl_set ? std::min(out.ttl, a.ttl) : a.ttl;
        ttl_set = true;
    }
    if (out.endpoints.empty())
        co_return std::tuple{last ? last : dns_error(ARES_ENODATA), out};
    co_return std::tuple{error_code{}, out};
}

} // namespace gw
