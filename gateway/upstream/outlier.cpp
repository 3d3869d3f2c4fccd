#include "gateway/upstream/outlier.hpp"

#include <algorithm>

namespace gw {

bool outlier_state::still_ejected(clock_type::time_point now) const noexcept {
    return ms(now) < until_ms_.load(std::memory_order_relaxed);
}

bool outlier_state::would_eject(const config::passive_health_config& c, clock_type::time_point now) const noexcept {
    if (ejected_at(now))
        return false;
    const auto first = first_failure_ms_.load(std::memory_order_relaxed);
    const auto n = consecutive_.load(std::memory_order_relaxed);
    const bool in_window = n != 0 && ms(now) - first <= c.window.count();
    return (in_window ? n + 1 : 1) >= c.failures;
}

bool outlier_state::failure(const config::passive_health_config& c, clock_type::time_point now,
                            bool may_eject) noexcept {
    const std::int64_t t = ms(now);
    if (ejected_at(now))
        return false; // (exchanges that started before the ejection)
    std::uint32_t n = consecutive_.load(std::memory_order_relaxed);
    if (n == 0 || t - first_failure_ms_.load(std::memory_order_relaxed) > c.window.count()) {
        first_failure_ms_.store(t, std::memory_order_relaxed);
        consecutive_.store(1, std::memory_order_relaxed);
        n = 1;
    } else {
        n = consecutive_.fetch_add(1, std::memory_order_relaxed) + 1;
    }
    if (n < c.failures || !may_eject)
        return false;
    bool expected = false;
    // One worker ejects; the others see the flag.
    if (ejected_.load(std::memory_order_relaxed) && !still_ejected(now))
        ejected_.store(false, std::memory_order_relaxed); // (the last ejection's time had passed)
    if (!ejected_.compare_exchange_strong(expected, true, std::memory_order_acq_rel))
        return false;
    // Back to back with the last one (failing again within as long as it
    // lasted): twice as long, up to the bound; after a quiet period: the base.
    const auto returned = returned_ms_.load(std::memory_order_relaxed);
    const auto last = last_length_ms_.load(std::memory_order_relaxed);
    std::uint32_t streak = streak_.load(std::memory_order_relaxed);
    streak = last != 0 && t - returned <= last ? streak + 1 : 0;
    streak_.store(streak, std::memory_order_relaxed);
    std::int64_t length = c.ejection.count();
    for (std::uint32_t i = 0; i < streak && length < c.max_ejection.count(); ++i)
        length *= 2;
    length = std::min<std::int64_t>(length, c.max_ejection.count());
    last_length_ms_.store(length, std::memory_order_relaxed);
    until_ms_.store(t + length, std::memory_order_relaxed);
    returned_ms_.store(t + length, std::memory_order_relaxed);
    consecutive_.store(0, std::memory_order_relaxed);
    total_.fetch_add(1, std::memory_order_relaxed);
    return true;
}

void outlier_state::success() noexcept {
    if (consecutive_.load(std::memory_order_relaxed) != 0)
        consecutive_.store(0, std::memory_order_relaxed);
}

bool outlier_state::end_ejection() noexcept {
    if (!ejected_.load(std::memory_order_relaxed))
        return false;
    const auto now = clock_type::now();
    const bool was = still_ejected(now);
    until_ms_.store(0, std::memory_order_relaxed);
    returned_ms_.store(ms(now), std::memory_order_relaxed);
    ejected_.store(false, std::memory_order_relaxed);
    consecutive_.store(0, std::memory_order_relaxed);
    return was;
}

} // namespace gw
