#pragma once
// OpenSSL's error queue as one line of text, and the exception that start-up
// and reloads throw when a file or a setting is refused.

#include <stdexcept>
#include <string>

#include "config/config.hpp"

namespace gw::tls {

// Empties this thread's OpenSSL error queue into "reason; reason" (the library's
// own words, e.g. "no start line" for a file that is not PEM); `fallback` when
// the queue is empty.
std::string take_errors(const char* fallback = "unknown error");

// A certificate, key or setting that cannot be used. what() is one line that
// names where it is set, the file and the reason.
class load_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Throws load_error("<what>: <OpenSSL's reasons>").
[[noreturn]] void refuse(const std::string& what);
// Throws load_error("<where f is set>: cannot load <f's path>: <reason>").
[[noreturn]] void refuse_file(const config::file_setting& f, const std::string& reason);

} // namespace gw::tls
