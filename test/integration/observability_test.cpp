// The admin listener and the access log, checked by real consumers: the
// Prometheus reference parser reads /metrics, headless Chromium loads /stats,
// and the access log lines match the requests made, field by field.
#include <boost/test/unit_test.hpp>

#include <cctype>
#include <cstdio>
#include <cstring>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>

#include <fcntl.h>
#include <unistd.h>

#include "test/integration/harness.hpp"

using namespace gw::test;
namespace fs = std::filesystem;

namespace {

std::string observed_config(std::uint16_t origin, const char* format) {
    std::string cfg = basic_config({origin});
    cfg.replace(cfg.find("[admin]\nenabled = false\n"), 24,
                "[admin]\nlisten = \"127.0.0.1:0\"\n[logging]\nformat = \"" + std::string(format) + "\"\n");
    return cfg;
}

// Runs a shell command, returning its exit status and what it printed.
int run(const std::string& cmd, std::string& output) {
    output.clear();
    FILE* p = ::popen(cmd.c_str(), "r");
    if (p == nullptr)
        return -1;
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
        output.append(buf, n);
    const int status = ::pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// The traffic every test here makes: three 200s, a 404 from the origin, and a
// request the gateway refuses itself (400).
void make_traffic(running_gateway& gw) {
    const auto port = gw.port();
    {
    client c(port);
    for (int i = 0; i < 3; ++i)
        BOOST_REQUIRE(c.get("/?size=100"));
    auto nf = c.get("/missing?status=404");
    BOOST_REQUIRE(nf);
    BOOST_TEST(nf->result_int() == 404u);
    client bad(port);
    bad.send("GET / HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n");
    auto r = bad.read();
    BOOST_REQUIRE(r);
    BOOST_TEST(r->result_int() == 400u);
    }
    // A session counts its exchange after the response is out: wait until both
    // connections are gone, so that every count is in.
    BOOST_REQUIRE(wait_until([&] { return gw.get().session_count() == 0; }));
}

std::map<std::string, double> scrape(std::uint16_t admin_port) {
    client admin(admin_port);
    auto r = admin.get("/metrics");
    BOOST_REQUIRE(r);
    BOOST_TEST(r->result_int() == 200u);
    BOOST_TEST((*r)[boost::beast::http::field::content_type].starts_with("text/plain; version=0.0.4"));
    const fs::path file = fs::temp_directory_path() / ("gw-metrics-" + std::to_string(::getpid()) + ".txt");
    std::ofstream(file) << r->body();
    std::string out;
    const int rc = run("/usr/bin/python3 " GW_SOURCE_DIR "/test/integration/parse_metrics.py < " +
                           file.string() + " 2>&1",
                       out);
    fs::remove(file);
    BOOST_REQUIRE_MESSAGE(rc == 0, "the Prometheus parser rejected /metrics: " << out);
    std::map<std::string, double> samples;
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);) {
        const auto a = line.find('\t'), b = line.rfind('\t');
        samples[line.substr(0, a) + "{" + line.substr(a + 1, b - a - 1) + "}"] = std::stod(line.substr(b + 1));
    }
    return samples;
}

} // namespace

BOOST_AUTO_TEST_SUITE(observability)

BOOST_AUTO_TEST_CASE(metrics_parse_and_count_the_requests_made) {
    origins origin(1);
    running_gateway gw(load_config(observed_config(origin.port(0), "text")));
    make_traffic(gw);
    client idle(gw.port()); // stays open without a request: it parks
    BOOST_REQUIRE(wait_until([&] { return gw.get().parked_count() == 1; }));
    auto m = scrape(gw.admin_port());
    BOOST_TEST(m["gateway_connections{listener=http}"] == 1.0);
    BOOST_TEST(m["gateway_connections_parked{}"] == 1.0);
    BOOST_TEST(m["gateway_requests_total{listener=http}"] == 4.0); // the 400 never became a request
    BOOST_TEST(m["gateway_responses_total{code=2xx,listener=http}"] == 3.0);
    BOOST_TEST(m["gateway_responses_total{code=4xx,listener=http}"] == 2.0);
    BOOST_TEST(m["gateway_responses_total{code=5xx,listener=http}"] == 0.0);
    BOOST_TEST(m["gateway_request_duration_seconds_count{listener=http}"] == 5.0);
    BOOST_TEST(m["gateway_request_duration_seconds_bucket{le=+Inf,listener=http}"] == 5.0);
    BOOST_TEST(m["gateway_connections_total{listener=http}"] == 3.0);
    BOOST_TEST(m["gateway_backend_responses_total{backend=app,code=2xx}"] == 3.0);
    BOOST_TEST(m["gateway_backend_responses_total{backend=app,code=4xx}"] == 1.0);
    BOOST_TEST(m["gateway_server_requests_total{backend=app,server=s1}"] == 4.0);
    BOOST_TEST(m["gateway_server_up{backend=app,server=s1}"] == 1.0);
    BOOST_TEST(m["gateway_sent_bytes_total{listener=http}"] > 300.0);
    BOOST_TEST(m["gateway_pool_acquires_total{}"] >= 9.0); // 4 x (request + response) + the 400
    BOOST_TEST(m["gateway_pool_failed_resumes_total{}"] == 0.0);
    BOOST_TEST(m["gateway_pool_buffers_limit{}"] == 0.0);
    BOOST_TEST(m.count("gateway_pool_waiters{class=critical}") == 1u);
    BOOST_TEST(m["gateway_workers{}"] == 2.0);
}

BOOST_AUTO_TEST_CASE(health_and_readiness_follow_the_drain) {
    origins origin(1);
    running_gateway gw(load_config(observed_config(origin.port(0), "text")));
    client probe(gw.admin_port());
    auto h = probe.get("/healthz");
    BOOST_REQUIRE(h);
    BOOST_TEST(h->result_int() == 200u);
    auto ready = probe.get("/readyz");
    BOOST_REQUIRE(ready);
    BOOST_TEST(ready->result_int() == 200u);

    client busy(gw.port());
    busy.send("GET /?delay=500 HTTP/1.1\r\nHost: t\r\n\r\n");
    auto& server = gw.get().shared().current()->backends[0]->server(0);
    BOOST_REQUIRE(wait_until([&] { return server.active.load() == 1; }));
    gw.get().drain();
    client late_probe(gw.admin_port()); // the admin listener stays while requests finish
    auto draining = late_probe.get("/readyz");
    BOOST_REQUIRE(draining);
    BOOST_TEST(draining->result_int() == 503u);
    BOOST_TEST(!draining->keep_alive()); // admin connections close after each answer now
    client late_probe2(gw.admin_port());
    auto alive = late_probe2.get("/healthz");
    BOOST_REQUIRE(alive);
    BOOST_TEST(alive->result_int() == 200u);
    BOOST_REQUIRE(busy.read());
    gw.get().wait(); // then everything, the admin listener included, closes
}

BOOST_AUTO_TEST_CASE(stats_page_renders_in_a_real_browser) {
    origins origin(1);
    running_gateway gw(load_config(observed_config(origin.port(0), "text")));
    make_traffic(gw);
    client admin(gw.admin_port());
    auto page = admin.get("/stats");
    BOOST_REQUIRE(page);
    BOOST_TEST((*page)[boost::beast::http::field::content_type] == "text/html; charset=utf-8");
    BOOST_TEST(page->body().find("Buffer pool") != std::string::npos);
    BOOST_TEST(page->body().find("<meta http-equiv=\"refresh\"") != std::string::npos);

    const fs::path artifacts = fs::path(GW_BINARY_DIR) / "test-artifacts";
    fs::create_directories(artifacts);
    const fs::path shot = artifacts / "stats.png";
    fs::remove(shot);
    const fs::path profile = fs::temp_directory_path() / ("gw-chromium-" + std::to_string(::getpid()));
    const std::string url = "http://127.0.0.1:" + std::to_string(gw.admin_port()) + "/stats";
    std::string out;
    const int rc = run("timeout 90 chromium --headless --no-sandbox --disable-gpu --disable-quic "
                       "--no-first-run --disable-background-networking --disable-component-update "
                       "--disable-sync --user-data-dir=" + profile.string() +
                           " --enable-logging=stderr --v=0 --window-size=1280,1000 --screenshot=" +
                           shot.string() + " " + url + " 2>&1",
                       out);
    fs::remove_all(profile);
    BOOST_TEST_MESSAGE(out);
    BOOST_TEST(rc == 0);
    BOOST_TEST(fs::exists(shot));
    BOOST_TEST((fs::exists(shot) && fs::file_size(shot) > 10'000));
    // No console message at all: the page has no script and loads no asset.
    BOOST_TEST(out.find("CONSOLE") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(access_log_lines_match_the_requests_field_by_field) {
    origins origin(1);
    log_pipe log;
    running_gateway gw(load_config(observed_config(origin.port(0), "text")), log.write_end());
    make_traffic(gw);
    std::vector<std::string> lines;
    BOOST_REQUIRE(wait_until([&] { return (lines = log.lines()).size() >= 5; }));
    BOOST_REQUIRE(lines.size() == 5u);
    for (const auto& l : lines)
        BOOST_TEST_MESSAGE(l);
    // Workers flush their own lines: group them by what they answered.
    std::vector<std::string> ok, not_found, refused;
    for (const auto& l : lines)
        (l.find(" 200 ") != std::string::npos   ? ok
         : l.find(" 404 ") != std::string::npos ? not_found
                                                : refused)
            .push_back(l);
    BOOST_REQUIRE(ok.size() == 3u);
    BOOST_REQUIRE(not_found.size() == 1u);
    BOOST_REQUIRE(refused.size() == 1u);
    // 127.0.0.1:PORT [dd/Mon/yyyy:hh:mm:ss.mmm] http app/s1 Tw/Tc/Tr/Ta 200 BYTES -- "GET /?size=100 HTTP/1.1" ID
    for (const auto& line : ok) {
        std::istringstream f(line);
        std::string client_ep, date, listener, route, timers, status, bytes, term, method, target, version, id;
        f >> client_ep >> date >> listener >> route >> timers >> status >> bytes >> term >> method >>
            target >> version >> id;
        BOOST_TEST(client_ep.starts_with("127.0.0.1:"));
        BOOST_TEST(date.front() == '[');
        BOOST_TEST(listener == "http");
        BOOST_TEST(route == "app/s1");
        BOOST_TEST(std::count(timers.begin(), timers.end(), '/') == 3);
        BOOST_TEST(status == "200");
        BOOST_TEST(std::stoul(bytes) > 100u); // head + 100 body bytes
        BOOST_TEST(term == "--");
        BOOST_TEST(method == "\"GET");
        BOOST_TEST(target == "/?size=100");
        BOOST_TEST(version == "HTTP/1.1\"");
        BOOST_TEST(id.size() == 16u);
    }
    BOOST_TEST(not_found[0].find("\"GET /missing?status=404 HTTP/1.1\"") != std::string::npos);
    // The gateway's own 400: no backend, refused by the proxy while reading the request.
    BOOST_TEST(refused[0].find(" http -/- ") != std::string::npos);
    BOOST_TEST(refused[0].find(" 400 ") != std::string::npos);
    BOOST_TEST(refused[0].find(" PR ") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(access_log_in_json) {
    origins origin(1);
    log_pipe log;
    running_gateway gw(load_config(observed_config(origin.port(0), "json")), log.write_end());
    client c(gw.port());
    BOOST_REQUIRE(c.get("/?size=7"));
    std::vector<std::string> lines;
    BOOST_REQUIRE(wait_until([&] { return !(lines = log.lines()).empty(); }));
    const auto& l = lines.front();
    for (const char* field : {"\"listener\":\"http\"", "\"backend\":\"app\"", "\"server\":\"s1\"",
                              "\"status\":200", "\"method\":\"GET\"", "\"target\":\"/?size=7\"",
                              "\"termination\":\"--\""})
        BOOST_TEST(l.find(field) != std::string::npos, field);
    BOOST_TEST(l.front() == '{');
    BOOST_TEST(l.back() == '}');
}

// The Grafana dashboard and the Prometheus alert rules in deploy/ name only
// metrics that /metrics has (a family, for a histogram's _bucket/_sum/_count).
BOOST_AUTO_TEST_CASE(the_dashboard_and_the_alert_rules_name_real_metrics) {
    origins origin(1);
    running_gateway gw(load_config(observed_config(origin.port(0), "text")));
    client admin(gw.admin_port());
    auto r = admin.get("/metrics");
    BOOST_REQUIRE(r);
    const std::string body = r->body();
    auto has_family = [&](const std::string& name) { return body.find("# TYPE " + name + " ") != std::string::npos; };
    for (const char* file : {GW_SOURCE_DIR "/deploy/grafana/gateway-dashboard.json",
                             GW_SOURCE_DIR "/deploy/prometheus/gateway-alerts.yml"}) {
        std::ifstream in(file);
        BOOST_REQUIRE_MESSAGE(in, file);
        const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        std::size_t named = 0;
        for (std::size_t at = text.find("gateway_"); at != std::string::npos; at = text.find("gateway_", at + 1)) {
            if (at > 0 && (std::isalnum(static_cast<unsigned char>(text[at - 1])) || text[at - 1] == '_' ||
                           text[at - 1] == '-' || text[at - 1] == '/'))
                continue; // (part of another word: a uid, a file name)
            std::size_t end = at;
            while (end < text.size() && (std::islower(static_cast<unsigned char>(text[end])) ||
                                         std::isdigit(static_cast<unsigned char>(text[end])) || text[end] == '_'))
                ++end;
            std::string name = text.substr(at, end - at);
            if (name == "gateway_" || name.find("gateway_overview") == 0)
                continue;
            for (const char* suffix : {"_bucket", "_sum", "_count"})
                if (!has_family(name) && name.ends_with(suffix))
                    name.resize(name.size() - std::strlen(suffix));
            ++named;
            BOOST_TEST(has_family(name), file << " names " << name << ", which /metrics does not have");
        }
        BOOST_TEST(named > 10u, file); // (the scan found them)
    }
}

BOOST_AUTO_TEST_SUITE_END()
