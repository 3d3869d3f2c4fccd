#pragma once
// Errors an awaited buffer allocation completes with (besides Asio's
// operation_aborted for a cancelled wait).

#include <type_traits>

#include <boost/system/error_code.hpp>

namespace gw::alloc {

enum class pool_errc {
    destroyed = 1, // the shard was destroyed while the coroutine waited
};

const boost::system::error_category& pool_category() noexcept;

inline boost::system::error_code make_error_code(pool_errc e) noexcept {
    return {static_cast<int>(e), pool_category()};
}

} // namespace gw::alloc

template <>
struct boost::system::is_error_code_enum<gw::alloc::pool_errc> : std::true_type {};
