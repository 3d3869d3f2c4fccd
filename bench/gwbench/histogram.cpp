#include "bench/gwbench/histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace gw::bench {

// Values below 2K are their own bucket; above, a value with its top bit at h keeps
// its K..2K-1 leading part: index = shift * K + (v >> shift), shift = h - sub_bits.
// The ranges join without gaps: shift s covers indices [(s+1)K, (s+2)K).
std::size_t histogram::index_of(std::uint64_t ns) noexcept {
    if (ns < 2 * sub_count) return static_cast<std::size_t>(ns);
    unsigned h = static_cast<unsigned>(std::bit_width(ns)) - 1;
    unsigned shift = h - sub_bits;
    if (shift > max_shift) return bucket_count - 1;
    return static_cast<std::size_t>(shift * sub_count + (ns >> shift));
}

std::uint64_t histogram::lowest_in(std::size_t index) noexcept {
    if (index < 2 * sub_count) return index;
    std::uint64_t shift = index / sub_count - 1;
    std::uint64_t sub = index - shift * sub_count; // in [K, 2K)
    return sub << shift;
}

std::uint64_t histogram::highest_in(std::size_t index) noexcept {
    if (index < 2 * sub_count) return index;
    std::uint64_t shift = index / sub_count - 1;
    return lowest_in(index) + (std::uint64_t{1} << shift) - 1;
}

void histogram::record(std::uint64_t ns) noexcept {
    ++buckets_[index_of(ns)];
    ++count_;
    min_ = std::min(min_, ns);
    max_ = std::max(max_, ns);
    sum_ += static_cast<long double>(ns);
}

void histogram::merge(const histogram& other) noexcept {
    for (std::size_t i = 0; i < bucket_count; ++i)
        buckets_[i] += other.buckets_[i];
    count_ += other.count_;
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
    sum_ += other.sum_;
}

void histogram::reset() noexcept {
    *this = histogram{};
}

double histogram::mean() const noexcept {
    return count_ ? static_cast<double>(sum_ / static_cast<long double>(count_)) : 0.0;
}

double histogram::stddev() const noexcept {
    if (count_ == 0) return 0.0;
    double m = mean(), acc = 0;
    for (std::size_t i = 0; i < bucket_count; ++i) {
        if (buckets_[i] == 0) continue;
        double mid = (static_cast<double>(lowest_in(i)) + static_cast<double>(highest_in(i))) / 2;
        acc += static_cast<double>(buckets_[i]) * (mid - m) * (mid - m);
    }
    return std::sqrt(acc / static_cast<double>(count_));
}

std::uint64_t histogram::percentile(double p) const noexcept {
    if (count_ == 0) return 0;
    p = std::clamp(p, 0.0, 100.0);
    // The small slack keeps 99.9 % of 1000 at rank 999 despite binary rounding.
    double exact = p / 100.0 * static_cast<double>(count_);
    auto rank = static_cast<std::uint64_t>(std::ceil(exact - exact * 1e-12));
    rank = std::clamp<std::uint64_t>(rank, 1, count_);
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < bucket_count; ++i) {
        seen += buckets_[i];
        if (seen >= rank) // the bucket of max_ answers max_ itself (also past the range)
            return i == index_of(max_) ? max_ : std::clamp(highest_in(i), min_, max_);
    }
    return max_;
}

} // namespace gw::bench
