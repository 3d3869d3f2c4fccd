#include "alloc/buffer_pool.hpp"

#include <stdexcept>
#include <string>

namespace gw::alloc {

std::vector<std::size_t> buffer_pool::split_limit(std::size_t limit, std::size_t shards,
                                                  std::size_t reserve) {
    if (shards == 0)
        throw std::invalid_argument("a buffer pool needs at least one shard");
    std::vector<std::size_t> out(shards, 0);
    if (limit == 0)
        return out;
    // Every shard must serve one normal allocation on its own: reserve + 1 each.
    const std::size_t needed = shards * (reserve + 1);
    if (limit < needed)
        throw std::invalid_argument("buffers.limit " + std::to_string(limit) + " is too small for " +
                                    std::to_string(shards) + " workers with reserve " +
                                    std::to_string(reserve) + ": at least " +
                                    std::to_string(needed) + " needed");
    for (std::size_t i = 0; i < shards; ++i)
        out[i] = limit / shards + (i < limit % shards ? 1 : 0);
    return out;
}

buffer_pool::buffer_pool(const pool_limits& total, std::size_t shards) : total_(total) {
    const auto split = split_limit(total.limit, shards, total.reserve);
    shards_.reserve(shards);
    for (std::size_t n : split) {
        pool_limits l = total;
        l.limit = n;
        shards_.push_back(std::make_unique<pool_shard>(l));
    }
}

} // namespace gw::alloc
