#pragma once
// The attack corpus: HTTP/1.1 framing vectors a client (request vectors) or a
// misbehaving server (response vectors) sends through a proxy, each with the
// outcomes that are safe. Plain data, no I/O; judge.hpp runs them.
//
// A request vector is safe when the server saw a prefix of `expect` (or of one
// of `also_safe`), exactly those requests with exactly those bodies, the client
// got one origin response per request that reached the server, in order, and,
// when the prefix is shorter than the whole sequence, the proxy ended with an
// error response (4xx/5xx) or a close. Anything else (a request the client did
// not mean, a body of another length, a response for a request nobody sent, a
// head the strict observer cannot read the one way) is unsafe.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace gw::corpus {

// One request as the server should see it: method, origin-form target, the
// Host value and the decoded body bytes.
struct intended {
    std::string method;
    std::string target;
    std::string host;
    std::string body;
};
using reading = std::vector<intended>;

struct request_vector {
    std::string category; // e.g. "CL.TE", "host", "chunk-size"
    std::string name;     // unique within the corpus, one line
    std::string bytes;    // what the client sends, exactly
    // The preferred reading: what a strict proxy forwards. Empty: reject all.
    reading expect;
    // After `expect`, the rest of `bytes` must be refused (4xx or close).
    bool then_reject = true;
    // Other readings that are safe but not preferred (a lenient proxy's).
    std::vector<reading> also_safe;
    // > 0: the client sends `bytes` in pieces of `piece` bytes, pausing
    // `pause_ms` between them (slow senders, heads split across reads).
    std::size_t piece = 0;
    int pause_ms = 0;
};

struct response_vector {
    std::string category;
    std::string name;
    std::string bytes;         // what the server answers to the vector's request
    bool close_after = false;  // the server closes its connection after sending
    std::string method = "GET"; // the request's method (HEAD for HEAD vectors)
    // The response as the client should see it when relayed: status and
    // decoded body. relay_status == 0: only a 502 or a close is safe.
    unsigned relay_status = 0;
    std::string relay_body;
    // Preferred outcome: relayed exactly (true) or refused with 502/close (false).
    bool valid = false;
};

// Every request vector (at least 150) and every response vector (at least 30).
const std::vector<request_vector>& request_vectors();
const std::vector<response_vector>& response_vectors();

// The Host every request vector uses unless it tests Host itself.
inline constexpr std::string_view default_host = "corpus.test";

} // namespace gw::corpus
