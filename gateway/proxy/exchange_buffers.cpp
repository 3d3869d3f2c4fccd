// The exchange's buffers (HAProxy's rule, from the seed): a buffer is held
// only while it holds bytes. The request's is compacted for the next head and
// kept for a retry; the response's is taken once the server has something to
// say; a relay gives its buffer back while it waits with nothing in it, and
// before it splices (lease_holder, relay/held_buffer).
#include "gateway/proxy/client_session.hpp"

#include <cstring>
#include <tuple>

#include <boost/asio/error.hpp>

#include "gateway/relay/head_reader.hpp"

namespace gw {

namespace net = boost::asio;
using error_code = boost::system::error_code;

void session::compact_request_buffer() {
    char* base = reinterpret_cast<char*>(req_lease_.data());
    const auto d = rbuf_.data();
    const std::size_t n = d.size();
    if (n != 0 && static_cast<const char*>(d.data()) != base)
        std::memmove(base, d.data(), n);
    rbuf_.reset(base, head_area_);
    rbuf_.prepare(n);
    rbuf_.commit(n);
}

leg session::make_leg(transport& from, pool_buffer& in, transport& to, lease_holder& held,
                      config::duration read_timeout, deadline_kind read_kind,
                      std::uint64_t* bytes_in, std::uint64_t* bytes_out) {
    return leg{&from, &to, &in, &held, head_area_, body_area_, &dl_, read_timeout, read_kind,
               cfg_->timeouts.send, bytes_in, bytes_out,
               cfg_->buffers.splice ? &ctx_.pipes : nullptr, &ctx_.counters.spliced_bytes};
}

// A relay waiting for bytes with an empty buffer gives it back; its dynamic
// buffer must not point at memory the pool may hand to someone else.
void session::lease_holder::give_back() noexcept {
    lease().reset();
    in().reset(nullptr, 0);
}

// Taken again as critical, in both directions: an exchange under way (a body
// being sent to a server it holds a slot on, a response, a tunnel) frees what
// others wait for when it ends, so it must not queue behind new requests,
// which hold normal buffers while they wait for that very slot.
net::awaitable<bool> session::lease_holder::take() {
    // (No co_await in the condition: g++ 12 laid this frame out wrongly then.)
    alloc::buffer_lease& held = lease();
    bool got = s_.have_buffer(alloc::buffer_class::critical, held);
    if (!got)
        got = co_await s_.acquire(alloc::buffer_class::critical, held);
    if (got)
        in().reset(held.data(), s_.head_area_);
    co_return got;
}

void session::lease_holder::cancel_take() noexcept {
    s_.cancel_.emit(net::cancellation_type::terminal);
}

// The body (and what followed it) back where it was, unread: the bytes are
// still there, since nothing reads into the request buffer meanwhile.
void session::restore_request_buffer() {
    rbuf_.reset(req_lease_.data(), head_area_);
    rbuf_.prepare(replay_offset_ + replay_size_);
    rbuf_.commit(replay_offset_ + replay_size_);
    rbuf_.consume(replay_offset_);
}

net::awaitable<std::tuple<error_code, std::size_t>> session::read_response_bytes() {
    no_response_buffer_ = false;
    // A busy server has often answered already: one read without waiting,
    // into a buffer free at once, costs no more than reading always did.
    // Nothing there yet: the buffer goes back while the server thinks, as
    // in every relay (read_when_ready, through res_held_).
    if (!res_lease_ && have_buffer(alloc::buffer_class::critical, res_lease_))
        sbuf_.reset(res_lease_.data(), head_area_);
    if (sbuf_.size() == 0) {
        auto [ec, k] = co_await read_when_ready(server_, res_held_, head_area_);
        if (ec) {
            no_response_buffer_ = ec == net::error::no_buffer_space;
            co_return std::tuple<error_code, std::size_t>{ec, 0};
        }
        sbuf_.prepare(k); // (empty: at the buffer's start, where the bytes are)
        sbuf_.commit(k);
    }
    co_return co_await read_head(server_, sbuf_, *res_);
}

} // namespace gw
