// Random damage to a valid file never crashes the loader and never leaves an operator
// without an answer: every mutant loads or yields well-formed, one-line diagnostics.
#include "config/load.hpp"

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

using namespace gw::config;

namespace {

std::vector<std::string> split_lines(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        lines.push_back(line);
    }
    return lines;
}

std::string join_lines(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& l : lines) {
        out += l + '\n';
    }
    return out;
}

// One random edit of the kinds a hurried operator or a broken deploy makes.
std::string mutate(const std::string& text, std::mt19937& rng) {
    auto pick = [&rng](std::size_t n) {
        return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng);
    };
    auto lines = split_lines(text);
    std::string out = text;
    switch (pick(8)) {
    case 0: // delete a line
        lines.erase(lines.begin() + static_cast<std::ptrdiff_t>(pick(lines.size())));
        return join_lines(lines);
    case 1: { // duplicate a line
        const auto i = pick(lines.size());
        lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(i), lines[i]);
        return join_lines(lines);
    }
    case 2: // swap two lines
        std::swap(lines[pick(lines.size())], lines[pick(lines.size())]);
        return join_lines(lines);
    case 3: // move a line somewhere else
    {
        const auto from = pick(lines.size());
        const std::string line = lines[from];
        lines.erase(lines.begin() + static_cast<std::ptrdiff_t>(from));
        lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(pick(lines.size() + 1)), line);
        return join_lines(lines);
    }
    case 4: // flip one character to any byte
        out[pick(out.size())] = static_cast<char>(pick(256));
        return out;
    case 5: // flip one character to a TOML-significant one
    {
        constexpr std::string_view significant = "[]{}=\"'#.,\n0123456789-_ :";
        out[pick(out.size())] = significant[pick(significant.size())];
        return out;
    }
    case 6: // truncate
        out.resize(pick(out.size() + 1));
        return out;
    default: // delete a run of characters
    {
        const auto at = pick(out.size());
        out.erase(at, 1 + pick(8));
        return out;
    }
    }
}

} // namespace

BOOST_AUTO_TEST_SUITE(mutation)

BOOST_AUTO_TEST_CASE(mutants_never_crash_and_always_get_an_answer) {
    std::ifstream in(std::filesystem::path(GW_SOURCE_DIR) / "docker" / "gateway.toml",
                     std::ios::binary);
    std::ostringstream buffer;
    buffer << in.rdbuf();
    const std::string original = buffer.str();
    BOOST_TEST_REQUIRE(!original.empty());

    std::mt19937 rng(20240611); // fixed: a failure reproduces
    int loaded = 0, refused = 0;
    for (int i = 0; i < 2000; ++i) {
        // Half the mutants get a second edit, so that errors combine.
        std::string text = mutate(original, rng);
        if (i % 2 == 1 && !text.empty()) text = mutate(text, rng);
        const auto result = load_string(text, "mutant.toml");
        const auto line_count = static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1;
        BOOST_TEST_CONTEXT("mutant " << i << ":\n" << text) {
            BOOST_TEST_REQUIRE((result.config == nullptr) == !result.errors.empty());
            if (result.config) {
                ++loaded;
                BOOST_TEST_REQUIRE(!result.config->listeners.empty());
                BOOST_TEST_REQUIRE(!result.config->backends.empty());
                continue;
            }
            ++refused;
            for (const auto& e : result.errors) {
                const std::string line = to_string(e);
                BOOST_TEST_REQUIRE(e.file == "mutant.toml");
                BOOST_TEST_REQUIRE(!e.message.empty());
                BOOST_TEST_REQUIRE(line.find_first_of("\n\r") == std::string::npos, line);
                BOOST_TEST_REQUIRE(e.line >= 1, line);
                BOOST_TEST_REQUIRE(e.line <= line_count, line);
                BOOST_TEST_REQUIRE(e.column >= 1, line);
                BOOST_TEST_REQUIRE(e.message.find("internal error") == std::string::npos, line);
            }
            BOOST_TEST_REQUIRE(std::is_sorted(result.errors.begin(), result.errors.end(),
                                              [](const diagnostic& a, const diagnostic& b) {
                                                  return a.line != b.line ? a.line < b.line
                                                                          : a.column < b.column;
                                              }));
        }
    }
    BOOST_TEST_MESSAGE(loaded << " mutants loaded, " << refused << " refused with diagnostics");
    BOOST_TEST(refused > 500); // the mutations really damage the file
}

BOOST_AUTO_TEST_SUITE_END()
