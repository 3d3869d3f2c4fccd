#include "gateway/http1/head.hpp"

#include <cstring>
#include <string_view>

namespace gw {

namespace http = boost::beast::http;
using boost::beast::iequals;

namespace {

// Appends to out[0, cap) while it fits; `fits` turns false for good otherwise.
struct head_writer {
    char* out;
    std::size_t cap;
    std::size_t n = 0;
    bool fits = true;
    void put(std::string_view s) noexcept {
        if (!fits || s.size() > cap - n) {
            fits = false;
            return;
        }
        std::memcpy(out + n, s.data(), s.size());
        n += s.size();
    }
    void version(unsigned v) noexcept {
        const char text[] = {'H', 'T', 'T', 'P', '/', static_cast<char>('0' + v / 10), '.',
                             static_cast<char>('0' + v % 10)};
        put({text, sizeof text});
    }
    std::size_t fields(const http::fields& f) noexcept {
        put("\r\n");
        for (const auto& field : f) {
            put(field.name_string());
            put(": ");
            put(field.value());
            put("\r\n");
        }
        put("\r\n");
        return fits ? n : 0;
    }
};

} // namespace

std::size_t serialize_head(const request_head& h, char* out, std::size_t cap) noexcept {
    head_writer w{out, cap};
    w.put(h.method_string());
    w.put(" ");
    w.put(h.target());
    w.put(" ");
    w.version(h.version());
    return w.fields(h);
}

std::size_t serialize_head(const response_head& h, char* out, std::size_t cap) noexcept {
    head_writer w{out, cap};
    w.version(h.version());
    const unsigned status = h.result_int();
    const char code[] = {' ', static_cast<char>('0' + status / 100 % 10),
                         static_cast<char>('0' + status / 10 % 10),
                         static_cast<char>('0' + status % 10), ' '};
    w.put({code, sizeof code});
    const auto reason = h.reason();
    w.put(reason.empty() ? http::obsolete_reason(h.result()) : reason);
    return w.fields(h);
}

} // namespace gw
