#include "gateway/http1/route_rules.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace gw {

namespace http = boost::beast::http;

namespace {

std::string render_value(const std::vector<config::value_part>& parts, const rule_values& v) {
    std::string out;
    for (const auto& p : parts) {
        if (!p.is_variable) {
            out += p.text;
            continue;
        }
        switch (p.variable) {
        case config::field_variable::client_address: out += v.client_address; break;
        case config::field_variable::request_id: out += v.request_id; break;
        case config::field_variable::host: out += v.host; break;
        case config::field_variable::path: out += v.path; break;
        case config::field_variable::scheme: out += v.scheme; break;
        }
    }
    return out;
}

// Appends `s` at `at` if it fits before `end`.
bool put(char*& at, char* end, std::string_view s) noexcept {
    if (static_cast<std::size_t>(end - at) < s.size())
        return false;
    if (s.empty())
        return true; // (an empty view's data() may be null: memcpy must not see it)
    std::memcpy(at, s.data(), s.size());
    at += s.size();
    return true;
}

} // namespace

void apply_field_rules(http::fields& f, std::span<const config::header_rule> rules, const rule_values& v) {
    for (const auto& r : rules) {
        switch (r.what) {
        case config::header_rule::action::remove: f.erase(r.name); break;
        case config::header_rule::action::set: f.set(r.name, render_value(r.value, v)); break;
        case config::header_rule::action::add: f.insert(r.name, render_value(r.value, v)); break;
        }
    }
}

std::string_view path_of(std::string_view target) noexcept {
    return target.substr(0, target.find('?'));
}

std::string rewrite_target(const config::route_config& r, std::string_view target) {
    std::string out = r.replace_prefix.value_or(std::string());
    out += target.substr(std::min(r.path_prefix.size(), target.size()));
    if (!out.starts_with('/'))
        out.insert(out.begin(), '/'); // ("/api" stripped from "/api?x" or "/api/x" left "?x" or "/x")
    return out;
}

std::string redirect_location(const config::redirect_config& r, std::string_view scheme, std::string_view host,
                              std::string_view target) {
    const auto query = target.find('?');
    std::string out = r.scheme.empty() ? std::string(scheme) : r.scheme;
    out += "://";
    out += r.host.empty() ? host : std::string_view(r.host);
    out += r.path.empty() ? path_of(target) : std::string_view(r.path);
    if (query != std::string_view::npos)
        out += target.substr(query);
    return out;
}

std::size_t render_response(const response_head& h, std::string_view body, bool head_request, char* out,
                            std::size_t capacity) noexcept {
    char* at = out;
    char* const end = out + capacity;
    char line[64];
    const auto reason = h.reason().empty() ? http::obsolete_reason(h.result()) : h.reason();
    const int n = std::snprintf(line, sizeof line, "HTTP/1.1 %u ", h.result_int());
    bool ok = n > 0 && put(at, end, std::string_view(line, static_cast<std::size_t>(n))) && put(at, end, reason) &&
              put(at, end, "\r\n");
    for (const auto& f : h) {
        ok = ok && put(at, end, f.name_string()) && put(at, end, ": ") && put(at, end, f.value()) &&
             put(at, end, "\r\n");
    }
    const int m = std::snprintf(line, sizeof line, "Content-Length: %zu\r\n\r\n", body.size());
    ok = ok && m > 0 && put(at, end, std::string_view(line, static_cast<std::size_t>(m)));
    if (!head_request)
        ok = ok && put(at, end, body);
    return ok ? static_cast<std::size_t>(at - out) : 0;
}

} // namespace gw
