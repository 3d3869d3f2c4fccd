#pragma once
// gwbench's version: the project's, passed in by CMake (GW_VERSION).

#include <string_view>

#ifndef GW_VERSION
#define GW_VERSION "unknown"
#endif

namespace gw::bench {

inline constexpr std::string_view version = GW_VERSION;

} // namespace gw::bench
