#pragma once
// A latency histogram in fixed memory (about 30 KiB), HdrHistogram-like: values in
// nanoseconds, exact below 256 ns, then every power of two is cut into 128 linear
// buckets, so a bucket is at most 1/128 (0.8 %) of its values wide. Values up to
// 2^37 ns (137 s) are kept; larger ones land in the top bucket (max stays exact).
// Not thread-safe: one per thread, merged at the end.

#include <array>
#include <cstddef>
#include <cstdint>

namespace gw::bench {

class histogram {
public:
    static constexpr unsigned sub_bits = 7;                    // 128 buckets per octave
    static constexpr std::uint64_t sub_count = 1u << sub_bits; // K
    static constexpr unsigned max_shift = 36 - sub_bits;       // top octave: [2^36, 2^37)
    static constexpr std::size_t bucket_count = (max_shift + 1) * sub_count + sub_count;

    void record(std::uint64_t ns) noexcept;
    void merge(const histogram& other) noexcept;
    void reset() noexcept;

    std::uint64_t count() const noexcept { return count_; }
    std::uint64_t min() const noexcept { return count_ ? min_ : 0; }
    std::uint64_t max() const noexcept { return max_; }
    double mean() const noexcept;   // exact (from the sum), 0 when empty
    double stddev() const noexcept; // from the buckets' midpoints, 0 when empty

    // The value at percentile p (0..100): the highest value equivalent to the bucket
    // holding the ceil(p% x count)-th smallest recording, clamped to [min, max], so
    // that percentile(100) == max() and percentile(0) == min(). 0 when empty.
    std::uint64_t percentile(double p) const noexcept;

    // Bucket arithmetic, public for tests: index of a value, and the range of
    // values [lowest, highest] sharing a bucket.
    static std::size_t index_of(std::uint64_t ns) noexcept;
    static std::uint64_t lowest_in(std::size_t index) noexcept;
    static std::uint64_t highest_in(std::size_t index) noexcept;

    std::uint64_t bucket(std::size_t index) const noexcept { return buckets_[index]; }

private:
    std::array<std::uint64_t, bucket_count> buckets_{};
    std::uint64_t count_ = 0;
    std::uint64_t min_ = UINT64_MAX;
    std::uint64_t max_ = 0;
    long double sum_ = 0;
};

} // namespace gw::bench
