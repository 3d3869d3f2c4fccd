// gateway: loads the configuration, starts the workers, drains on SIGTERM/SIGINT.
#include <algorithm>
#include <chrono>
#include <functional>
#include <csignal>
#include <iostream>
#include <thread>

#include <sys/resource.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "config/check.hpp"
#include "config/load.hpp"
#include "gateway/app/cli.hpp"
#include "gateway/observe/error_log.hpp"
#include "gateway/app/gateway.hpp"
#include "gateway/app/systemd_notify.hpp"
#include "gateway/app/tls_contexts.hpp"
#include "gateway/policy/basic_auth.hpp"

namespace net = boost::asio;

namespace {

// Every client connection and every server connection is a descriptor: take
// the hard limit instead of a soft one of 1024 (HAProxy raises it the same way).
// Returns the limit in force.
rlim_t raise_descriptor_limit() {
    rlimit rl{};
    if (::getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return 0;
    if (rl.rlim_cur < rl.rlim_max) {
        rlimit raised = rl;
        raised.rlim_cur = rl.rlim_max;
        if (::setrlimit(RLIMIT_NOFILE, &raised) == 0)
            return raised.rlim_cur;
    }
    return rl.rlim_cur;
}

// `--check`: the configuration, then the files it names (certificates, keys, users).
int check(const std::string& path) {
    const int status = gw::config::run_check(path, std::cout, std::cerr);
    if (status != 0)
        return status;
    const auto loaded = gw::config::load_file(path);
    if (!loaded.config || !gw::check_tls(*loaded.config, std::cout, std::cerr))
        return 2;
    try {
        const auto users = gw::policy::load_user_lists(*loaded.config);
        for (std::size_t i = 0; i < users.size(); ++i)
            if (users[i])
                std::cout << "route " << i + 1 << " basic auth: " << loaded.config->routes[i].basic_auth->users_file.path
                          << " (" << users[i]->size() << " users)\n";
    } catch (const std::exception& e) {
        std::cerr << e.what() << '\n';
        return 2;
    }
    return 0;
}

// The main thread waits for signals (SIGHUP reloads the configuration and the
// certificates, SIGTERM or SIGINT drain), then for the workers to end.
void serve_until_stopped(gw::gateway& gateway, const gw::config::gateway_config& cfg, const std::string& path) {
    using gw::config::log_level;
    net::io_context main_ctx(1);
    net::signal_set signals(main_ctx, SIGTERM, SIGINT);
    net::steady_timer deadline(main_ctx);
    // SIGHUP re-reads the configuration file and the TLS listeners'
    // certificates (on this thread: loading files and asking DNS never blocks
    // a worker). A file that fails is refused whole; the running one stays.
    net::signal_set hangup(main_ctx, SIGHUP);
    std::function<void(const boost::system::error_code&, int)> on_hangup =
        [&](const boost::system::error_code& ec, int) {
            if (ec)
                return;
            gw::notify_systemd("RELOADING=1");
            const auto out = gateway.reload_file(path);
            if (out.ok)
                gw::error_log(log_level::info, "SIGHUP: configuration generation " + std::to_string(out.generation) +
                                                   " running");
            std::string status = "READY=1\nSTATUS=configuration generation ";
            status += std::to_string(out.generation);
            status += out.ok ? " running" : " kept: the reload was refused";
            gw::notify_systemd(status);
            hangup.async_wait(on_hangup);
        };
    hangup.async_wait(on_hangup);
    signals.async_wait([&](const boost::system::error_code& ec, int sig) {
        if (ec)
            return;
        gw::error_log(log_level::info, "signal " + std::to_string(sig) + ", draining (up to " +
                                           std::to_string(cfg.global.shutdown_timeout.count()) + " ms)");
        gw::notify_systemd("STOPPING=1\nSTATUS=draining");
        gateway.drain();
        deadline.expires_after(cfg.global.shutdown_timeout);
        deadline.async_wait([&](const boost::system::error_code& tec) {
            if (!tec) {
                gw::error_log(log_level::warning, "shutdown timeout, closing remaining connections");
                gateway.abort();
            }
        });
    });
    std::thread joiner([&] {
        gateway.wait();
        net::post(main_ctx, [&] {
            signals.cancel();
            hangup.cancel();
            deadline.cancel();
        });
    });
    main_ctx.run();
    joiner.join();
}

int run(const std::string& path) {
    auto loaded = gw::config::load_file(path);
    if (!loaded.config) {
        for (const auto& e : loaded.errors)
            std::cerr << gw::config::to_string(e) << '\n';
        return 2;
    }
    std::signal(SIGPIPE, SIG_IGN);
    const rlim_t descriptors = raise_descriptor_limit();
    gw::set_error_log_level(loaded.config->logging.level);
    using gw::config::log_level;
    std::unique_ptr<gw::gateway> gateway;
    try {
        gateway = std::make_unique<gw::gateway>(loaded.config);
    } catch (const std::exception& e) {
        gw::error_log(log_level::error, e.what());
        return 1;
    }
    const auto& cfg = *loaded.config;
    for (std::size_t i = 0; i < cfg.listeners.size(); ++i) {
        const auto ep = gateway->listener_endpoint(i);
        gw::error_log(log_level::info, "listener '" + cfg.listeners[i].name + "' on " +
                                           ep.address().to_string() + ":" + std::to_string(ep.port()));
    }
    if (const auto admin = gateway->admin_endpoint())
        gw::error_log(log_level::info, "admin on " + admin->address().to_string() + ":" +
                                           std::to_string(admin->port()) +
                                           " (/healthz /readyz /metrics /stats)");
    gw::error_log(log_level::info,
                  std::to_string(gateway->worker_count()) + " workers, buffers " +
                      std::to_string(cfg.buffers.size) + " B x " +
                      (cfg.buffers.limit ? std::to_string(cfg.buffers.limit) : std::string("unbounded")) +
                      ", reserve " + std::to_string(cfg.buffers.reserve) +
                      ", descriptor limit " + std::to_string(descriptors));
    if (std::any_of(cfg.listeners.begin(), cfg.listeners.end(), [](const auto& l) { return l.tls.has_value(); }))
        gw::error_log(log_level::info,
                      gateway->shared().ktls
                          ? "TLS: kernel TLS is offered by this kernel (not used yet: OpenSSL encrypts)"
                          : "TLS: kernel TLS is not offered by this kernel (no 'tls' in "
                            "/proc/sys/net/ipv4/tcp_available_ulp); OpenSSL encrypts");
    gateway->set_config_path(path);
    gateway->start();
    // (The listeners are bound: a Type=notify unit may go on.)
    if (!gw::notify_systemd("READY=1\nSTATUS=serving"))
        gw::error_log(log_level::warning, "could not tell systemd that the gateway is ready ($NOTIFY_SOCKET)");

    serve_until_stopped(*gateway, cfg, path);
    gw::error_log(log_level::info, "stopped");
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
        return check(cl->config_path);
    case gw::command_line::action::run:
        return run(cl->config_path);
    }
    return 2;
}
