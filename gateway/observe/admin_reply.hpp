#pragma once
// What the admin listener answers: a status, a body and its type; written by
// admin.cpp with Content-Length and Cache-Control: no-store.

#include <string>

namespace gw {

struct admin_reply {
    unsigned status = 200;
    const char* content_type = "text/plain; charset=utf-8";
    std::string body;
    std::string extra_headers; // whole lines, each ending in CRLF ("Allow: GET\r\n")
};

inline admin_reply text_reply(unsigned status, std::string text) {
    return admin_reply{status, "text/plain; charset=utf-8", std::move(text), {}};
}

} // namespace gw
