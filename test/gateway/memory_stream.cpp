#include "test/gateway/memory_stream.hpp"

#include <algorithm>
#include <cstring>
#include <optional>

#include <boost/asio/post.hpp>

namespace gw::test {

namespace net = boost::asio;
using error_code = boost::system::error_code;

struct memory_direction {
    std::string bytes;
    bool writer_closed = false; // the reader sees eof once the bytes are read
    bool reader_closed = false; // the writer gets broken_pipe
    // A read waiting for bytes (one at most: a connection has one reader).
    std::optional<byte_stream::io_handler> reader;
    net::mutable_buffer reader_buffer;
    std::size_t reader_max = 0;
    std::optional<byte_stream::wait_handler> waiter;
    net::any_io_executor reader_ex;

    // Completes what waits on this direction, if it can now.
    void wake() {
        if (reader && (!bytes.empty() || writer_closed)) {
            auto h = std::move(*reader);
            reader.reset();
            const std::size_t n = std::min({reader_buffer.size(), reader_max, bytes.size()});
            std::memcpy(reader_buffer.data(), bytes.data(), n);
            bytes.erase(0, n);
            const error_code ec = n == 0 ? error_code(net::error::eof) : error_code();
            net::post(reader_ex, [h = std::move(h), ec, n]() mutable { std::move(h)(ec, n); });
        }
        if (waiter && (!bytes.empty() || writer_closed)) {
            auto h = std::move(*waiter);
            waiter.reset();
            net::post(reader_ex, [h = std::move(h)]() mutable { std::move(h)(error_code()); });
        }
    }
    void abort_waits() {
        if (reader) {
            auto h = std::move(*reader);
            reader.reset();
            net::post(reader_ex, [h = std::move(h)]() mutable {
                std::move(h)(net::error::operation_aborted, 0);
            });
        }
        if (waiter) {
            auto h = std::move(*waiter);
            waiter.reset();
            net::post(reader_ex,
                      [h = std::move(h)]() mutable { std::move(h)(net::error::operation_aborted); });
        }
    }
};

memory_stream::memory_stream(net::any_io_executor ex, std::shared_ptr<memory_direction> in,
                             std::shared_ptr<memory_direction> out, std::shared_ptr<fault_plan> plan)
    : ex_(std::move(ex)), in_(std::move(in)), out_(std::move(out)), plan_(std::move(plan)) {
    in_->reader_ex = ex_;
}

memory_stream::~memory_stream() { close(); }

bool memory_stream::fail_now(error_code& ec) {
    ++plan_->operations;
    if (plan_->fail_at != 0 && plan_->operations >= plan_->fail_at) {
        plan_->failed = true;
        ec = plan_->fail_with;
        return true;
    }
    if (!open_) {
        ec = net::error::bad_descriptor;
        return true;
    }
    return false;
}

void memory_stream::async_read_some(net::mutable_buffer b, io_handler h) {
    error_code ec;
    if (fail_now(ec)) {
        net::post(ex_, [h = std::move(h), ec]() mutable { std::move(h)(ec, 0); });
        return;
    }
    in_->reader = std::move(h);
    in_->reader_buffer = b;
    in_->reader_max = std::max<std::size_t>(1, plan_->read_max);
    in_->wake();
}

void memory_stream::async_write_some(net::const_buffer b, io_handler h) {
    error_code ec;
    std::size_t n = 0;
    if (!fail_now(ec)) {
        if (out_->reader_closed) {
            ec = net::error::broken_pipe;
        } else {
            n = std::min(b.size(), std::max<std::size_t>(1, plan_->write_max));
            out_->bytes.append(static_cast<const char*>(b.data()), n);
            out_->wake();
        }
    }
    net::post(ex_, [h = std::move(h), ec, n]() mutable { std::move(h)(ec, n); });
}

std::size_t memory_stream::read_ready(void* out, std::size_t n, error_code& ec) {
    if (fail_now(ec))
        return 0;
    const std::size_t k = std::min({n, plan_->read_max, in_->bytes.size()});
    if (k == 0) {
        if (in_->writer_closed)
            ec = net::error::eof;
        return 0;
    }
    std::memcpy(out, in_->bytes.data(), k);
    in_->bytes.erase(0, k);
    return k;
}

void memory_stream::async_wait_readable(wait_handler h) {
    in_->waiter = std::move(h);
    in_->wake();
}

void memory_stream::cancel() noexcept { in_->abort_waits(); }

void memory_stream::close() noexcept {
    if (!open_)
        return;
    open_ = false;
    in_->abort_waits();
    in_->reader_closed = true;
    out_->writer_closed = true;
    out_->wake();
}

memory_streams make_memory_streams(const net::any_io_executor& ex) {
    auto a_to_b = std::make_shared<memory_direction>();
    auto b_to_a = std::make_shared<memory_direction>();
    auto near_plan = std::make_shared<fault_plan>();
    auto far_plan = std::make_shared<fault_plan>();
    return memory_streams{std::make_unique<memory_stream>(ex, b_to_a, a_to_b, near_plan),
                          std::make_unique<memory_stream>(ex, a_to_b, b_to_a, far_plan), near_plan,
                          far_plan};
}

memory_pair make_memory_pair(const net::any_io_executor& ex) {
    auto s = make_memory_streams(ex);
    const transport::executor_type tex(ex);
    return memory_pair{transport(tex, std::move(s.near)), transport(tex, std::move(s.far)),
                       s.near_plan, s.far_plan};
}

} // namespace gw::test
