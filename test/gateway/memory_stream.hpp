#pragma once
// The test transport: an in-memory connection (two ends, a byte queue each
// way) with what a real network does to a relay: reads and writes that move
// only a few bytes at a time, a peer that closes early, and an error at the
// Nth operation (like beast::test::stream's fail_count). Single-threaded:
// every completion is posted to the executor, never run inline.

#include <cstddef>
#include <limits>
#include <memory>
#include <string>
#include <utility>

#include <boost/asio/any_io_executor.hpp>

#include "gateway/io/byte_stream.hpp"
#include "gateway/io/transport.hpp"

namespace gw::test {

// What goes wrong on one end, shared by the test to read what happened.
struct fault_plan {
    std::size_t read_max = std::numeric_limits<std::size_t>::max();  // bytes per read at most
    std::size_t write_max = std::numeric_limits<std::size_t>::max(); // bytes per write at most
    // The operation (reads, ready-reads and writes, counted from 1) that fails
    // with `fail_with`, and every one after it; 0: none fails.
    std::size_t fail_at = 0;
    boost::system::error_code fail_with = boost::asio::error::connection_reset;
    std::size_t operations = 0; // counted so far
    bool failed = false;        // fail_at was reached
};

struct memory_direction; // one way's bytes and its waiting reader

class memory_stream final : public byte_stream {
public:
    memory_stream(boost::asio::any_io_executor ex, std::shared_ptr<memory_direction> in,
                  std::shared_ptr<memory_direction> out, std::shared_ptr<fault_plan> plan);
    ~memory_stream() override;

    void async_read_some(boost::asio::mutable_buffer b, io_handler h) override;
    void async_write_some(boost::asio::const_buffer b, io_handler h) override;
    std::size_t read_ready(void* out, std::size_t n, error_code& ec) override;
    void async_wait_readable(wait_handler h) override;
    void cancel() noexcept override;
    void close() noexcept override;
    bool is_open() const noexcept override { return open_; }

private:
    bool fail_now(error_code& ec);

    boost::asio::any_io_executor ex_;
    std::shared_ptr<memory_direction> in_, out_;
    std::shared_ptr<fault_plan> plan_;
    bool open_ = true;
};

// Two connected ends as streams, for a transport to take (transport::reset).
struct memory_streams {
    std::unique_ptr<byte_stream> near;
    std::unique_ptr<byte_stream> far;
    std::shared_ptr<fault_plan> near_plan;
    std::shared_ptr<fault_plan> far_plan;
};
memory_streams make_memory_streams(const boost::asio::any_io_executor& ex);

// Two connected ends: a transport for the code under test, and the peer's
// end (a transport too) for the test to write and read. Each end has a plan.
struct memory_pair {
    transport near;
    transport far;
    std::shared_ptr<fault_plan> near_plan;
    std::shared_ptr<fault_plan> far_plan;
};
memory_pair make_memory_pair(const boost::asio::any_io_executor& ex);

} // namespace gw::test
