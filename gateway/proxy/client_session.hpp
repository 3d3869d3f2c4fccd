#pragma once
// The client session's state, shared by the two files that make it (proxy/'s
// own; run_session in session.hpp is the way in):
//   client_session.cpp  the connection's life: idle without a buffer, parking,
//                       keep-alive, drain and abort, replies, buffers, the log;
//   exchange.cpp        one exchange as named phases: read the head, route,
//                       get a server, send the request, receive the response,
//                       relay its body (or the tunnel), finish.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "alloc/buffer_lease.hpp"
#include "gateway/http1/message.hpp"
#include "gateway/http1/replies.hpp"
#include "gateway/http1/rewrite.hpp"
#include "gateway/http1/route_rules.hpp"
#include "gateway/http1/trace_context.hpp"
#include "gateway/io/deadline.hpp"
#include "gateway/io/transport.hpp"
#include "gateway/policy/client_address.hpp"
#include "gateway/policy/client_table.hpp"
#include "gateway/proxy/context.hpp"
#include "gateway/proxy/session.hpp"
#include "gateway/relay/head_reader.hpp"
#include "gateway/relay/held_buffer.hpp"
#include "gateway/relay/leg.hpp"
#include "gateway/relay/pool_buffer.hpp"
#include "gateway/tls/server_context.hpp"
#include "gateway/upstream/connector.hpp"

namespace gw {

// What the current exchange did, for the counters and the access log.
struct exchange_state {
    using clock_type = std::chrono::steady_clock;
    bool seen = false;          // a request started (something to log)
    unsigned status = 0;        // sent to the client; 0 = nothing
    std::uint64_t bytes_out = 0;
    clock_type::time_point start;
    std::chrono::system_clock::time_point accepted;
    long queue_ms = -1, connect_ms = -1, response_ms = -1;
    int backend = -1;
    char termination[3] = {'-', '-', '\0'};

    // The first reason given sticks: who ended it (c/C client, s/S server,
    // P proxy) and when (R request, Q queue, C connect, H headers, D data).
    void terminate(char who, char when) noexcept {
        if (termination[0] == '-') {
            termination[0] = who;
            termination[1] = when;
        }
    }
};

class session final : public session_link, private deadline::owner {
public:
    using clock_type = std::chrono::steady_clock;

    session(proxy_context& ctx, std::size_t slot, transport client, bool resumed, parked_client who);
    ~session() override;

    // The connection's loop: one exchange after another until it closes or parks.
    boost::asio::awaitable<void> serve();
    // After serve(): the session ended idle for client_park; its socket parks.
    void park();
    // The connection's watchdog (io/deadline): started before serve(), stopped after.
    deadline& watchdog() noexcept { return dl_; }

    void on_drain() noexcept override;
    void on_park() noexcept override;
    void on_abort() noexcept override;
    std::size_t listener_slot() const noexcept override { return slot_; }

private:
    class lease_holder; // (below, with the leases)

    // --- the connection (client_session.cpp)
    // Waits idle, holding no buffer, for the next request's first bytes. False:
    // the connection ends (closed, timed out, drained, or parking).
    boost::asio::awaitable<bool> wait_idle(bool first);
    // Takes a buffer of class `c` if one is free now, else waits for one in
    // acquire() (false: cancelled or timed out). Callers try have_buffer() first:
    // most of the time a buffer is free, and a coroutine call costs a frame.
    bool have_buffer(alloc::buffer_class c, alloc::buffer_lease& out) {
        out = ctx_.shard.try_acquire(c);
        return static_cast<bool>(out);
    }
    boost::asio::awaitable<bool> acquire(alloc::buffer_class c, alloc::buffer_lease& out);
    // A critical buffer for what the gateway writes itself (false: cancelled or
    // timed out), and the writing of its first n bytes (under timeouts.send).
    boost::asio::awaitable<bool> own_buffer(alloc::buffer_lease& lease);
    boost::asio::awaitable<void> write_own(const alloc::buffer_lease& lease, std::size_t n);
    // The gateway answers the request itself (from a critical buffer);
    // `extra`: whole field lines to add.
    boost::asio::awaitable<void> reply(reply_reason r, bool keep_alive, std::string_view extra = {});
    // --- HTTPS (https.cpp): TLS on a TLS listener, the redirect on a plain one
    // Plain HTTP or TLS, then the handshake, under client_head. False: the
    // connection ends (counted by reason).
    boost::asio::awaitable<bool> accept_tls(const tls::server_context& tls);
    // Answers plain HTTP sent to the TLS port with 400 and closes gently.
    boost::asio::awaitable<void> plain_http_refused();
    // redirect_https: 308 to the request's https:// URL. True: keep-alive.
    boost::asio::awaitable<bool> redirect_https();

    // --- who the client is and what it may do (client_policy.cpp)
    // The client's address: the socket's peer, or a PROXY header's source.
    void set_client(const policy::client_address& a);
    // Before anything else on a new connection: the PROXY header (when the
    // listener takes one) and the per-client table. False: refused, it closes.
    boost::asio::awaitable<bool> admit_connection();
    boost::asio::awaitable<bool> read_proxy_header();
    boost::asio::awaitable<std::size_t> read_proxy_v1_line(std::uint8_t* buf);
    // The listener's access rules and request rate, and the route's access
    // rules (counted when they refuse; none: the request goes on). Plain
    // functions: a request that passes costs no coroutine frame.
    reply_reason listener_refusal();
    reply_reason route_refusal();
    // Answers a refused request (401, 403, or 429 with Retry-After). True: keep-alive.
    boost::asio::awaitable<bool> refuse_request(reply_reason r);

    // --- a route's rules (route_answers.cpp), for routes that have any
    // The route answers itself: a redirect or a fixed response. True: keep-alive.
    boost::asio::awaitable<bool> answer_route(const config::route_config& r);
    // Its path rewrite and field rules on the request sent on, and its field
    // rules on the response sent back.
    void apply_request_rules(request_head& h);
    void apply_response_rules(response_head& m);
    rule_values values_for_rules() const;

    // Counts the exchange and writes its access log line.
    void finish_exchange();
    void on_deadline() noexcept override;

    // --- the exchange's phases (exchange.cpp)
    // True: the connection stays open for the next request.
    boost::asio::awaitable<bool> exchange();
    boost::asio::awaitable<bool> read_request_head();
    boost::asio::awaitable<bool> get_server(std::size_t backend);
    void prepare_request_head();
    void forward_client_subject(request_head& h);
    boost::asio::awaitable<bool> send_request();
    boost::asio::awaitable<bool> read_response_head();
    // The response buffer taken once the server has something to say, then
    // the head read into it. A session waiting for its server holds no
    // buffer: the pool's go to responses that are arriving. An error of the
    // wait is the read's (a reset, a timeout); no_response_buffer_ says the
    // pool had none (the server did nothing wrong).
    boost::asio::awaitable<std::tuple<boost::system::error_code, std::size_t>> read_response_bytes();
    bool may_retry(bool condition) const;
    void prepare_response_head();
    boost::asio::awaitable<bool> relay_response();
    boost::asio::awaitable<bool> upgrade_to_tunnel();
    // Writes a response head alone (1xx, 101) through Beast's serializer.
    boost::asio::awaitable<boost::system::error_code> write_response_head(response_parser::value_type& m);
    // The server failed: its connection closes and the client gets `r`.
    boost::asio::awaitable<bool> server_failed(reply_reason r);
    // One direction of this exchange for the relays: `held` is the buffer
    // `in` reads into, the read timeout is the source's.
    leg make_leg(transport& from, pool_buffer& in, transport& to, lease_holder& held,
                 config::duration read_timeout, deadline_kind read_kind, std::uint64_t* bytes_in,
                 std::uint64_t* bytes_out);
    // Pipelined bytes left after the previous request go to the buffer's front,
    // so that the next head starts at the buffer's first byte.
    void compact_request_buffer();

    void arm(config::duration d, deadline_kind k) { dl_.arm(d, k); }
    bool timed_out(deadline_kind k) const noexcept { return dl_.timed_out(k); }
    listener_counters& lc() noexcept { return ctx_.counters.listeners[slot_]; }
    // The listener's TLS context, or null for a plain listener (of the
    // generation the session holds).
    const tls::server_context* tls_context() const noexcept {
        return listener_ < gen_->tls.size() ? gen_->tls[listener_].get() : nullptr;
    }
    // Takes the current generation for an exchange (or a handshake). False:
    // the session's listener is not in it (removed by a reload): it closes.
    bool take_generation();
    // No further request on this connection: the worker drains, or a reload
    // removed its listener.
    bool closing() const noexcept { return closing_ || ctx_.host.draining(); }
    static long ms_since(clock_type::time_point t) {
        return static_cast<long>(
            std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - t).count());
    }

    proxy_context& ctx_;
    // The generation the exchange in progress holds (none while idle), and its
    // config (while idle: the current generation's, read afresh each time).
    generation_holder::lease gen_;
    const config::gateway_config* cfg_;
    std::size_t slot_;    // the listener's slot (the same in every generation)
    std::size_t listener_; // its index in gen_'s config (set with gen_)
    transport client_;
    transport server_;
    deadline dl_;
    boost::asio::cancellation_signal cancel_; // bound to pool and queue waits
    connector upstream_;
    bool idle_ = false;
    bool no_response_buffer_ = false; // read_response_bytes found no buffer
    bool resumed_ = false;        // taken over from the parking lot
    bool first_wait_ = false;     // idle before the first request
    bool park_requested_ = false; // the parking lot cancelled the idle wait
    bool parking_ = false;        // ending to park: the socket stays open
    bool aborted_ = false;
    bool closing_ = false; // on_drain: close after the exchange in progress

    // The first bytes of a request, read while idle before the session holds a
    // buffer; they go to the front of the request buffer once it has one.
    char early_[1024];
    std::size_t early_size_ = 0;
    std::size_t head_area_ = 0; // read area of a buffer: heads must fit here
    std::size_t body_area_ = 0; // the rest: body bytes bounce through it
    alloc::buffer_lease req_lease_;
    alloc::buffer_lease res_lease_;
    pool_buffer rbuf_; // client input over req_lease_
    pool_buffer sbuf_; // server input over res_lease_
    // The two as the relays hold them (exchange_buffers.cpp). Which one a
    // holder is follows from its address, so that it costs the session two
    // pointers, not six (the session lives as long as its connection).
    class lease_holder final : public held_buffer {
    public:
        explicit lease_holder(session& s) noexcept : s_(s) {}
        char* data() const noexcept override { return reinterpret_cast<char*>(lease().data()); }
        void give_back() noexcept override;
        boost::asio::awaitable<bool> take() override;
        void cancel_take() noexcept override;

    private:
        bool response() const noexcept { return this == &s_.res_held_; }
        alloc::buffer_lease& lease() const noexcept { return response() ? s_.res_lease_ : s_.req_lease_; }
        pool_buffer& in() const noexcept { return response() ? s_.sbuf_ : s_.rbuf_; }
        session& s_;
    };
    lease_holder req_held_{*this}; // req_lease_ and rbuf_
    lease_holder res_held_{*this}; // res_lease_ and sbuf_
    std::optional<request_parser> req_;
    std::optional<response_parser> res_;
    // The route the exchange matched, when it has rules (else null), and the
    // path the client sent when the route rewrote it (%{path}).
    const config::route_config* route_ = nullptr;
    std::string sent_path_;
    bool head_request_ = false;
    bool client_keep_alive_ = false;
    bool server_keep_alive_ = false;
    bool request_has_body_ = false;
    bool upgrade_requested_ = false;
    // Why the exchange sends the request again: a reused server connection
    // turned out closed before any response byte (once, on a fresh connection
    // to the same server), or a retry_on condition (on another server).
    enum class resend { no, stale, retry };
    resend again_ = resend::no;
    bool stale_retried_ = false;
    unsigned retries_done_ = 0;
    reply_reason retry_failure_ = reply_reason::none; // the answer when the retry cannot be made
    bool interim_sent_ = false; // a 1xx went to the client: no retry
    // A body of known length wholly in the request buffer when the request was
    // first sent: a retry sends it again from there (where it was, and the
    // bytes after it). Else a request with a body is never retried.
    bool body_replayable_ = false;
    std::size_t replay_offset_ = 0, replay_size_ = 0;
    void note_replayable_body();
    void restore_request_buffer();
    bool expects_continue_ = false;
    std::string client_subject_; // a verified client certificate's subject (when forwarded)
    policy::client_address client_ip_;
    // Where the client connected to (a PROXY header's destination, else the
    // listener's address, read when a backend sends the PROXY protocol).
    policy::client_address local_ip_;
    bool local_known_ = false;
    void learn_local_address();
    static policy::client_address address_of(const boost::asio::ip::tcp::endpoint& ep) noexcept;
    // Its entry in the per-client table (policy/client_table), when followed.
    std::uint32_t ticket_ = policy::client_table::no_ticket;
    // A PROXY address the table does not follow: parking would lose it.
    bool unparkable_ = false;
    // Field lines of a refusal: a 429's Retry-After, a 401's WWW-Authenticate.
    char refusal_fields_[128] = {};
    std::size_t refusal_fields_len_ = 0;
    char client_addr_[64] = {};
    std::size_t client_addr_len_ = 0;
    char client_ep_[72] = {}; // "ip:port" for the access log
    std::size_t client_ep_len_ = 0;
    exchange_state ex_;
    char request_id_[request_id_length] = {};
    char trace_id_[trace_id_length] = {}; // [0] == 0: no trace context this exchange
};

} // namespace gw
