#pragma once
// Session-ticket keys of one listener, shared by all its workers so that a
// ticket issued on one worker resumes on any other. The newest key encrypts
// new tickets for `rotation`, then a fresh one takes over; the two before it
// still decrypt (a ticket lives at most three rotations), and a ticket under
// an older key costs a full handshake. Rotation happens on the first ticket
// issued after the period ends, so no timer is needed; the key ring is an
// immutable value behind an atomic pointer, so a handshake takes no lock
// unless it is the one that rotates.

#include <array>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <vector>

#include <openssl/ssl.h>

namespace gw::tls {

class ticket_keys {
public:
    using clock_type = std::chrono::steady_clock;
    explicit ticket_keys(clock_type::duration rotation);
    ~ticket_keys();
    ticket_keys(const ticket_keys&) = delete;
    ticket_keys& operator=(const ticket_keys&) = delete;

    // For tests: rotate now, as if the period had ended.
    void rotate();
    std::size_t rotations() const noexcept { return rotations_.load(std::memory_order_relaxed); }

    // OpenSSL's ticket callback body (see SSL_CTX_set_tlsext_ticket_key_evp_cb).
    int on_ticket(unsigned char name[16], unsigned char iv[16], EVP_CIPHER_CTX* cipher,
                  EVP_MAC_CTX* mac, int encrypt);

private:
    struct key {
        std::array<unsigned char, 16> name;
        std::array<unsigned char, 32> aes;
        std::array<unsigned char, 32> hmac;
    };
    struct ring {
        std::vector<key> keys; // [0]: the current one
        clock_type::time_point expires;
    };
    static constexpr std::size_t kept = 3;

    std::shared_ptr<const ring> current();
    void rotate_locked(const std::shared_ptr<const ring>& old);

    clock_type::duration rotation_;
    // Fetched once: OpenSSL 3 looks a cipher named by the old EVP_aes_256_cbc()
    // up again on every use, under a lock, once per ticket.
    EVP_CIPHER* aes_ = nullptr;
    std::atomic<std::shared_ptr<const ring>> ring_;
    std::mutex rotating_;
    std::atomic<std::size_t> rotations_{0};
};

} // namespace gw::tls
