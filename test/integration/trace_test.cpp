// [tracing] end to end: the server receives the client's trace with the
// gateway's span as parent (or a trace the gateway started), and the access
// log line carries the trace id, so that a trace finds its log line.
#include <boost/test/unit_test.hpp>

#include <string>

#include "test/integration/harness.hpp"

using namespace gw;
using namespace gw::test;

namespace {

std::string traced_config(std::uint16_t origin, const std::string& format) {
    return "[global]\nworkers = 1\n[admin]\nenabled = false\n[logging]\nformat = \"" + format +
           "\"\n[tracing]\nenabled = true\n"
           "[[listeners]]\nname = \"http\"\nlisten = \"127.0.0.1:0\"\ndefault_backend = \"app\"\n"
           "[[backends]]\nname = \"app\"\n[[backends.servers]]\naddress = \"127.0.0.1:" +
           std::to_string(origin) + "\"\n";
}

// The value of `name` in an echoed head ("" when absent).
std::string field_in(const std::string& head, const std::string& name) {
    const auto at = head.find("\r\n" + name + ": ");
    if (at == std::string::npos)
        return {};
    const auto from = at + name.size() + 4;
    return head.substr(from, head.find("\r\n", from) - from);
}

} // namespace

BOOST_AUTO_TEST_SUITE(trace_context)

BOOST_AUTO_TEST_CASE(the_trace_goes_on_to_the_server_and_into_the_log) {
    for (const std::string format : {"text", "json"}) {
        BOOST_TEST_CONTEXT(format) {
            origins o(1);
            log_pipe log;
            running_gateway gw(load_config(traced_config(o.port(0), format)), log.write_end());
            client c(gw.port());
            auto r = c.get("/echo-head", "traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\r\n"
                                         "tracestate: v=1\r\n");
            BOOST_REQUIRE(r);
            const std::string sent = field_in(r->body(), "traceparent");
            BOOST_TEST(sent.starts_with("00-4bf92f3577b34da6a3ce929d0e0e4736-"), sent);
            BOOST_TEST(sent.ends_with("-01"), sent);
            BOOST_TEST(sent.substr(36, 16) != "00f067aa0ba902b7"); // the gateway's span
            BOOST_TEST(field_in(r->body(), "tracestate") == "v=1");
            r = c.get("/echo-head"); // none: the gateway starts one
            BOOST_REQUIRE(r);
            const std::string started = field_in(r->body(), "traceparent");
            BOOST_TEST_REQUIRE(started.size() == 55u, started);
            BOOST_TEST(started.ends_with("-00"));
            std::vector<std::string> lines;
            BOOST_TEST(wait_until([&] { return (lines = log.lines()).size() == 2u; }));
            BOOST_REQUIRE(lines.size() == 2u);
            const std::string key = format == "text" ? " trace=" : "\"trace_id\":\"";
            BOOST_TEST(lines[0].find(key + "4bf92f3577b34da6a3ce929d0e0e4736") != std::string::npos, lines[0]);
            BOOST_TEST(lines[1].find(key + started.substr(3, 32)) != std::string::npos, lines[1]);
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
