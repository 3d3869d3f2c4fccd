// The PROXY protocol header reader on any bytes, read the way the session
// reads it (8 bytes, then a v2 header's announced size or a v1 line to its
// LF): it never reads past what it was given, and an address it accepts
// writes back as a header that reads the same.
#include <cstdint>
#include <cstring>
#include <string_view>

#include "fuzz/fuzz_check.hpp"
#include "gateway/policy/proxy_protocol.hpp"

using namespace gw::policy;
using gw::fuzz::require;

namespace {

void round_trip(const proxy_header& h) {
    if (!h.valid || !h.has_address)
        return;
    std::uint8_t v2[proxy_header_max];
    const auto n = write_proxy_v2(h.source, h.destination, v2, sizeof v2);
    require(n != 0, "an accepted address that does not write as v2");
    const auto again = parse_proxy_v2(v2, n);
    require(again.valid && again.has_address, "a written v2 header that does not read");
    require(again.source.port == h.source.port && again.destination.port == h.destination.port,
            "ports changed through v2");
    char v1[proxy_v1_max + 1];
    const auto m = write_proxy_v1(h.source, h.destination, v1, sizeof v1);
    require(m != 0 && m <= proxy_v1_max, "an accepted address that does not write as v1");
    const auto line = parse_proxy_v1(std::string_view(v1, m));
    require(line.valid && line.has_address, "a written v1 line that does not read");
    require(line.source.port == h.source.port, "the source port changed through v1");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < proxy_prefix_size)
        return 0;
    switch (proxy_version_of(data)) {
    case proxy_version::v2: {
        if (size < proxy_v2_fixed)
            return 0;
        const std::size_t n = proxy_v2_size(data);
        if (n == 0 || n > size)
            return 0;
        round_trip(parse_proxy_v2(data, n));
        break;
    }
    case proxy_version::v1: {
        const std::size_t limit = size < proxy_v1_max ? size : proxy_v1_max;
        const void* lf = std::memchr(data, '\n', limit);
        if (lf == nullptr)
            return 0;
        const std::size_t n = static_cast<std::size_t>(static_cast<const std::uint8_t*>(lf) - data) + 1;
        round_trip(parse_proxy_v1(std::string_view(reinterpret_cast<const char*>(data), n)));
        break;
    }
    case proxy_version::none:
        break;
    }
    return 0;
}
