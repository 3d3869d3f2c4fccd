#pragma once
// HTTP basic authentication (RFC 7617) against a users file of "user:hash"
// lines, the hashes checked by libcrypt (libxcrypt in Debian: bcrypt, SHA-crypt,
// yescrypt), the same files `htpasswd -B` and `mkpasswd` write.
//
// A slow hash is the point of those schemes (bcrypt at cost 10 takes tens of
// milliseconds), and a worker that computes one stops serving meanwhile, as
// nginx's does. So a credential that verified is remembered: a bounded set of
// keyed SHA-256 digests of "user:password" (the key random per process), so
// that a client's next requests cost a digest, not a hash. Failures are
// never remembered; client_rate bounds what a guesser can make a worker spend.

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "config/config.hpp"

namespace gw::policy {

// A users file that cannot be used: one line naming the file (where the
// config names it), the line and the reason.
struct users_file_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class user_list {
public:
    // Reads and checks the file; throws users_file_error.
    explicit user_list(const config::basic_auth_config& c);

    // Whether an Authorization field value ("Basic <base64>") names a user of
    // the file with its password. Any thread.
    bool verify(std::string_view authorization) const;

    const std::string& realm() const noexcept { return realm_; }
    std::size_t size() const noexcept { return users_.size(); }

    // Credentials remembered at most (digests of 32 bytes).
    static constexpr std::size_t remembered_max = 4096;

private:
    using digest = std::array<std::uint8_t, 32>;
    struct digest_hash {
        std::size_t operator()(const digest& d) const noexcept;
    };
    digest digest_of(std::string_view credentials) const;

    std::string realm_;
    std::unordered_map<std::string, std::string> users_; // user -> hash
    std::array<std::uint8_t, 32> key_{};
    mutable std::mutex mutex_;
    mutable std::unordered_map<digest, bool, digest_hash> remembered_;
};

// Per route, in config order: its users, or null for a route without
// basic_auth. Throws users_file_error (start, reload and --check).
std::vector<std::shared_ptr<const user_list>> load_user_lists(const config::gateway_config& cfg);

// "Basic <base64 of user:password>" -> "user:password"; false when not that.
bool decode_basic(std::string_view authorization, std::string& out);

} // namespace gw::policy
