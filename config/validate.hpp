// Internal to config/: the checks that span several values (names unique, references
// defined, ports not bound twice, buffer arithmetic), run once the whole file is read.
#pragma once

#include "config/config.hpp"
#include "config/context.hpp"

namespace gw::config::detail {

// Reports every violated cross-check to `cx`, skipping rules whose inputs already failed
// to load. Also completes the values derived from others: buffers.limit from
// buffers.memory / buffers.size.
void validate(gateway_config& config, load_context& cx);

} // namespace gw::config::detail
