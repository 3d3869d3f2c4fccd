#include "gateway/relay/held_buffer.hpp"

#include <boost/asio/error.hpp>

namespace gw {

namespace net = boost::asio;
using error_code = boost::system::error_code;

net::awaitable<std::tuple<error_code, std::size_t>>
read_when_ready(transport& from, held_buffer& buf, std::size_t want, bool tried) {
    for (bool read_first = !tried;; read_first = true) {
        if (char* const at = buf.data()) {
            if (read_first) {
                error_code ec;
                const std::size_t n = from.read_ready(at, want, ec);
                if (ec || n != 0)
                    co_return std::tuple<error_code, std::size_t>{ec, n};
            }
            // Nothing yet (or, on TLS, only part of a record): wait without it.
            buf.give_back();
        }
        const auto wec = co_await from.wait_readable();
        if (wec)
            co_return std::tuple<error_code, std::size_t>{wec, 0};
        if (!co_await buf.take())
            co_return std::tuple<error_code, std::size_t>{net::error::no_buffer_space, 0};
    }
}

} // namespace gw
