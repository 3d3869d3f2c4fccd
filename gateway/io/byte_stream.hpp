#pragma once
// A kind of connection other than plain TCP, behind the same transport: what
// transport delegates to when it holds one. The in-memory test stream (with
// failure injection) is one today; TLS is to be another. Operations complete
// through their handler, never inline. One thread: the connection's worker.

#include <cstddef>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/system/error_code.hpp>

namespace gw {

class byte_stream {
public:
    using error_code = boost::system::error_code;
    using io_handler = boost::asio::any_completion_handler<void(error_code, std::size_t)>;
    using wait_handler = boost::asio::any_completion_handler<void(error_code)>;

    virtual ~byte_stream() = default;
    // Reads some bytes into `b` (waits for them; eof at the end of the stream).
    virtual void async_read_some(boost::asio::mutable_buffer b, io_handler h) = 0;
    // Writes some of `b` (possibly fewer bytes than asked).
    virtual void async_write_some(boost::asio::const_buffer b, io_handler h) = 0;
    // Reads what is there without waiting: bytes, 0 when nothing is, or `ec`.
    virtual std::size_t read_ready(void* out, std::size_t n, error_code& ec) = 0;
    // Completes when a read would not wait.
    virtual void async_wait_readable(wait_handler h) = 0;
    // Pending operations complete with operation_aborted.
    virtual void cancel() noexcept = 0;
    virtual void close() noexcept = 0;
    virtual bool is_open() const noexcept = 0;
};

} // namespace gw
