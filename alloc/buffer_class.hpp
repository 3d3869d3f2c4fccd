#pragma once
// The vocabulary of the buffer pool: allocation classes, wake strategies and the
// limits a pool shard is built with. Plain C++, no Asio.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace gw::alloc {

// Who asks for a buffer decides how much of the pool it may touch (the seed's
// "margin"): a critical allocation may take the very last buffer, a normal one
// must leave `reserve` buffers free behind it.
enum class buffer_class : std::uint8_t {
    critical = 0, // response buffers, replies the gateway writes itself, admin requests
    normal = 1,   // request buffers from clients
};
inline constexpr std::size_t buffer_class_count = 2;

std::string_view to_string(buffer_class c) noexcept;

// How a release offers buffers to waiting coroutines. Only reserve_aware is meant
// for production; the other two exist to reproduce the seed's comparison.
enum class wake_strategy : std::uint8_t {
    reserve_aware, // resume at most free - reserve/2 - resumed_not_yet_running, never a loser
    per_release,   // resume one waiter per released buffer, whatever it asked for
    wake_all,      // resume every waiter on every release (the naive scheme)
};

std::string_view to_string(wake_strategy s) noexcept;
// "reserve-aware", "per-release" or "wake-all"; nullopt for anything else.
std::optional<wake_strategy> parse_wake_strategy(std::string_view name) noexcept;

struct pool_limits {
    std::size_t buffer_size = 16 * 1024; // bytes per buffer
    std::size_t limit = 0;               // buffers in all; 0 = unbounded
    std::size_t reserve = 2;             // buffers only critical allocations may take
    wake_strategy strategy = wake_strategy::reserve_aware;
};

// A byte budget expressed as a buffer count (rounded down), as `buffers.memory` is.
constexpr std::size_t limit_from_memory(std::size_t bytes, std::size_t buffer_size) noexcept {
    return buffer_size == 0 ? 0 : bytes / buffer_size;
}

} // namespace gw::alloc
