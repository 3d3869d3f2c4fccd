#pragma once
// The coroutine form used by sessions: returns at once (no suspension, no post)
// when the shard can serve the allocation, and otherwise waits in its queue
// through async_acquire. Same errors and threading rules as async_acquire.

#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>

#include "alloc/pool_shard.hpp"

namespace gw::alloc {

struct acquire_result {
    boost::system::error_code ec;
    buffer_lease lease; // empty iff ec is set
};

boost::asio::awaitable<acquire_result> acquire(pool_shard& shard, buffer_class c);

} // namespace gw::alloc
