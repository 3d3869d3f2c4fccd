#pragma once
// Passive health (outlier ejection): what exchanges see of a server takes it
// out of rotation. `failures` consecutive failures (a connect that fails, a
// connection reset or closed before the response head, no head in time, a 5xx
// when count_server_errors) within `window` of the first eject it for `ejection`, doubled
// at each ejection that follows its return without a quiet period between,
// up to `max_ejection`; never more than max_ejected_percent of its backend at
// once (at least one). A success resets the count. After the time, the server
// takes requests again; a passing active health check returns it sooner.
//
// Atomics only: every worker reports to it, and serving() reads one flag
// (the clock is read only for a server that is ejected).

#include <atomic>
#include <chrono>
#include <cstdint>

#include "config/config.hpp"

namespace gw {

class outlier_state {
public:
    using clock_type = std::chrono::steady_clock;

    // A failure seen by an exchange; `may_eject`: the backend's share allows
    // one more ejection. True when this failure ejected the server.
    bool failure(const config::passive_health_config& c, clock_type::time_point now, bool may_eject) noexcept;
    // The would-be failure that reaches `failures` (the caller then checks the share).
    bool would_eject(const config::passive_health_config& c, clock_type::time_point now) const noexcept;
    // A response that is not a failure: the count starts again (no clock needed).
    void success() noexcept;
    // Out of rotation now (an ejection whose time has passed ends here).
    bool ejected() const noexcept {
        if (!ejected_.load(std::memory_order_relaxed))
            return false;
        if (still_ejected(clock_type::now()))
            return true;
        ejected_.store(false, std::memory_order_relaxed); // its time passed: back (one clock read)
        return false;
    }
    bool ejected_at(clock_type::time_point now) const noexcept {
        return ejected_.load(std::memory_order_relaxed) && still_ejected(now);
    }
    // An active health check passed: an ejected server returns now.
    bool end_ejection() noexcept;

    std::uint64_t ejections_total() const noexcept { return total_.load(std::memory_order_relaxed); }

private:
    static std::int64_t ms(clock_type::time_point t) noexcept {
        return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
    }
    bool still_ejected(clock_type::time_point now) const noexcept;

    std::atomic<std::uint32_t> consecutive_{0};
    std::atomic<std::int64_t> first_failure_ms_{0};
    mutable std::atomic<bool> ejected_{false};
    mutable std::atomic<std::int64_t> until_ms_{0};   // ejected until
    std::atomic<std::int64_t> returned_ms_{0};        // when the last ejection ended
    std::atomic<std::int64_t> last_length_ms_{0};     // the last ejection's length
    std::atomic<std::uint32_t> streak_{0};            // ejections without a quiet period between
    std::atomic<std::uint64_t> total_{0};
};

} // namespace gw
