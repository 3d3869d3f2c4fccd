#pragma once
// A relay's buffer for tests without a session (relay/held_buffer): two
// blocks of the test's memory, and each take() hands out the other one, while
// a give-back scribbles over the block given back. A relay that kept a
// pointer into a buffer it gave back relays '#' and fails its test. Counts
// what the relay did.

#include <algorithm>
#include <array>
#include <cstddef>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "gateway/relay/held_buffer.hpp"
#include "gateway/relay/pool_buffer.hpp"

namespace gw::test {

class swapping_buffer final : public held_buffer {
public:
    // `in` is pointed at the first block, its first `head_area` bytes.
    swapping_buffer(pool_buffer& in, std::size_t size, std::size_t head_area)
        : in_(in), head_area_(head_area), blocks_{std::vector<char>(size), std::vector<char>(size)} {
        in_.reset(blocks_[0].data(), head_area_);
    }
    char* data() const noexcept override { return held_ ? blocks_[current_].data() : nullptr; }
    void give_back() noexcept override {
        ++given_back;
        std::fill(blocks_[current_].begin(), blocks_[current_].end(), '#');
        held_ = false;
        in_.reset(nullptr, 0);
    }
    boost::asio::awaitable<bool> take() override {
        ++taken;
        current_ ^= 1;
        held_ = true;
        in_.reset(blocks_[current_].data(), head_area_);
        co_return true;
    }
    void cancel_take() noexcept override { ++cancelled; }

    int given_back = 0;
    int taken = 0;
    int cancelled = 0;

private:
    pool_buffer& in_;
    std::size_t head_area_;
    mutable std::array<std::vector<char>, 2> blocks_;
    std::size_t current_ = 0;
    bool held_ = true;
};

} // namespace gw::test
