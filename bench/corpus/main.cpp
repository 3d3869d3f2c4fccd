// gwcorpus: runs the attack corpus through any HTTP/1.1 proxy.
//
//   gwcorpus --proxy-port 8080 --origin-port 9000 [--json out.json] [--fail-unsafe]
//   gwcorpus --dump DIR    (the vectors as fuzzing seeds: DIR/request_head, DIR/response)
//
// It starts the strict observer origin on 127.0.0.1:<origin-port> (the proxy
// must forward there, with the client's Host), waits for the proxy to accept
// on 127.0.0.1:<proxy-port>, runs every vector and prints pass / lenient /
// unsafe per category, then every unsafe vector with what happened.
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench/corpus/judge.hpp"

namespace {

bool accepts(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    return ok;
}

std::string json_escape(const std::string& s) {
    std::string out;
    for (unsigned char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c < 0x20 || c >= 0x7f) {
            char b[8];
            std::snprintf(b, sizeof b, "\\u%04x", c);
            out += b;
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

// Writes every vector as a seed file for the fuzzers (fuzz/): request vectors
// under request_head/, response vectors under response/, each behind the one
// byte the harness reads first (read size; HEAD or not).
int dump(const std::string& dir) {
    using namespace gw::corpus;
    const auto write = [](const std::string& path, char first, const std::string& bytes) {
        std::ofstream out(path, std::ios::binary);
        out.put(first);
        out << bytes;
        return static_cast<bool>(out);
    };
    const auto& req = request_vectors();
    for (std::size_t i = 0; i < req.size(); ++i) {
        const char piece = i % 7 == 0 ? 2 : 63; // a few seeds arrive 3 bytes per read
        if (!write(dir + "/request_head/vector-" + std::to_string(i), piece, req[i].bytes))
            return 1;
    }
    const auto& res = response_vectors();
    for (std::size_t i = 0; i < res.size(); ++i)
        if (!write(dir + "/response/vector-" + std::to_string(i), res[i].method == "HEAD" ? 1 : 0,
                   res[i].bytes))
            return 1;
    return 0;
}

int usage() {
    std::fprintf(stderr, "usage: gwcorpus --proxy-port N [--origin-port N] [--json FILE] "
                         "[--quiet-ms N] [--fail-unsafe] [--only NAME-PREFIX]\n"
                         "       gwcorpus --dump DIR\n");
    return 64;
}

} // namespace

int main(int argc, char** argv) {
    using namespace gw::corpus;
    judge_options o;
    unsigned origin_port = 0;
    std::string json_path, only;
    bool fail_unsafe = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const auto value = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
        if (a == "--proxy-port")
            o.proxy_port = static_cast<std::uint16_t>(std::atoi(value().c_str()));
        else if (a == "--origin-port")
            origin_port = static_cast<unsigned>(std::atoi(value().c_str()));
        else if (a == "--json")
            json_path = value();
        else if (a == "--quiet-ms")
            o.quiet_ms = std::atoi(value().c_str());
        else if (a == "--only")
            only = value();
        else if (a == "--fail-unsafe")
            fail_unsafe = true;
        else if (a == "--dump")
            return dump(value());
        else
            return usage();
    }
    if (o.proxy_port == 0 || origin_port > 65535)
        return usage();
    observer origin(static_cast<std::uint16_t>(origin_port));
    std::fprintf(stderr, "gwcorpus: observer on 127.0.0.1:%u, proxy on 127.0.0.1:%u\n",
                 origin.port(), o.proxy_port);
    for (int i = 0; i < 100 && !accepts(o.proxy_port); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (!accepts(o.proxy_port)) {
        std::fprintf(stderr, "gwcorpus: nothing accepts on 127.0.0.1:%u\n", o.proxy_port);
        return 1;
    }

    std::vector<vector_result> results;
    for (const auto& v : request_vectors())
        if (v.name.starts_with(only))
            results.push_back(run_request_vector(v, origin, o));
    for (std::size_t i = 0; i < response_vectors().size(); ++i)
        if (response_vectors()[i].name.starts_with(only))
            results.push_back(run_response_vector(i, origin, o));

    std::map<std::string, std::array<int, 3>> by_category;
    std::array<int, 3> total{};
    for (const auto& r : results) {
        ++by_category[r.category][static_cast<std::size_t>(r.outcome)];
        ++total[static_cast<std::size_t>(r.outcome)];
    }
    std::printf("%-22s %6s %8s %7s\n", "category", "pass", "lenient", "unsafe");
    for (const auto& [cat, n] : by_category)
        std::printf("%-22s %6d %8d %7d\n", cat.c_str(), n[0], n[1], n[2]);
    std::printf("%-22s %6d %8d %7d\n", "all", total[0], total[1], total[2]);
    for (const auto& r : results)
        if (r.outcome != verdict::pass)
            std::printf("%-7s %s / %s: %s\n", to_string(r.outcome), r.category.c_str(), r.name.c_str(),
                        r.detail.c_str());
    if (!json_path.empty()) {
        std::ofstream out(json_path);
        out << "{\"vectors\": [\n";
        for (std::size_t i = 0; i < results.size(); ++i) {
            const auto& r = results[i];
            out << "  {\"category\": \"" << json_escape(r.category) << "\", \"name\": \""
                << json_escape(r.name) << "\", \"outcome\": \"" << to_string(r.outcome)
                << "\", \"detail\": \"" << json_escape(r.detail) << "\"}"
                << (i + 1 < results.size() ? ",\n" : "\n");
        }
        out << "]}\n";
    }
    return fail_unsafe && total[2] != 0 ? 2 : 0;
}
