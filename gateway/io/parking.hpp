#pragma once
// A worker's parking lot for idle client connections.
//
// A session waiting idle costs ~7 KiB (its object, its coroutine frames, its
// watchdog), and even a bare Asio socket with a pending wait ~0.4 KiB (measured). Sessions
// idle for timeouts.client_park end and leave only their file descriptor here:
// a 40-byte slot in a per-worker array, watched by a private epoll instance
// (whose one descriptor Asio watches). When a parked descriptor becomes readable
// a new session takes it over; when its idle time runs out (client_head before a
// first request, client_idle after one) or the worker drains, it is closed.
// Nginx likewise keeps nothing but its connection structure for an idle
// keep-alive connection; the grace period keeps busy keep-alive connections
// from paying for a new session on every request.
//
// Worker thread only. Idle sessions form a FIFO (idle_since order), parked
// descriptors two lists sorted by deadline (one per timeout), so one timer
// serves them all: it sleeps until the earliest of their deadlines.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/intrusive/list.hpp>

#include "config/config.hpp"
#include "gateway/io/transport.hpp"

namespace gw {

// A connection that waits idle and may be parked: what the parking lot needs
// of a session. It links itself while idle (a Boost.Intrusive FIFO, O(1); the
// tag keeps this hook apart from others the session has).
struct parkable_idle_tag;
class parkable
    : public boost::intrusive::list_base_hook<boost::intrusive::tag<parkable_idle_tag>> {
public:
    // Idle for timeouts.client_park: end, and hand the socket to park().
    virtual void on_park() noexcept = 0;

protected:
    ~parkable() = default;

private:
    friend class parking_lot;
    std::chrono::steady_clock::time_point idle_since_;
};

// What a session parks with besides its socket, handed back when the
// connection resumes or closes: its ticket in the per-client table and the
// client's port (with the PROXY protocol, the socket's peer is the balancer).
struct parked_client {
    std::uint32_t ticket = UINT32_MAX; // none
    std::uint16_t port = 0;
};

// What the parking lot needs of its worker.
class parking_host {
public:
    // A parked connection became readable: a new session takes it over (a TLS
    // connection comes back with its OpenSSL state).
    virtual void resume_parked(std::size_t listener, transport client, parked_client who) = 0;
    // A parked connection was closed (it leaves its listener's count, and its
    // client's).
    virtual void parked_closed(std::size_t listener, parked_client who) noexcept = 0;

protected:
    ~parking_host() = default;
};

class parking_lot {
public:
    using clock_type = std::chrono::steady_clock;

    // Throws std::system_error when the epoll instance cannot be created (start-up).
    parking_lot(const boost::asio::any_io_executor& ex, parking_host& host,
                const config::timeouts_config& t);
    ~parking_lot();
    parking_lot(const parking_lot&) = delete;
    parking_lot& operator=(const parking_lot&) = delete;

    // A session starts / stops waiting idle (O(1), on every request).
    void idle_begin(parkable& s, clock_type::time_point now);
    void idle_end(parkable& s) noexcept;

    // Takes over the connection of a session that ended idle. `first`: it has
    // not sent a request yet; `deadline`: when its idle time runs out. A TLS
    // connection keeps its OpenSSL state with its record buffers freed
    // (SSL_free_buffers: about 33 KiB less while it waits, as nginx does for
    // an idle keep-alive connection).
    // `who` goes back to the host when the connection resumes or closes.
    void park(transport client, std::size_t listener, bool first, clock_type::time_point deadline,
              parked_client who);

    // Drain or abort: closes every parked connection and stops watching.
    void close_all() noexcept;
    // A listener was removed (a reload): closes its parked connections.
    void close_listener(std::size_t listener) noexcept;

    std::size_t parked() const noexcept { return parked_count_; }
    // A reload changed timeouts.client_park (for sessions idle from now on).
    void set_park_after(clock_type::duration d) noexcept { park_after_ = d; }

private:
    static constexpr std::uint32_t none = UINT32_MAX;
    struct slot {
        clock_type::time_point deadline;
        ssl_st* tls = nullptr; // owned: a TLS connection's state
        int fd = -1;
        std::uint32_t ticket = 0;  // parked_client's
        std::uint16_t port = 0;    // parked_client's
        std::uint16_t listener = 0; // (slots are fewer than 1,024)
        std::uint32_t prev = none; // in its deadline list, or the free list (next only)
        std::uint32_t next = none;
        std::uint16_t generation = 0; // tells a stale epoll event from the slot's new tenant
        std::uint8_t list = 0;        // index into waiting_
        bool v6 = false;
    };
    struct slot_list {
        std::uint32_t head = none;
        std::uint32_t tail = none;
    };

    void insert_sorted(slot_list& l, std::uint32_t i) noexcept;
    void unlink(std::uint32_t i) noexcept;
    void release_slot(std::uint32_t i) noexcept; // unlinks, closes nothing
    void close_slot(std::uint32_t i) noexcept;   // closes the connection
    void watch_epoll();
    void on_epoll_ready();
    bool closed_only(std::uint32_t i) const noexcept;
    void resume(std::uint32_t i);
    void on_timer();
    void schedule(clock_type::time_point next);
    clock_type::time_point next_wake() const noexcept;

    boost::asio::any_io_executor ex_;
    parking_host& host_;
    clock_type::duration park_after_;
    boost::asio::steady_timer timer_;
    clock_type::time_point wake_at_ = clock_type::time_point::max();
    bool timer_waiting_ = false;
    std::uint64_t timer_generation_ = 0;
    bool stopped_ = false;

    boost::intrusive::list<parkable,
                           boost::intrusive::base_hook<boost::intrusive::list_base_hook<
                               boost::intrusive::tag<parkable_idle_tag>>>,
                           boost::intrusive::constant_time_size<false>>
        idle_; // oldest first

    boost::asio::posix::stream_descriptor epoll_; // the private epoll instance
    bool epoll_watched_ = false;
    std::vector<slot> slots_;
    std::uint32_t free_head_ = none;
    slot_list waiting_[2]; // [0] before a first request, [1] between requests
    std::size_t parked_count_ = 0;

    // Sessions that ended leave freed memory inside the heap; once a batch of
    // them parked, malloc_trim gives the whole pages back.
    std::size_t parked_since_trim_ = 0;
    clock_type::time_point trim_at_ = clock_type::time_point::max();
};

} // namespace gw
