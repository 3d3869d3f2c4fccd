#pragma once
// Runs the corpus through a proxy and judges each vector (vectors.hpp): the
// client side is a plain blocking socket, the server side the observer.
//   pass     the preferred outcome (served exactly, or refused)
//   lenient  a safe outcome that is not the preferred one
//   unsafe   the server saw something the client did not mean, or the client
//            got responses that do not match its requests one for one

#include <cstdint>
#include <string>
#include <vector>

#include "bench/corpus/observer.hpp"
#include "bench/corpus/vectors.hpp"

namespace gw::corpus {

enum class verdict { pass, lenient, unsafe };
const char* to_string(verdict v) noexcept;

struct vector_result {
    std::string category;
    std::string name;
    verdict outcome = verdict::unsafe;
    std::string detail; // what the server saw and the client got, one line
};

struct judge_options {
    std::uint16_t proxy_port = 0;
    // After the last byte, how long the client waits for more before judging.
    int quiet_ms = 250;
    // The longest a vector may take on the client side.
    int max_ms = 4000;
};

vector_result run_request_vector(const request_vector& v, observer& origin, const judge_options& o);
// `index` into response_vectors().
vector_result run_response_vector(std::size_t index, observer& origin, const judge_options& o);

// Every vector of both kinds, in corpus order.
std::vector<vector_result> run_corpus(observer& origin, const judge_options& o);

} // namespace gw::corpus
