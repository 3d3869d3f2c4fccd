#include "gateway/io/parking.hpp"

#include <openssl/ssl.h>

#include <cerrno>
#include <system_error>

#include <malloc.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>


namespace gw {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;

namespace {
// Enough sessions ended for their freed frames to be worth a malloc_trim; it
// runs a little later, once those sessions' coroutines have unwound.
constexpr std::size_t trim_batch = 64;
constexpr auto trim_delay = std::chrono::milliseconds(50);
constexpr int epoll_batch = 64;

int make_epoll() {
    const int fd = ::epoll_create1(EPOLL_CLOEXEC);
    if (fd < 0)
        throw std::system_error(errno, std::generic_category(),
                                "cannot create the epoll instance for idle connections");
    return fd;
}

// Closes a connection that leaves the lot (or never gets into it): its
// descriptor, and a TLS connection's OpenSSL state (no close_notify: it timed
// out, the peer left, or the worker stops).
void discard(int fd, ssl_st* tls) noexcept {
    if (fd >= 0)
        ::close(fd); // (also leaves the private epoll)
    if (tls != nullptr)
        SSL_free(tls);
}

} // namespace

parking_lot::parking_lot(const net::any_io_executor& ex, parking_host& host,
                         const config::timeouts_config& t)
    : ex_(ex), host_(host), park_after_(t.client_park), timer_(ex), epoll_(ex, make_epoll()) {}

parking_lot::~parking_lot() {
    for (const auto& l : waiting_)
        for (std::uint32_t i = l.head; i != none; i = slots_[i].next)
            discard(slots_[i].fd, slots_[i].tls);
}

void parking_lot::idle_begin(parkable& s, clock_type::time_point now) {
    s.idle_since_ = now;
    idle_.push_back(s);
    if (&idle_.front() == &s)
        schedule(now + park_after_); // later ones are due no earlier than this one
}

void parking_lot::idle_end(parkable& s) noexcept {
    if (s.is_linked())
        idle_.erase(idle_.iterator_to(s));
}

void parking_lot::park(transport conn, std::size_t listener, bool first,
                       clock_type::time_point deadline, parked_client who) {
    ssl_st* tls = conn.release_tls();
    tcp::socket& client = conn.socket();
    error_code ec;
    const bool v6 = client.local_endpoint(ec).protocol() == tcp::v6();
    // A TLS connection holding decrypted bytes is not idle (it never is when
    // its read was cancelled; the check costs nothing).
    const bool buffers_freed = tls == nullptr || SSL_free_buffers(tls) == 1;
    // Out of Asio (one epoll_ctl) and into the private epoll (another): a
    // connection parks at most once per client_park of idleness.
    const int fd = ec || stopped_ || !buffers_freed ? -1 : client.release(ec);
    if (fd < 0 || ec) {
        discard(fd, tls);
        host_.parked_closed(listener, who);
        return;
    }
    std::uint32_t i = free_head_;
    if (i != none) {
        free_head_ = slots_[i].next;
    } else {
        i = static_cast<std::uint32_t>(slots_.size());
        slots_.emplace_back();
    }
    slot& s = slots_[i];
    s.fd = fd;
    s.tls = tls;
    s.deadline = deadline;
    s.listener = static_cast<std::uint16_t>(listener);
    s.ticket = who.ticket;
    s.port = who.port;
    s.list = first ? 0 : 1;
    s.v6 = v6;
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP;
    ev.data.u64 = (std::uint64_t{s.generation} << 32) | i;
    if (::epoll_ctl(epoll_.native_handle(), EPOLL_CTL_ADD, fd, &ev) != 0) {
        s.fd = -1;
        s.tls = nullptr;
        s.next = free_head_;
        free_head_ = i;
        discard(fd, tls);
        host_.parked_closed(listener, who);
        return;
    }
    insert_sorted(waiting_[s.list], i);
    ++parked_count_;
    watch_epoll();
    schedule(deadline);
    if (++parked_since_trim_ >= trim_batch && trim_at_ == clock_type::time_point::max()) {
        trim_at_ = clock_type::now() + trim_delay;
        schedule(trim_at_);
    }
}

// Sorted by deadline; with one timeout per list that is (almost) always the tail.
void parking_lot::insert_sorted(slot_list& l, std::uint32_t i) noexcept {
    slot& s = slots_[i];
    std::uint32_t after = l.tail;
    while (after != none && s.deadline < slots_[after].deadline)
        after = slots_[after].prev;
    s.prev = after;
    s.next = after != none ? slots_[after].next : l.head;
    (s.next != none ? slots_[s.next].prev : l.tail) = i;
    (after != none ? slots_[after].next : l.head) = i;
}

void parking_lot::unlink(std::uint32_t i) noexcept {
    slot& s = slots_[i];
    slot_list& l = waiting_[s.list];
    (s.prev != none ? slots_[s.prev].next : l.head) = s.next;
    (s.next != none ? slots_[s.next].prev : l.tail) = s.prev;
    s.prev = s.next = none;
}

void parking_lot::release_slot(std::uint32_t i) noexcept {
    unlink(i);
    --parked_count_;
    slot& s = slots_[i];
    s.fd = -1;
    s.tls = nullptr;
    ++s.generation;
    s.next = free_head_;
    free_head_ = i;
}

void parking_lot::close_slot(std::uint32_t i) noexcept {
    const int fd = slots_[i].fd;
    ssl_st* tls = slots_[i].tls;
    const std::size_t listener = slots_[i].listener;
    const parked_client who{slots_[i].ticket, slots_[i].port};
    release_slot(i);
    discard(fd, tls);
    host_.parked_closed(listener, who);
}

void parking_lot::watch_epoll() {
    if (epoll_watched_ || stopped_ || parked_count_ == 0)
        return;
    epoll_watched_ = true;
    epoll_.async_wait(net::posix::stream_descriptor::wait_read, [this](const error_code& ec) {
        epoll_watched_ = false;
        if (!ec && !stopped_)
            on_epoll_ready();
    });
}

void parking_lot::on_epoll_ready() {
    epoll_event events[epoll_batch];
    for (;;) {
        const int n = ::epoll_wait(epoll_.native_handle(), events, epoll_batch, 0);
        for (int k = 0; k < n; ++k) {
            const auto i = static_cast<std::uint32_t>(events[k].data.u64);
            const auto generation = static_cast<std::uint16_t>(events[k].data.u64 >> 32);
            if (i >= slots_.size() || slots_[i].fd < 0 || slots_[i].generation != generation)
                continue; // its slot was closed (or reused) earlier in this batch
            if ((events[k].events & EPOLLIN) && !(events[k].events & EPOLLRDHUP && closed_only(i)))
                resume(i); // a request
            else
                close_slot(i); // the client closed, or an error: no session needed
        }
        if (n < epoll_batch)
            break;
    }
    watch_epoll();
}

// The client closed its side: is there a last request before the end of stream?
bool parking_lot::closed_only(std::uint32_t i) const noexcept {
    char byte;
    return ::recv(slots_[i].fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT) <= 0;
}

void parking_lot::resume(std::uint32_t i) {
    const int fd = slots_[i].fd;
    ssl_st* tls = slots_[i].tls;
    const bool v6 = slots_[i].v6;
    const std::size_t listener = slots_[i].listener;
    const parked_client who{slots_[i].ticket, slots_[i].port};
    ::epoll_ctl(epoll_.native_handle(), EPOLL_CTL_DEL, fd, nullptr);
    release_slot(i);
    tcp::socket client(ex_);
    error_code ec;
    client.assign(v6 ? tcp::v6() : tcp::v4(), fd, ec);
    if (ec) {
        discard(fd, tls);
        host_.parked_closed(listener, who);
        return;
    }
    transport conn(std::move(client));
    if (tls != nullptr)
        conn.start_tls(tls);
    host_.resume_parked(listener, std::move(conn), who);
}

void parking_lot::close_all() noexcept {
    stopped_ = true;
    timer_waiting_ = false;
    ++timer_generation_;
    timer_.cancel();
    error_code ignored;
    epoll_.cancel(ignored);
    for (const auto& l : waiting_)
        while (l.head != none)
            close_slot(l.head);
}

void parking_lot::close_listener(std::size_t listener) noexcept {
    for (const auto& l : waiting_)
        for (std::uint32_t i = l.head; i != none;) {
            const std::uint32_t next = slots_[i].next;
            if (slots_[i].listener == listener)
                close_slot(i);
            i = next;
        }
}

parking_lot::clock_type::time_point parking_lot::next_wake() const noexcept {
    auto next = trim_at_;
    if (!idle_.empty())
        next = std::min(next, idle_.front().idle_since_ + park_after_);
    for (const auto& l : waiting_)
        if (l.head != none)
            next = std::min(next, slots_[l.head].deadline);
    return next;
}

void parking_lot::schedule(clock_type::time_point next) {
    if (stopped_ || next == clock_type::time_point::max())
        return;
    if (timer_waiting_ && next >= wake_at_)
        return; // the timer wakes earlier anyway and re-schedules then
    wake_at_ = next;
    timer_waiting_ = true;
    timer_.expires_at(next); // cancels an earlier wait: its handler sees an old generation
    timer_.async_wait([this, gen = ++timer_generation_](const error_code&) {
        if (gen == timer_generation_)
            on_timer();
    });
}

void parking_lot::on_timer() {
    timer_waiting_ = false;
    const auto now = clock_type::now();
    while (!idle_.empty() && idle_.front().idle_since_ + park_after_ <= now) {
        parkable& s = idle_.front();
        idle_end(s);
        s.on_park(); // it ends and comes back through park()
    }
    for (auto& l : waiting_)
        while (l.head != none && slots_[l.head].deadline <= now)
            close_slot(l.head);
    if (trim_at_ <= now) {
        trim_at_ = clock_type::time_point::max();
        parked_since_trim_ = 0;
        ::malloc_trim(0);
    }
    schedule(next_wake());
}

} // namespace gw
