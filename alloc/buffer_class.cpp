#include "alloc/buffer_class.hpp"

namespace gw::alloc {

std::string_view to_string(buffer_class c) noexcept {
    return c == buffer_class::critical ? "critical" : "normal";
}

std::string_view to_string(wake_strategy s) noexcept {
    switch (s) {
    case wake_strategy::reserve_aware:
        return "reserve-aware";
    case wake_strategy::per_release:
        return "per-release";
    case wake_strategy::wake_all:
        return "wake-all";
    }
    return "unknown";
}

std::optional<wake_strategy> parse_wake_strategy(std::string_view name) noexcept {
    for (auto s : {wake_strategy::reserve_aware, wake_strategy::per_release, wake_strategy::wake_all})
        if (to_string(s) == name)
            return s;
    return std::nullopt;
}

} // namespace gw::alloc
