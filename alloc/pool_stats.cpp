#include "alloc/pool_stats.hpp"

#include <algorithm>

namespace gw::alloc {

pool_stats& pool_stats::operator+=(const pool_stats& o) noexcept {
    buffer_size = std::max(buffer_size, o.buffer_size);
    limit += o.limit;
    reserve += o.reserve;
    used += o.used;
    free += o.free;
    allocated += o.allocated;
    high_water += o.high_water;
    acquires += o.acquires;
    reserve_acquires += o.reserve_acquires;
    for (std::size_t c = 0; c < buffer_class_count; ++c) {
        waits[c] += o.waits[c];
        waiters[c] += o.waiters[c];
    }
    resumes += o.resumes;
    failed_resumes += o.failed_resumes;
    resumed_pending += o.resumed_pending;
    cancels += o.cancels;
    return *this;
}

} // namespace gw::alloc
