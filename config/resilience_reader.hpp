// Internal to config/: a backend's resilience to its servers' failures:
// passive health ([backends.passive_health]) and the retries of requests.
#pragma once

#include "config/config.hpp"
#include "config/context.hpp"
#include "config/reader.hpp"

namespace gw::config::detail {

void read_passive_health(table_reader& backend, backend_config& b, load_context& cx);
// retry_on, try_timeout, retry_budget, retry_header.
void read_retry(table_reader& backend, backend_config& b);

} // namespace gw::config::detail
