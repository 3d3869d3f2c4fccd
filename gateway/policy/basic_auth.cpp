#include "gateway/policy/basic_auth.hpp"

#include <crypt.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <fstream>
#include <memory>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

namespace gw::policy {

namespace {

[[noreturn]] void refuse(const config::file_setting& f, std::size_t line, const std::string& why) {
    std::string msg = f.origin;
    msg += ": ";
    msg += f.path;
    if (line != 0) {
        msg += ':';
        msg += std::to_string(line);
    }
    msg += ": ";
    msg += why;
    throw users_file_error(msg);
}

bool is_space(char c) noexcept {
    return c == ' ' || c == '\t';
}

} // namespace

bool decode_basic(std::string_view a, std::string& out) {
    // The scheme is case-insensitive (RFC 9110 11.1), one or more spaces follow.
    if (a.size() < 6 || !std::equal(a.begin(), a.begin() + 5, "basic", [](char x, char y) {
            return (x | 0x20) == y;
        }) || !is_space(a[5]))
        return false;
    a.remove_prefix(6);
    while (!a.empty() && is_space(a.front()))
        a.remove_prefix(1);
    while (!a.empty() && is_space(a.back()))
        a.remove_suffix(1);
    if (a.empty() || a.size() % 4 != 0 || a.size() > 1024)
        return false;
    out.resize(a.size() / 4 * 3);
    const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(a.data()), static_cast<int>(a.size()));
    if (n < 0)
        return false;
    // EVP_DecodeBlock counts padding as zero bytes: take them off.
    std::size_t len = static_cast<std::size_t>(n);
    for (std::size_t i = a.size(); i > 0 && a[i - 1] == '=' && len > 0; --i)
        --len;
    out.resize(len);
    return out.find(':') != std::string::npos;
}

user_list::user_list(const config::basic_auth_config& c) : realm_(c.realm) {
    std::ifstream in(c.users_file.path);
    if (!in)
        refuse(c.users_file, 0, std::string("cannot read the file: ") + std::strerror(errno));
    std::string line;
    for (std::size_t n = 1; std::getline(in, line); ++n) {
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        if (line.empty() || line.front() == '#')
            continue;
        const auto colon = line.find(':');
        if (colon == 0 || colon == std::string::npos)
            refuse(c.users_file, n, "not a \"user:hash\" line");
        std::string user = line.substr(0, colon), hash = line.substr(colon + 1);
        // The method must be one libcrypt computes and still trusts: bcrypt,
        // SHA-crypt, yescrypt; DES, MD5 and Apache's $apr1$ are refused.
        // (libcrypt reads anything that does not start with '$' as DES: a
        // password written in clear is not a hash at all.)
        const bool des_shaped = hash.size() == 13 && std::all_of(hash.begin(), hash.end(), [](char ch) {
            return std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' || ch == '/';
        });
        const int ok = hash.starts_with('$') || des_shaped ? crypt_checksalt(hash.c_str()) : CRYPT_SALT_INVALID;
        if (ok != CRYPT_SALT_OK)
            refuse(c.users_file, n,
                   "user '" + user + "': " +
                       (ok == CRYPT_SALT_METHOD_LEGACY ? "a legacy hash (DES or MD5): use bcrypt (htpasswd -B) or SHA-crypt"
                                                       : "not a hash libcrypt knows (bcrypt $2b$/$2y$, SHA-crypt $5$/$6$, yescrypt $y$)"));
        if (!users_.emplace(std::move(user), std::move(hash)).second)
            refuse(c.users_file, n, "user '" + line.substr(0, colon) + "' appears twice");
    }
    if (users_.empty())
        refuse(c.users_file, 0, "no users");
    if (RAND_bytes(key_.data(), static_cast<int>(key_.size())) != 1)
        throw users_file_error("basic_auth: no random bytes for the credential cache");
}

std::size_t user_list::digest_hash::operator()(const digest& d) const noexcept {
    std::size_t h;
    std::memcpy(&h, d.data(), sizeof h);
    return h;
}

user_list::digest user_list::digest_of(std::string_view credentials) const {
    digest d{};
    unsigned len = 0;
    HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
         reinterpret_cast<const unsigned char*>(credentials.data()), credentials.size(), d.data(), &len);
    return d;
}

bool user_list::verify(std::string_view authorization) const {
    std::string credentials;
    if (!decode_basic(authorization, credentials))
        return false;
    const auto d = digest_of(credentials);
    {
        std::lock_guard lock(mutex_);
        if (remembered_.count(d) != 0)
            return true;
    }
    const auto colon = credentials.find(':');
    const auto it = users_.find(credentials.substr(0, colon));
    if (it == users_.end())
        return false;
    const std::string password = credentials.substr(colon + 1);
    auto data = std::make_unique<crypt_data>(); // (about 32 KiB: not on a coroutine's stack)
    const char* out = crypt_r(password.c_str(), it->second.c_str(), data.get());
    const bool ok = out != nullptr && out[0] != '*' && std::strlen(out) == it->second.size() &&
                    CRYPTO_memcmp(out, it->second.data(), it->second.size()) == 0;
    OPENSSL_cleanse(data.get(), sizeof(crypt_data));
    if (ok) {
        std::lock_guard lock(mutex_);
        if (remembered_.size() >= remembered_max)
            remembered_.clear(); // (rare: more distinct logins than that between reloads)
        remembered_.emplace(d, true);
    }
    return ok;
}

std::vector<std::shared_ptr<const user_list>> load_user_lists(const config::gateway_config& cfg) {
    std::vector<std::shared_ptr<const user_list>> out;
    out.reserve(cfg.routes.size());
    for (const auto& r : cfg.routes)
        out.push_back(r.basic_auth ? std::make_shared<const user_list>(*r.basic_auth) : nullptr);
    return out;
}

} // namespace gw::policy
