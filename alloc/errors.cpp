#include "alloc/errors.hpp"

#include <string>

namespace gw::alloc {

namespace {
class pool_category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "gw.pool"; }
    std::string message(int ev) const override {
        switch (static_cast<pool_errc>(ev)) {
        case pool_errc::destroyed:
            return "buffer pool destroyed while waiting";
        }
        return "unknown buffer pool error";
    }
};
} // namespace

const boost::system::error_category& pool_category() noexcept {
    static const pool_category_impl category;
    return category;
}

} // namespace gw::alloc
