// A model of the seed's deadlock: N sessions, one server with maxconn 1. A
// session holds its request buffer (normal) while queued for the server; the
// session on the server releases its request buffer once sent, and needs a
// response buffer (critical) to finish and free the server. Without a reserve,
// queued requests can take every buffer and the response never gets one.
#include <boost/test/unit_test.hpp>

#include <deque>
#include <memory>
#include <vector>

#include "alloc/pool_shard.hpp"
#include "test/alloc/pool_harness.hpp"

using namespace gw::alloc;
using gw::alloc::test::run_one;
using gw::alloc::test::run_queue;
using gw::alloc::test::scripted_waiter;

namespace {

enum class phase { need_request_buffer, sending, need_response_buffer, responding, done };

struct session {
    phase at = phase::need_request_buffer;
    buffer_lease buf;
    std::unique_ptr<scripted_waiter> waiter;
};

struct outcome {
    std::size_t done = 0;
    bool deadlocked = false; // waiters present, nothing can run
    pool_stats stats;
};

class seed_model {
public:
    seed_model(std::size_t sessions, std::size_t limit, std::size_t reserve)
        : shard_(make_limits(limit, reserve)), sessions_(sessions) {}
    ~seed_model() {
        for (auto& s : sessions_)
            s.waiter.reset();
    }

    outcome run() {
        for (std::size_t i = 0; i < sessions_.size(); ++i)
            runnable_.push_back(i);
        for (;;) {
            if (!runnable_.empty()) {
                const std::size_t i = runnable_.front();
                runnable_.pop_front();
                step(i);
            } else if (scripted_waiter* w = run_one(shard_, rq_)) {
                if (w->lease)
                    got_buffer(static_cast<std::size_t>(w->id()), std::move(w->lease));
            } else {
                break; // nothing can run
            }
        }
        outcome o;
        for (auto& s : sessions_)
            o.done += s.at == phase::done ? 1 : 0;
        o.stats = shard_.stats();
        o.deadlocked = o.done < sessions_.size() && o.stats.waiters_total() > 0;
        return o;
    }

private:
    static pool_limits make_limits(std::size_t limit, std::size_t reserve) {
        pool_limits l;
        l.buffer_size = 64;
        l.limit = limit;
        l.reserve = reserve;
        return l;
    }

    void step(std::size_t i) {
        session& s = sessions_[i];
        switch (s.at) {
        case phase::need_request_buffer:
        case phase::need_response_buffer: {
            const auto c = s.at == phase::need_request_buffer ? buffer_class::normal
                                                              : buffer_class::critical;
            if (buffer_lease l = shard_.try_acquire(c))
                return got_buffer(i, std::move(l));
            s.waiter = std::make_unique<scripted_waiter>(rq_, c, static_cast<int>(i));
            s.waiter->wait_on(shard_);
            return;
        }
        case phase::sending: // the request is flushed: its buffer goes back
            s.buf.reset();
            s.at = phase::need_response_buffer;
            runnable_.push_back(i);
            return;
        case phase::responding: // response relayed: free the buffer, then the server
            s.buf.reset();
            s.at = phase::done;
            server_busy_ = false;
            if (!server_queue_.empty()) {
                const std::size_t next = server_queue_.front();
                server_queue_.pop_front();
                take_server(next);
            }
            return;
        case phase::done:
            return;
        }
    }

    void got_buffer(std::size_t i, buffer_lease l) {
        session& s = sessions_[i];
        s.waiter.reset();
        s.buf = std::move(l);
        if (s.at == phase::need_response_buffer) {
            s.at = phase::responding;
            runnable_.push_back(i);
        } else if (server_busy_) {
            server_queue_.push_back(i); // maxconn reached: queued, still holding the request
        } else {
            take_server(i);
        }
    }

    void take_server(std::size_t i) {
        server_busy_ = true;
        sessions_[i].at = phase::sending;
        runnable_.push_back(i);
    }

    pool_shard shard_;
    run_queue rq_;
    std::vector<session> sessions_;
    std::deque<std::size_t> runnable_;
    std::deque<std::size_t> server_queue_;
    bool server_busy_ = false;
};

} // namespace

BOOST_AUTO_TEST_SUITE(seed_scenario)

BOOST_AUTO_TEST_CASE(reserve_two_completes_every_session) {
    for (std::size_t sessions : {2u, 10u, 200u, 1000u}) {
        BOOST_TEST_CONTEXT("sessions " << sessions) {
            seed_model m(sessions, 4, 2); // limit = reserve + 2, as in the integration test
            const auto o = m.run();
            BOOST_TEST(o.done == sessions);
            BOOST_TEST(!o.deadlocked);
            BOOST_TEST(o.stats.used == 0u);
            BOOST_TEST(o.stats.failed_resumes == 0u);
            BOOST_TEST(o.stats.high_water <= 4u);
        }
    }
}

BOOST_AUTO_TEST_CASE(reserve_zero_deadlocks_and_is_detected) {
    seed_model m(200, 4, 0);
    const auto o = m.run();
    BOOST_TEST(o.deadlocked);
    BOOST_TEST(o.done < 200u);
    BOOST_TEST(o.stats.used == 4u);       // every buffer held by a queued request...
    BOOST_TEST(o.stats.waiters[0] == 1u); // ...while the server's response waits for one
}

BOOST_AUTO_TEST_CASE(larger_limits_complete_with_any_reserve_of_two_or_more) {
    for (std::size_t reserve : {2u, 3u, 8u}) {
        for (std::size_t extra : {1u, 2u, 16u}) {
            BOOST_TEST_CONTEXT("reserve " << reserve << " limit " << reserve + extra) {
                seed_model m(300, reserve + extra, reserve);
                const auto o = m.run();
                BOOST_TEST(o.done == 300u);
                BOOST_TEST(o.stats.failed_resumes == 0u);
            }
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
