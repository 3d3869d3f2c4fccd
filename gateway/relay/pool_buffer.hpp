#pragma once
// A Beast dynamic buffer over pool memory: what a connection has read and not
// yet relayed, over the head area of a pool buffer (alloc/). The owner points
// it at a new lease with reset().

#include <boost/beast/core/flat_static_buffer.hpp>

namespace gw {

class pool_buffer : public boost::beast::flat_static_buffer_base {
public:
    pool_buffer() noexcept : flat_static_buffer_base(nullptr, 0) {}
    using flat_static_buffer_base::reset;
};

} // namespace gw
