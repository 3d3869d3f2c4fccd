#pragma once
// The move-only handle to one pool buffer. Its destructor gives the buffer back,
// so a leak or a double release cannot be written; a lease dropped with a
// cancelled or destroyed operation returns its buffer too.

#include <cstddef>
#include <utility>

namespace gw::alloc {

class pool_shard;

class buffer_lease {
public:
    buffer_lease() noexcept = default;
    buffer_lease(buffer_lease&& o) noexcept
        : shard_(std::exchange(o.shard_, nullptr)), data_(std::exchange(o.data_, nullptr)) {}
    buffer_lease& operator=(buffer_lease&& o) noexcept {
        if (this != &o) {
            reset();
            shard_ = std::exchange(o.shard_, nullptr);
            data_ = std::exchange(o.data_, nullptr);
        }
        return *this;
    }
    buffer_lease(const buffer_lease&) = delete;
    buffer_lease& operator=(const buffer_lease&) = delete;
    ~buffer_lease() { reset(); }

    explicit operator bool() const noexcept { return data_ != nullptr; }
    std::byte* data() const noexcept { return data_; }
    std::size_t size() const noexcept; // the pool's buffer size; 0 for an empty lease

    // Gives the buffer back to its shard now (no-op on an empty lease). Must run
    // on the shard's thread, and the shard must still exist.
    inline void reset() noexcept;

private:
    friend class pool_shard;
    buffer_lease(pool_shard* shard, std::byte* data) noexcept
        : shard_(data != nullptr ? shard : nullptr), data_(data) {}

    pool_shard* shard_ = nullptr;
    std::byte* data_ = nullptr;
};

} // namespace gw::alloc
