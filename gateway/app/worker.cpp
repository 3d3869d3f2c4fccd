#include "gateway/observe/error_log.hpp"
#include "gateway/app/worker.hpp"
#include "gateway/io/drain_timer.hpp"

#include <chrono>
#include <exception>
#include <iostream>
#include <random>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "gateway/app/server_control.hpp"
#include "gateway/app/snapshot.hpp"
#include "gateway/io/listener.hpp"
#include "gateway/observe/admin.hpp"
#include "gateway/proxy/session.hpp"
#include "gateway/io/use_tuple.hpp"

namespace gw {

namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

void log_escaped(std::exception_ptr e) {
    if (!e)
        return;
    try {
        std::rethrow_exception(e);
    } catch (const std::exception& ex) {
        error_log(config::log_level::error, std::string("session ended by an exception: ") + ex.what());
    }
}

// Admits a client connection under its listener's max_connections (shared by
// all workers). At the limit it waits, unread and holding no buffer, and the
// accept loop with it: later connections wait in the kernel's backlog.
net::awaitable<void> admit_client(worker* w, tcp::acceptor* acceptor, std::size_t slot,
                                  tcp::socket socket, tcp::endpoint peer) {
    const generation& gen = w->current();
    const std::size_t l = gen.listener_of(slot);
    if (l == generation::no_listener)
        co_return; // (the listener was removed: its acceptor is closing)
    const std::size_t limit = gen.config->listeners[l].max_connections;
    auto& open = w->shared().connections[slot];
    for (std::size_t cur = open.load();;) {
        if (limit == 0 || cur < limit) {
            if (open.compare_exchange_weak(cur, cur + 1))
                break;
            continue;
        }
        net::steady_timer pause(acceptor->get_executor(), std::chrono::milliseconds(5));
        co_await pause.async_wait(use_tuple);
        if (!acceptor->is_open())
            co_return; // draining, or the listener removed: the waiting connection is closed
        cur = open.load();
    }
    w->spawn_session(slot, transport(std::move(socket), peer), false);
}

// Writes the worker's buffered access log lines every 100 ms until it drains.
net::awaitable<void> flush_log(worker* w) {
    drain_timer tick(w->io().get_executor(), *w);
    while (co_await tick.sleep(std::chrono::milliseconds(100)))
        w->log().flush();
}

// Closes idle server connections left unused for their backend's
// keepalive_timeout, once a second until the worker drains (which closes the
// rest). A second is fine enough: the timeout is a bound on waste, not a
// deadline anyone waits on.
net::awaitable<void> expire_idle_servers(worker* w) {
    drain_timer tick(w->io().get_executor(), *w);
    while (co_await tick.sleep(std::chrono::seconds(1))) {
        const auto now = std::chrono::steady_clock::now();
        for (auto& b : w->current().backends)
            b->expire_idle(w->index(), now);
    }
}

} // namespace

worker::worker(shared_state& shared, std::size_t index, alloc::pool_shard& shard, int access_log_fd)
    : shared_(shared), index_(index), shard_(shard), start_config_(shared.current()->config),
      parking_(ioc_.get_executor(), *this, start_config_->timeouts),
      counters_(start_config_->listeners.size(), 0), // (backends' counters: in each backend_state)
      log_(start_config_->logging.access_log,
           start_config_->logging.format == config::log_format::json, access_log_fd),
      proxy_{generation_holder(shared.current()),
             {index, nullptr},
             shard,
             pipes_,
             parking_,
             counters_,
             log_,
             *this,
             std::random_device{}() * 0x100000000ull + (std::uint64_t{index} << 56)} {
    proxy_.random_state = (std::uint64_t{std::random_device{}()} << 32) ^ std::random_device{}();
    proxy_.clients = &shared.clients;
}

worker::~worker() {
    if (thread_.joinable())
        thread_.join();
    // Idle server connections live in the shared backends, which outlive the
    // workers: none may be left to close after this worker's io_context is gone
    // (the thread has ended: touching its parts from here is safe).
    clear_idle();
}

void worker::listen(std::size_t slot, listening_socket socket) {
    auto a = std::make_shared<tcp::acceptor>(ioc_);
    socket.assign_to(*a);
    acceptors_.push_back({slot, std::move(a)});
    if (counters_.listeners.size() <= slot)
        counters_.listeners.resize(slot + 1); // (a deque: the others stay where they are)
    if (started_)
        spawn_accept_loop(acceptors_.size() - 1);
}

void worker::spawn_accept_loop(std::size_t i) {
    auto a = acceptors_[i].acceptor;
    const std::size_t slot = acceptors_[i].slot;
    tcp::acceptor& ref = *a;
    net::co_spawn(ioc_, accept_loop(ref, [this, a = std::move(a), slot](tcp::socket s, tcp::endpoint peer) {
                      return admit_client(this, a.get(), slot, std::move(s), peer);
                  }), log_escaped);
}

void worker::close_listener(std::size_t slot) {
    std::erase_if(acceptors_, [slot](const listener_acceptor& e) {
        if (e.slot != slot)
            return false;
        boost::system::error_code ignored;
        e.acceptor->close(ignored); // (its accept loop ends; the object goes with it)
        return true;
    });
    // Like a drain, for this listener's connections only: idle ones close now,
    // busy ones after their exchange (with Connection: close), parked ones now.
    for (auto& s : sessions_)
        if (s.listener_slot() == slot)
            s.on_drain();
    parking_.close_listener(slot);
}

tcp::endpoint worker::listen_admin(const tcp::endpoint& ep, std::vector<worker*> peers) {
    auto a = std::make_unique<tcp::acceptor>(ioc_);
    a->open(ep.protocol());
    a->set_option(tcp::acceptor::reuse_address(true));
    if (ep.address().is_v6())
        a->set_option(net::ip::v6_only(false));
    a->bind(ep);
    a->listen();
    const auto bound = a->local_endpoint();
    admin_acceptor_ = std::move(a);
    peers_ = std::move(peers);
    admin_ = std::make_unique<admin_context>(admin_context{
        *start_config_, shard_, counters_, admin_sessions_, shared_.draining,
        [this] { return collect_snapshot(shared_, peers_); }, admin_token(start_config_->admin),
        [this](const server_change& c) { return change_server(shared_, peers_, c); },
        nullptr}); // (reload: set by the gateway when it knows its file)
    shared_.admin_worker = this;
    return bound;
}

// Asio keeps one small state per registered descriptor, recycled through a free
// list and never freed. Allocated one by one as connections arrive, they end up
// scattered between session memory and pin its pages once those sessions end
// (idle connections park): 0.55 KiB per parked connection instead of 0.23 in
// the 5,000-connection measurement. Registering them in batches (one at start,
// another whenever live sessions come near the count) keeps them side by side;
// nginx preallocates its connection array for the same reason.
void worker::reserve_reactor_states() {
    constexpr std::size_t batch_size = 512;
    std::vector<tcp::socket> batch;
    batch.reserve(batch_size);
    for (std::size_t i = 0; i < batch_size; ++i) {
        boost::system::error_code ec;
        batch.emplace_back(ioc_);
        batch.back().open(tcp::v4(), ec);
        if (ec)
            break; // out of descriptors: fewer will do
    }
    reactor_states_ += batch_size; // counted even if short, so a full table is not retried per session
}

void worker::start() {
    reserve_reactor_states();
    started_ = true;
    for (std::size_t i = 0; i < acceptors_.size(); ++i)
        spawn_accept_loop(i);
    if (admin_acceptor_)
        net::co_spawn(ioc_, run_admin(*admin_, *admin_acceptor_), log_escaped);
    if (log_.enabled())
        net::co_spawn(ioc_, flush_log(this), log_escaped);
    net::co_spawn(ioc_, expire_idle_servers(this), log_escaped);
    thread_ = std::thread([this] { ioc_.run(); });
}

void worker::spawn_session(std::size_t listener, transport client, bool resumed, parked_client who) {
    net::co_spawn(ioc_, run_session(proxy_, listener, std::move(client), resumed, who), log_escaped);
}

void worker::connection_closed(std::size_t l) {
    shared_.connections[l].fetch_sub(1);
    session_gone();
}

void worker::join() {
    if (thread_.joinable())
        thread_.join();
    log_.flush(); // lines of the last exchanges of a drain
}

void worker::drain() {
    net::post(ioc_, [this] { begin_drain(); });
}

void worker::abort() {
    net::post(ioc_, [this] {
        begin_drain();
        close_all();
    });
}

void worker::begin_drain() {
    listeners_.drain_all(); // (draining() is true from here)
    for (auto& a : acceptors_) {
        boost::system::error_code ignored;
        a.acceptor->close(ignored);
    }
    for_each_unlinking(sessions_, [](session_link& s) { s.on_drain(); });
    parking_.close_all();
    clear_idle();
    session_gone(); // nothing open at all: the admin listener can go at once
}

void worker::adopt(generation_ptr g, const std::vector<std::shared_ptr<backend_state>>& left,
                   std::vector<std::pair<std::size_t, listening_socket>> added) {
    parking_.set_park_after(g->config->timeouts.client_park);
    const generation& was = current();
    for (std::size_t slot = 0; slot < was.listener_at.size(); ++slot)
        if (was.listener_at[slot] != generation::no_listener && g->listener_of(slot) == generation::no_listener)
            close_listener(slot);
    if (!draining())
        for (auto& [slot, socket] : added)
            listen(slot, std::move(socket));
    for (const auto& b : g->backends)
        b->adopt(index_);
    for (const auto& b : left)
        b->adopt(index_); // (its servers were retired: their idle connections close)
    proxy_.generations.adopt(std::move(g));
}

void worker::clear_idle() noexcept {
    for (auto& b : current().backends)
        b->clear_idle(index_);
}

void worker::add(drain_listener& l) noexcept { listeners_.add(l); }
void worker::remove(drain_listener& l) noexcept { listeners_.remove(l); }

void worker::session_gone() {
    if (!shared_.draining.load() || shared_.open_connections() != 0)
        return;
    if (worker* a = shared_.admin_worker)
        net::post(a->io(), [a] { a->close_admin(); });
}

void worker::close_admin() {
    if (admin_acceptor_) {
        boost::system::error_code ignored;
        admin_acceptor_->close(ignored);
    }
    admin_sessions_.drain_all();
}

void worker::close_all() {
    for_each_unlinking(sessions_, [](session_link& s) { s.on_abort(); });
    clear_idle();
    close_admin();
}

void worker::add(session_link& s) noexcept {
    sessions_.push_front(s);
    // A session registers its client socket and usually a server socket.
    if (2 * sessions_.size() + 64 > reactor_states_)
        reserve_reactor_states();
}

void worker::remove(session_link& s) noexcept {
    sessions_.erase(sessions_.iterator_to(s));
    // A drained worker whose last session ends may drop its idle server connections.
    if (draining() && sessions_.empty())
        clear_idle();
}

} // namespace gw
