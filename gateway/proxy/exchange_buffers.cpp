// The exchange's buffers (HAProxy's rule, from the seed): a buffer is held
// only while it holds bytes. The request's is compacted for the next head and
// kept for a retry; the response's is taken once the server has something to
// say; a relay that splices gives its buffer back (make_leg's give_back).
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

leg session::make_leg(transport& from, pool_buffer& in, transport& to, alloc::buffer_lease& lease,
                      config::duration read_timeout, deadline_kind read_kind,
                      std::uint64_t* bytes_in, std::uint64_t* bytes_out) {
    // A relay that splices gives the lease back (the buffer is empty then);
    // the session takes another when it next needs one.
    return leg{&from, &to, &in, reinterpret_cast<char*>(lease.data()), head_area_, body_area_,
               &dl_, read_timeout, read_kind, cfg_->timeouts.send, bytes_in, bytes_out,
               cfg_->buffers.splice ? &ctx_.pipes : nullptr, &ctx_.counters.spliced_bytes,
               [](void* held) noexcept { static_cast<alloc::buffer_lease*>(held)->reset(); }, &lease};
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
    if (!res_lease_ && have_buffer(alloc::buffer_class::critical, res_lease_)) {
        // A busy server has often answered already: one read without waiting,
        // into a buffer free at once, costs no more than reading always did.
        // Nothing there yet: the buffer goes back while the server thinks.
        sbuf_.reset(res_lease_.data(), head_area_);
        error_code ec;
        const std::size_t k = server_.read_ready(sbuf_.prepare(head_area_).data(), head_area_, ec);
        if (ec)
            co_return std::tuple<error_code, std::size_t>{ec, 0};
        if (k != 0) {
            sbuf_.commit(k);
        } else {
            res_lease_.reset();
            sbuf_.reset(nullptr, 0);
        }
    }
    if (!res_lease_) {
        const auto wec = co_await server_.wait_readable();
        if (wec)
            co_return std::tuple<error_code, std::size_t>{wec, 0};
        if (!have_buffer(alloc::buffer_class::critical, res_lease_) &&
            !co_await acquire(alloc::buffer_class::critical, res_lease_)) {
            no_response_buffer_ = true;
            co_return std::tuple<error_code, std::size_t>{net::error::no_buffer_space, 0};
        }
        sbuf_.reset(res_lease_.data(), head_area_);
    }
    co_return co_await read_head(server_, sbuf_, *res_);
}

} // namespace gw
