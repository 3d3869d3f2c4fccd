#pragma once
// The whole pool: one shard per worker, the configured limit split over them.
// Each shard is then used only by its own worker's thread; the pool object itself
// is built at start-up and never changes shape.

#include <cstddef>
#include <memory>
#include <vector>

#include "alloc/pool_shard.hpp"

namespace gw::alloc {

class buffer_pool {
public:
    // `total.limit` is for the whole pool (0 = unbounded, then every shard is).
    // Throws std::invalid_argument when a shard would get fewer than reserve + 1
    // buffers, naming the smallest limit that works.
    buffer_pool(const pool_limits& total, std::size_t shards);

    std::size_t shard_count() const noexcept { return shards_.size(); }
    pool_shard& shard(std::size_t i) noexcept { return *shards_[i]; }
    const pool_shard& shard(std::size_t i) const noexcept { return *shards_[i]; }
    const pool_limits& limits() const noexcept { return total_; }

    // limit split as evenly as possible (the first `limit % shards` get one more).
    // Throws std::invalid_argument as the constructor does.
    static std::vector<std::size_t> split_limit(std::size_t limit, std::size_t shards,
                                                std::size_t reserve);

private:
    pool_limits total_;
    std::vector<std::unique_ptr<pool_shard>> shards_;
};

} // namespace gw::alloc
