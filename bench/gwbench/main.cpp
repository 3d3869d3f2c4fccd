// gwbench: the gateway's load generator and test origin. See `gwbench --help`.
#include <csignal>
#include <cstdio>
#include <exception>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <pthread.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>

#include "bench/gwbench/cli.hpp"
#include "bench/gwbench/load.hpp"
#include "bench/gwbench/report.hpp"
#include "bench/gwbench/version.hpp"
#include "bench/origin/origin_server.hpp"

namespace {

using namespace gw::bench;

// One io_context and one SO_REUSEPORT origin_server per thread; the main thread
// waits for SIGINT/SIGTERM (blocked in every thread, taken with sigwait).
int run_origin(const origin_command& c) {
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    std::vector<std::unique_ptr<boost::asio::io_context>> iocs;
    std::vector<std::unique_ptr<origin_server>> servers;
    origin_options opts = c.opts;
    opts.reuse_port = c.threads > 1;
    std::uint16_t port = c.port;
    try {
        for (std::size_t i = 0; i < c.threads; ++i) {
            iocs.push_back(std::make_unique<boost::asio::io_context>(1));
            servers.push_back(std::make_unique<origin_server>(*iocs.back(), c.host, port, opts));
            port = servers.back()->port(); // the others share the first one's port
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "gwbench origin: cannot listen on %s:%u: %s\n", c.host.c_str(),
                     static_cast<unsigned>(c.port), e.what());
        return 1;
    }
    bool v6 = c.host.find(':') != std::string::npos;
    std::printf("origin listening on %s%s%s:%u\n", v6 ? "[" : "", c.host.c_str(), v6 ? "]" : "",
                static_cast<unsigned>(port));
    std::fflush(stdout);

    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < c.threads; ++i) {
        servers[i]->start();
        threads.emplace_back([ioc = iocs[i].get()] { ioc->run(); });
    }
    int sig = 0;
    sigwait(&stop_signals, &sig);
    for (auto& s : servers)
        s->stop(); // posted to each server's thread
    for (auto& t : threads)
        t.join();
    std::uint64_t conns = 0, reqs = 0;
    for (auto& s : servers) {
        auto k = s->counters();
        conns += k.connections;
        reqs += k.requests;
    }
    std::fprintf(stderr, "gwbench origin: stopped (%s): %llu connections, %llu requests\n",
                 sig == SIGINT ? "SIGINT" : "SIGTERM", static_cast<unsigned long long>(conns),
                 static_cast<unsigned long long>(reqs));
    servers.clear(); // before their io_contexts
    return 0;
}

int run_load_command(cli_command& c) {
    bool json_stdout = c.json_path == "-";
    c.load.progress = !json_stdout && isatty(STDOUT_FILENO);
    load_result r;
    try {
        r = run_load(c.load);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "gwbench load: %s\n", e.what());
        return 1;
    }
    std::string table = format_table(c.load, r);
    std::fputs(table.c_str(), json_stdout ? stderr : stdout);
    if (!c.json_path.empty()) {
        std::string json = format_json(c.load, r);
        if (json_stdout) {
            std::fputs(json.c_str(), stdout);
        } else {
            std::FILE* f = std::fopen(c.json_path.c_str(), "w");
            if (!f || std::fputs(json.c_str(), f) < 0 || std::fclose(f) != 0) {
                std::fprintf(stderr, "gwbench load: cannot write %s\n", c.json_path.c_str());
                return 1;
            }
        }
    }
    return c.expect_2xx && !r.all_2xx() ? 3 : 0;
}

} // namespace

int main(int argc, char** argv) {
    std::signal(SIGPIPE, SIG_IGN); // a peer's close is an error value, not a signal
    cli_command c;
    try {
        c = parse_cli(std::vector<std::string>(argv + 1, argv + argc));
    } catch (const std::invalid_argument& e) {
        std::fprintf(stderr, "gwbench: %s\n", e.what());
        return 2;
    }
    switch (c.what) {
    case cli_command::kind::help:
        std::fputs(usage(), stdout);
        return 0;
    case cli_command::kind::version:
        std::printf("gwbench %.*s\n", static_cast<int>(version.size()), version.data());
        return 0;
    case cli_command::kind::origin:
        return run_origin(c.origin);
    case cli_command::kind::load:
        return run_load_command(c);
    }
    return 0;
}
