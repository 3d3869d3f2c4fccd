#pragma once
// What a harness does when a property fails: print why and abort, which
// libFuzzer reports as a crash and saves the input as an artifact.

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace gw::fuzz {

[[noreturn]] inline void violated(std::string_view what) {
    std::fprintf(stderr, "property violated: %.*s\n", static_cast<int>(what.size()), what.data());
    std::abort();
}

inline void require(bool ok, std::string_view what) {
    if (!ok)
        violated(what);
}

} // namespace gw::fuzz
