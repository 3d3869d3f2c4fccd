// The documentation, the examples and the parser agree: docs/config-reference.md lists
// exactly the parser's keys with their types, docker/gateway.toml sets every key, every
// example in docker/ passes --check, and the loader really reads every listed key.
#include "config/check.hpp"
#include "config/keys.hpp"
#include "config/load.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

using namespace gw::config;
namespace fs = std::filesystem;

namespace {

const fs::path source_dir{GW_SOURCE_DIR};

std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    BOOST_TEST_REQUIRE(in.good(), "cannot open " << path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// Key path -> type, from the reference's tables: a heading naming a section in
// backticks ("## `[[backends.servers]]`") starts a section; each row that begins with a
// key in backticks ("| `maxconn` | integer | ...") is one key of it.
std::map<std::string, std::string> documented_keys() {
    const std::regex heading(R"(^#+ `\[\[?([a-z_.]+)\]\]?`\s*$)");
    const std::regex row(R"(^\| `([a-z_]+)` \| ([a-z]+) \|)");
    std::map<std::string, std::string> keys;
    std::istringstream lines(read_text(source_dir / "docs" / "config-reference.md"));
    std::string section;
    for (std::string line; std::getline(lines, line);) {
        std::smatch m;
        if (line.starts_with("#")) {
            section = std::regex_match(line, m, heading) ? m[1].str() : "";
        } else if (!section.empty() && std::regex_search(line, m, row)) {
            const auto [it, inserted] = keys.emplace(section + "." + m[1].str(), m[2].str());
            BOOST_TEST(inserted, "documented twice: " << it->first);
        }
    }
    return keys;
}

// The keys a TOML file written in the plain style of the examples sets, in file order:
// "[section]" / "[[section]]" headers and "key = value" lines.
std::vector<std::pair<std::string, std::size_t>> keys_set_in(const std::string& text) {
    const std::regex header(R"(^\[\[?([a-z_.]+)\]\]?\s*(#.*)?$)");
    const std::regex assignment(R"(^([a-z_]+)\s*=)");
    std::vector<std::pair<std::string, std::size_t>> out;
    std::istringstream lines(text);
    std::string section;
    std::size_t number = 0;
    for (std::string line; std::getline(lines, line);) {
        std::smatch m;
        if (std::regex_match(line, m, header)) {
            section = m[1].str();
        } else if (std::regex_search(line, m, assignment)) {
            out.emplace_back(section.empty() ? m[1].str() : section + "." + m[1].str(), number);
        }
        ++number;
    }
    return out;
}

// "backends.servers.maxconn" -> "backends[0].servers[0].maxconn": the first occurrence.
std::string first_indexed(const std::string& path) {
    std::string out;
    std::string prefix;
    std::size_t start = 0;
    while (true) {
        const auto dot = path.find('.', start);
        const std::string part =
            path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        prefix += (prefix.empty() ? "" : ".") + part;
        out += (out.empty() ? "" : ".") + part;
        if (dot == std::string::npos) return out;
        if (is_array_section(prefix)) out += "[0]";
        start = dot + 1;
    }
}

std::vector<fs::path> example_files() {
    std::vector<fs::path> out;
    for (const auto& entry : fs::recursive_directory_iterator(source_dir / "docker")) {
        if (entry.is_regular_file() && entry.path().extension() == ".toml") {
            out.push_back(entry.path());
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(reference)

BOOST_AUTO_TEST_CASE(every_parser_key_is_documented_with_its_type) {
    const auto documented = documented_keys();
    for (const auto& k : key_table()) {
        const auto it = documented.find(std::string(k.path));
        BOOST_TEST((it != documented.end()), "not in docs/config-reference.md: " << k.path);
        if (it != documented.end()) BOOST_TEST(it->second == k.type, "type of " << k.path);
    }
}

BOOST_AUTO_TEST_CASE(every_documented_key_is_known_to_the_parser) {
    const auto documented = documented_keys();
    BOOST_TEST(documented.size() == key_table().size());
    for (const auto& [path, type] : documented) {
        BOOST_TEST(find_key(path) != nullptr, "documented but unknown to the parser: " << path);
    }
}

BOOST_AUTO_TEST_CASE(known_keys_lists_the_key_table) {
    const auto keys = known_keys();
    BOOST_TEST_REQUIRE(keys.size() == key_table().size());
    BOOST_TEST(keys.front() == "global.workers");
    BOOST_TEST(std::count(keys.begin(), keys.end(), "backends.servers.maxconn") == 1);
    for (const auto& k : keys) {
        BOOST_TEST(std::count(keys.begin(), keys.end(), k) == 1, "listed twice: " << k);
    }
    BOOST_TEST(is_section("backends.servers"));
    BOOST_TEST(is_section(""));
    BOOST_TEST(!is_section("backends.servers.maxconn"));
    BOOST_TEST(is_array_section("backends.servers"));
    BOOST_TEST(!is_array_section("backends.health_check"));
    BOOST_TEST((keys_in_section("backends") ==
                std::vector<std::string>{"name", "balance", "retries", "retry_on", "try_timeout",
                                         "retry_budget", "retry_header", "queue_limit",
                                         "keepalive_pool", "keepalive_timeout", "send_proxy", "tls", "tls_verify", "tls_ca",
                                         "tls_server_name", "tls_cert", "tls_key", "health_check",
                                         "passive_health", "servers"}));
}

// The example files that show keys: docker/gateway.toml (the container's
// configuration) first, then docker/examples/ (HTTPS needs certificate files,
// so its keys are shown by docker/examples/https.toml, not by the default).
std::vector<fs::path> showing_files() {
    std::vector<fs::path> out{source_dir / "docker" / "gateway.toml"};
    for (const auto& f : example_files())
        if (f.parent_path().filename() == "examples") out.push_back(f);
    return out;
}

// The first example file that sets `path`, with the key's line; nullopt if none.
std::optional<std::pair<fs::path, std::size_t>> shown_in(const std::string& path) {
    for (const auto& f : showing_files()) {
        const auto set = keys_set_in(read_text(f));
        const auto at = std::find_if(set.begin(), set.end(), [&](const auto& s) { return s.first == path; });
        if (at != set.end()) return std::pair{f, at->second};
    }
    return std::nullopt;
}

BOOST_AUTO_TEST_CASE(the_docker_examples_set_every_key) {
    for (const auto& k : key_table()) {
        BOOST_TEST(shown_in(std::string(k.path)).has_value(),
                   "neither docker/gateway.toml nor docker/examples/ shows " << k.path);
    }
}

BOOST_AUTO_TEST_CASE(every_example_config_passes_check) {
    const auto files = example_files();
    BOOST_TEST_REQUIRE(!files.empty());
    BOOST_TEST(std::count(files.begin(), files.end(), source_dir / "docker" / "gateway.toml") == 1);
    for (const auto& file : files) {
        BOOST_TEST_CONTEXT(file.string()) {
            std::ostringstream out, err;
            BOOST_TEST(run_check(file.string(), out, err) == 0);
            BOOST_TEST(err.str() == "");
            BOOST_TEST(out.str().find(": configuration OK\n") != std::string::npos);
        }
    }
}

BOOST_AUTO_TEST_CASE(the_loader_reads_every_listed_key) {
    // Giving each key, in turn, a value of a type no key accepts must produce an error
    // about that key: a key the table lists but the loader ignored would pass silently.
    for (const auto& k : key_table()) {
        const std::string path(k.path);
        const auto shown = shown_in(path);
        if (!shown) continue; // reported by the_docker_examples_set_every_key
        std::vector<std::string> lines;
        std::istringstream in(read_text(shown->first));
        for (std::string line; std::getline(in, line);) {
            lines.push_back(line);
        }
        const auto name = path.substr(path.rfind('.') + 1);
        lines[shown->second] = name + " = [[]]";
        std::string mutated;
        for (const auto& line : lines) {
            mutated += line + '\n';
        }
        const auto result = load_string(mutated, "gateway.toml");
        BOOST_TEST_CONTEXT(path) {
            BOOST_TEST_REQUIRE(!result.errors.empty());
            // The key's indexed path, at whatever index the example has it.
            const std::string where = "gateway.toml:" + std::to_string(shown->second + 1) + ":" +
                                      std::to_string(name.size() + 4) + ": ";
            const std::regex indexed(
                std::regex_replace(std::regex_replace(first_indexed(path), std::regex(R"([.])"), R"(\.)"),
                                   std::regex(R"(\[0\])"), R"(\[[0-9]+\])") +
                " must be .*");
            const std::string message = to_string(result.errors.front());
            BOOST_TEST((message.starts_with(where) &&
                        std::regex_match(message.substr(std::min(where.size(), message.size())), indexed)),
                       message);
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
