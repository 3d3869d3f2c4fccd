#include "gateway/app/cli.hpp"

namespace gw {

const char* const usage_text =
    "usage: gateway --config FILE      run the gateway\n"
    "       gateway --check FILE       validate FILE, print every error, exit 2 if any\n"
    "       gateway --version          print the version\n"
    "       gateway --help             print this text\n"
    "\n"
    "Signals: SIGTERM or SIGINT drain gracefully (stop accepting, finish requests in\n"
    "flight within global.shutdown_timeout, close idle connections) and exit 0.\n"
    "SIGHUP reloads: the configuration file, the TLS certificates and keys, and the\n"
    "users files; one that fails keeps the running configuration. Under systemd\n"
    "(Type=notify) the gateway reports READY=1 once its listeners are bound.\n";

const char* const version_text = "gateway " GW_VERSION "\n";

std::optional<command_line> parse_command_line(const std::vector<std::string>& args,
                                               std::string& error) {
    command_line cl;
    bool check = false, run = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        auto value = [&](const char* opt) -> std::optional<std::string> {
            if (i + 1 >= args.size() || args[i + 1].empty() || args[i + 1][0] == '-') {
                error = std::string(opt) + " needs a file name";
                return std::nullopt;
            }
            return args[++i];
        };
        if (a == "--help" || a == "-h") {
            cl.what = command_line::action::help;
            return cl;
        }
        if (a == "--version" || a == "-v") {
            cl.what = command_line::action::version;
            return cl;
        }
        if (a == "--config" || a == "-c") {
            auto v = value("--config");
            if (!v)
                return std::nullopt;
            cl.config_path = *v;
            run = true;
        } else if (a == "--check") {
            check = true;
            if (i + 1 < args.size() && !args[i + 1].empty() && args[i + 1][0] != '-')
                cl.config_path = args[++i];
        } else {
            error = "unknown argument '" + a + "'";
            return std::nullopt;
        }
    }
    if (cl.config_path.empty()) {
        error = check ? "--check needs a file name" : "no configuration: use --config FILE";
        return std::nullopt;
    }
    cl.what = check ? command_line::action::check : command_line::action::run;
    (void)run;
    return cl;
}

} // namespace gw
