#include "gateway/tls/errors.hpp"

#include <openssl/err.h>

namespace gw::tls {

std::string take_errors(const char* fallback) {
    std::string out;
    while (const unsigned long e = ERR_get_error()) {
        const char* reason = ERR_reason_error_string(e);
        std::string text = reason != nullptr ? reason : "error " + std::to_string(e);
        if (out.find(text) != std::string::npos) continue; // the same reason, one layer up
        if (!out.empty()) out += "; ";
        out += text;
    }
    return out.empty() ? fallback : out;
}

void refuse(const std::string& what) {
    throw load_error(what + ": " + take_errors());
}

void refuse_file(const config::file_setting& f, const std::string& reason) {
    throw load_error(f.origin + ": cannot load " + f.path + ": " + reason);
}

} // namespace gw::tls
