#pragma once
// co_await-able buffer allocation: an Asio asynchronous operation over a pool
// shard. The only Asio in alloc/. A waiting coroutine is an intrusive node in the
// shard's queue; the shard's wake rule decides when it resumes, and it resumes
// exactly at this allocation.
//
//   auto [ec, lease] = co_await async_acquire(shard, buffer_class::normal,
//                                             asio::as_tuple(asio::use_awaitable));
//
// Completion signature: void(error_code, buffer_lease).
//   - success: ec clear, lease holds a buffer;
//   - the wait was cancelled (per-operation cancellation, e.g. a timeout through a
//     cancellation slot or awaitable operators): asio::error::operation_aborted;
//   - the shard was destroyed meanwhile: pool_errc::destroyed.
// On error the lease is empty: a cancelled waiter never consumes a buffer.
//
// Threading: call it, cancel it and destroy the shard on the shard's own thread.
// The handler must carry an associated executor running on that thread (every
// coroutine does); the completion is always posted to it, never run inline.

#include <memory>
#include <new>
#include <type_traits>
#include <utility>

#include <boost/asio/append.hpp>
#include <boost/asio/associated_allocator.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/cancellation_type.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/system/error_code.hpp>

#include "alloc/errors.hpp"
#include "alloc/pool_shard.hpp"

namespace gw::alloc {

namespace detail {

template <class Handler>
class acquire_op final : public pool_waiter {
public:
    using executor_type = boost::asio::associated_executor_t<Handler>;
    using allocator_type = boost::asio::associated_allocator_t<Handler>;
    using node_allocator =
        typename std::allocator_traits<allocator_type>::template rebind_alloc<acquire_op>;
    using node_traits = std::allocator_traits<node_allocator>;

    // Allocates the node with the handler's allocator and queues it in the shard.
    static void start(Handler handler, pool_shard& shard, buffer_class c) {
        node_allocator alloc(boost::asio::get_associated_allocator(handler));
        acquire_op* op = node_traits::allocate(alloc, 1);
        try {
            ::new (static_cast<void*>(op)) acquire_op(std::move(handler), shard, c);
        } catch (...) {
            node_traits::deallocate(alloc, op, 1);
            throw;
        }
        shard.wait(*op);
        auto slot = boost::asio::get_associated_cancellation_slot(op->handler_);
        if (slot.is_connected())
            slot.template emplace<cancel_handler>(op);
    }

private:
    acquire_op(Handler&& h, pool_shard& shard, buffer_class c)
        : pool_waiter(c), handler_(std::move(h)),
          work_(boost::asio::get_associated_executor(handler_)), shard_(&shard) {}

    struct cancel_handler {
        // A constructor, not an aggregate: emplace() constructs it with
        // parentheses, which clang before 16 does not allow for aggregates.
        explicit cancel_handler(acquire_op* o) noexcept : op(o) {}
        acquire_op* op;
        void operator()(boost::asio::cancellation_type_t type) const {
            if (type != boost::asio::cancellation_type::none)
                op->cancel_wait();
        }
    };

    // Runs the resumed (or cancelled, or orphaned) waiter on its own executor.
    struct runner {
        acquire_op* op;
        using allocator_type = typename acquire_op::allocator_type;
        allocator_type get_allocator() const noexcept {
            return boost::asio::get_associated_allocator(op->handler_);
        }
        void operator()() const { op->run(); }
    };

    void on_resume() noexcept override { schedule(); }

    void on_shard_gone(bool resume_scheduled) noexcept override {
        shard_ = nullptr;
        if (!resume_scheduled)
            schedule();
    }

    void schedule() noexcept { boost::asio::post(work_.get_executor(), runner{this}); }

    void cancel_wait() noexcept {
        if (shard_ == nullptr || cancelled_)
            return; // already completing with an error
        cancelled_ = true;
        // Queued: nobody has scheduled us, do it. Woken: our run is already
        // scheduled and will see cancelled_; the shard took the promise back.
        if (shard_->cancel(*this))
            schedule();
    }

    void run() {
        if (shard_ == nullptr)
            return complete(make_error_code(pool_errc::destroyed), {});
        if (cancelled_)
            return complete(boost::asio::error::operation_aborted, {});
        buffer_lease lease = shard_->finish_resume(*this);
        if (lease)
            complete({}, std::move(lease));
        // else: a failed resume; the shard queued us again.
    }

    // Frees the node before the upcall (Asio's rule, so the memory can be reused
    // by whatever the handler starts next); the work guard lives until after it.
    void complete(boost::system::error_code ec, buffer_lease lease) {
        auto slot = boost::asio::get_associated_cancellation_slot(handler_);
        if (slot.is_connected())
            slot.clear();
        Handler handler(std::move(handler_));
        boost::asio::executor_work_guard<executor_type> work(std::move(work_));
        node_allocator alloc(boost::asio::get_associated_allocator(handler));
        this->~acquire_op();
        node_traits::deallocate(alloc, this, 1);
        std::move(handler)(ec, std::move(lease));
    }

    Handler handler_;
    boost::asio::executor_work_guard<executor_type> work_;
    pool_shard* shard_;
    bool cancelled_ = false;
};

struct initiate_acquire {
    template <class Handler>
    void operator()(Handler&& handler, pool_shard* shard, buffer_class c) const {
        using handler_type = std::decay_t<Handler>;
        if (buffer_lease lease = shard->try_acquire(c)) {
            auto ex = boost::asio::get_associated_executor(handler);
            boost::asio::post(ex, boost::asio::append(std::forward<Handler>(handler),
                                                      boost::system::error_code{},
                                                      std::move(lease)));
            return;
        }
        acquire_op<handler_type>::start(std::forward<Handler>(handler), *shard, c);
    }
};

} // namespace detail

template <class CompletionToken>
auto async_acquire(pool_shard& shard, buffer_class c, CompletionToken&& token) {
    return boost::asio::async_initiate<CompletionToken,
                                       void(boost::system::error_code, buffer_lease)>(
        detail::initiate_acquire{}, token, &shard, c);
}

} // namespace gw::alloc
