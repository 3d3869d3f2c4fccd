#pragma once
// Heads written as bytes.

#include <cstddef>

#include "gateway/http1/message.hpp"

namespace gw {

// Writes a head (start line, fields, empty line) to out[0, cap) as one
// contiguous block, as Beast's serializer would emit it in pieces; 0 when it
// does not fit. One buffer instead of four per field: cheaper to gather in user
// space and to copy in the kernel.
std::size_t serialize_head(const request_head& h, char* out, std::size_t cap) noexcept;
std::size_t serialize_head(const response_head& h, char* out, std::size_t cap) noexcept;

} // namespace gw
