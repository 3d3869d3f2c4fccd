// The TOML loader on any text: it never crashes, never throws, and keeps its
// contract (config/load.hpp): a configuration or errors, never both or
// neither, and each error is one line naming file:line:col.
#include <cstdint>
#include <string_view>

#include "config/load.hpp"
#include "fuzz/fuzz_check.hpp"

using gw::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto r = gw::config::load_string(text, "fuzz.toml");
    require((r.config == nullptr) == !r.errors.empty(), "a config and errors, or neither");
    for (const auto& e : r.errors) {
        const auto line = gw::config::to_string(e);
        require(line.find('\n') == std::string::npos, "an error of more than one line");
        require(line.starts_with("fuzz.toml:"), "an error that does not name the file");
    }
    return 0;
}
