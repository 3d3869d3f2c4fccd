#include "alloc/acquire.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "alloc/async_acquire.hpp"

namespace gw::alloc {

boost::asio::awaitable<acquire_result> acquire(pool_shard& shard, buffer_class c) {
    if (buffer_lease lease = shard.try_acquire(c))
        co_return acquire_result{{}, std::move(lease)};
    auto [ec, lease] =
        co_await async_acquire(shard, c, boost::asio::as_tuple(boost::asio::use_awaitable));
    co_return acquire_result{ec, std::move(lease)};
}

} // namespace gw::alloc
