// gateway: loads the configuration, starts the workers, drains on SIGTERM/SIGINT.
#include <chrono>
#include <csignal>
#include <iostream>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "config/check.hpp"
#include "config/load.hpp"
#include "gateway/cli.hpp"
#include "gateway/gateway.hpp"

namespace net = boost::asio;

namespace {

int run(const std::string& path) {
    auto loaded = gw::config::load_file(path);
    if (!loaded.config) {
        for (const auto& e : loaded.errors)
            std::cerr << gw::config::to_string(e) << '\n';
        return 2;
    }
    std::signal(SIGPIPE, SIG_IGN);
    std::unique_ptr<gw::gateway> gateway;
    try {
        gateway = std::make_unique<gw::gateway>(loaded.config);
    } catch (const std::exception& e) {
        std::cerr << "gateway: " << e.what() << '\n';
        return 1;
    }
    const auto& cfg = *loaded.config;
    for (std::size_t i = 0; i < cfg.listeners.size(); ++i) {
        const auto ep = gateway->listener_endpoint(i);
        std::cerr << "gateway: listener '" << cfg.listeners[i].name << "' on " << ep.address()
                  << ':' << ep.port() << '\n';
    }
    std::cerr << "gateway: " << gateway->worker_count() << " workers, buffers "
              << cfg.buffers.size << " B x "
              << (cfg.buffers.limit ? std::to_string(cfg.buffers.limit) : std::string("unbounded"))
              << ", reserve " << cfg.buffers.reserve << '\n';
    gateway->start();

    // The main thread only waits for a signal, then for the workers.
    net::io_context main_ctx(1);
    net::signal_set signals(main_ctx, SIGTERM, SIGINT);
    net::steady_timer deadline(main_ctx);
    signals.async_wait([&](const boost::system::error_code& ec, int sig) {
        if (ec)
            return;
        std::cerr << "gateway: signal " << sig << ", draining (up to "
                  << cfg.global.shutdown_timeout.count() << " ms)\n";
        gateway->drain();
        deadline.expires_after(cfg.global.shutdown_timeout);
        deadline.async_wait([&](const boost::system::error_code& tec) {
            if (!tec) {
                std::cerr << "gateway: shutdown timeout, closing remaining connections\n";
                gateway->abort();
            }
        });
    });
    std::thread joiner([&] {
        gateway->wait();
        net::post(main_ctx, [&] {
            signals.cancel();
            deadline.cancel();
        });
    });
    main_ctx.run();
    joiner.join();
    std::cerr << "gateway: stopped\n";
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    std::string error;
    const auto cl = gw::parse_command_line(args, error);
    if (!cl) {
        std::cerr << "gateway: " << error << "\n\n" << gw::usage_text;
        return 2;
    }
    switch (cl->what) {
    case gw::command_line::action::help:
        std::cout << gw::usage_text;
        return 0;
    case gw::command_line::action::version:
        std::cout << gw::version_text;
        return 0;
    case gw::command_line::action::check:
        return gw::config::run_check(cl->config_path, std::cout, std::cerr);
    case gw::command_line::action::run:
        return run(cl->config_path);
    }
    return 2;
}
