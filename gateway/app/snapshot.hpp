#pragma once
// The one way to read the whole gateway's state: a snapshot collected by
// hopping onto each worker's thread in turn (its counters and pool shard are
// that thread's alone), plus the cross-worker state read where it lives.
// The admin pages render it; the gateway's own accessors (tests, --check-like
// tools) take it too.

#include <vector>

#include <boost/asio/awaitable.hpp>

#include "gateway/observe/snapshot.hpp"

namespace gw {

class worker;
struct shared_state;

// The caller resumes on its own executor.
boost::asio::awaitable<gateway_snapshot> collect_snapshot(shared_state& shared,
                                                          std::vector<worker*> workers);

} // namespace gw
