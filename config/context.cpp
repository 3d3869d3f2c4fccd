#include "config/context.hpp"

#include <algorithm>

namespace gw::config::detail {

position load_context::find(std::string_view path) const {
    std::string p(path);
    while (true) {
        if (const auto it = positions_.find(p); it != positions_.end()) return it->second;
        // Strip the last component: ".key" or "[index]".
        const auto cut = p.find_last_of(".[");
        if (cut == std::string::npos) break;
        p.resize(cut);
    }
    if (const auto it = positions_.find(""); it != positions_.end()) return it->second;
    return {};
}

void load_context::error(const std::string& path, std::string message) {
    failed_.insert(path);
    error_at(find(path), std::move(message));
}

void load_context::error_at(position at, std::string message) {
    errors_.push_back({file_, std::max(at.line, 1), std::max(at.column, 1), one_line(message)});
}

std::vector<diagnostic> load_context::take_errors() {
    std::stable_sort(errors_.begin(), errors_.end(), [](const diagnostic& a, const diagnostic& b) {
        return a.line != b.line ? a.line < b.line : a.column < b.column;
    });
    return std::move(errors_);
}

} // namespace gw::config::detail
