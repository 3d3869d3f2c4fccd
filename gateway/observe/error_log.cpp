#include "gateway/observe/error_log.hpp"

#include <atomic>
#include <string>

#include <unistd.h>

namespace gw {

namespace {
std::atomic<int> threshold{static_cast<int>(config::log_level::info)};

const char* name_of(config::log_level l) {
    switch (l) {
    case config::log_level::debug:
        return "debug";
    case config::log_level::info:
        return "info";
    case config::log_level::warning:
        return "warning";
    case config::log_level::error:
        return "error";
    }
    return "info";
}
} // namespace

void set_error_log_level(config::log_level level) noexcept {
    threshold.store(static_cast<int>(level));
}

void error_log(config::log_level level, std::string_view message) noexcept {
    if (static_cast<int>(level) < threshold.load(std::memory_order_relaxed))
        return;
    try {
        std::string line = "gateway: ";
        line.append(name_of(level)).append(": ").append(message).append("\n");
        (void)::write(2, line.data(), line.size());
    } catch (...) {
        // out of memory while logging: nothing sensible left to do
    }
}

} // namespace gw
