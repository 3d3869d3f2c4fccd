#include "gateway/tls/ticket_keys.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

namespace gw::tls {

ticket_keys::ticket_keys(clock_type::duration rotation)
    : rotation_(rotation), aes_(EVP_CIPHER_fetch(nullptr, "AES-256-CBC", nullptr)) {
    if (aes_ == nullptr) throw std::runtime_error("OpenSSL has no AES-256-CBC for session tickets");
    rotate();
}

ticket_keys::~ticket_keys() {
    EVP_CIPHER_free(aes_);
}

void ticket_keys::rotate() {
    std::lock_guard lock(rotating_);
    rotate_locked(ring_.load());
}

void ticket_keys::rotate_locked(const std::shared_ptr<const ring>& old) {
    auto next = std::make_shared<ring>();
    key k;
    if (RAND_bytes(k.name.data(), k.name.size()) != 1 || RAND_bytes(k.aes.data(), k.aes.size()) != 1 ||
        RAND_bytes(k.hmac.data(), k.hmac.size()) != 1)
        throw std::runtime_error("no random bytes for a session-ticket key");
    next->keys.push_back(k);
    if (old)
        for (std::size_t i = 0; i < old->keys.size() && next->keys.size() < kept; ++i)
            next->keys.push_back(old->keys[i]);
    next->expires = clock_type::now() + rotation_;
    ring_.store(std::move(next));
    rotations_.fetch_add(1, std::memory_order_relaxed);
}

std::shared_ptr<const ticket_keys::ring> ticket_keys::current() {
    auto r = ring_.load();
    if (clock_type::now() < r->expires) return r;
    std::lock_guard lock(rotating_);
    r = ring_.load();
    if (clock_type::now() >= r->expires) {
        try {
            rotate_locked(r);
        } catch (const std::exception&) {
            return r; // no randomness now: keep the old key a little longer
        }
        r = ring_.load();
    }
    return r;
}

int ticket_keys::on_ticket(unsigned char name[16], unsigned char iv[16], EVP_CIPHER_CTX* cipher,
                           EVP_MAC_CTX* mac, int encrypt) {
    const auto r = current();
    const key* k = nullptr;
    if (encrypt) {
        k = &r->keys.front();
        if (RAND_bytes(iv, EVP_MAX_IV_LENGTH) != 1) return -1;
        std::memcpy(name, k->name.data(), k->name.size());
    } else {
        const auto it = std::find_if(r->keys.begin(), r->keys.end(), [name](const key& x) {
            return std::memcmp(x.name.data(), name, x.name.size()) == 0;
        });
        if (it == r->keys.end()) return 0; // unknown or too old: a full handshake
        k = &*it;
    }
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY, const_cast<unsigned char*>(k->hmac.data()),
                                          k->hmac.size()),
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>("SHA256"), 0),
        OSSL_PARAM_construct_end()};
    if (EVP_MAC_CTX_set_params(mac, params) != 1) return -1;
    const int ok = encrypt ? EVP_EncryptInit_ex(cipher, aes_, nullptr, k->aes.data(), iv)
                           : EVP_DecryptInit_ex(cipher, aes_, nullptr, k->aes.data(), iv);
    if (ok != 1) return -1;
    // A ticket under an older key is accepted and replaced by one under the current key.
    return encrypt || k == &r->keys.front() ? 1 : 2;
}

} // namespace gw::tls
