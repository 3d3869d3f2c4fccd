// bench/byte_relay, the floor that proxy-compare.py measures beside the proxies: a
// floor only means something if the relay moves every byte, so gwbench runs
// through it, small and large responses, through user memory and with splice.
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <csignal>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/gwbench/load.hpp"
#include "test/bench/bench_harness.hpp"

extern char** environ;

using namespace gw::bench;
using namespace gw::bench::test;

namespace {

bool accepts(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool ok = ::connect(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    return ok;
}

// byte_relay as a child process on a free port; stopped and reaped on destruction.
class relay_process {
public:
    relay_process(std::uint16_t origin_port, bool splice) : port_(refused_port()) {
        std::vector<std::string> args{GW_BYTE_RELAY, std::to_string(port_),
                                      std::to_string(origin_port)};
        if (splice)
            args.emplace_back("--splice");
        std::vector<char*> argv;
        for (auto& a : args)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        started_ = ::posix_spawn(&pid_, argv[0], nullptr, nullptr, argv.data(), environ) == 0;
        for (int i = 0; started_ && i < 500 && !accepts(port_); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ~relay_process() {
        if (!started_)
            return;
        ::kill(pid_, SIGTERM);
        int status = 0;
        ::waitpid(pid_, &status, 0);
    }
    bool started() const { return started_; }
    std::string url(std::size_t size) const {
        return "http://127.0.0.1:" + std::to_string(port_) + "/?size=" + std::to_string(size);
    }

private:
    std::uint16_t port_;
    pid_t pid_ = -1;
    bool started_ = false;
};

} // namespace

BOOST_AUTO_TEST_SUITE(byte_relay_suite)

BOOST_AUTO_TEST_CASE(every_byte_goes_through_copying_and_splicing) {
    origin_thread origin;
    for (const bool splice : {false, true}) {
        relay_process relay(origin.port(), splice);
        BOOST_REQUIRE(relay.started());
        for (const auto& [size, n] : {std::pair<std::size_t, std::uint64_t>{64, 200},
                                      std::pair<std::size_t, std::uint64_t>{262'144, 20}}) {
            load_options o;
            o.url = relay.url(size);
            o.requests = n;
            o.connections = 4;
            o.threads = 1;
            o.timeout = std::chrono::milliseconds(2000); // a lost byte: fail in seconds
            const auto r = run_load(o);
            BOOST_TEST_CONTEXT("splice " << splice << ", " << size << " B") {
                BOOST_TEST(r.errors_total() == 0u);
                BOOST_TEST(r.requests == n);
                BOOST_TEST(r.status[200] == n);
                BOOST_TEST(r.bytes_read >= n * size);
            }
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
