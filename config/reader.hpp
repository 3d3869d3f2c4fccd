// Internal to config/: reading one TOML table of the schema into plain values.
//
// The only header that names toml++ types; it is included by load.cpp and reader.cpp
// alone, so TOML never reaches the public headers.
#pragma once

#include "config/config.hpp"
#include "config/context.hpp"
#include "config/diagnostics.hpp"
#include "config/suggest.hpp"
#include "config/units.hpp"

#include <toml++/toml.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gw::config::detail {

position position_of(const toml::source_region& region);

// Host names compare case-insensitively (RFC 9110 section 4.2.3): stored lower-cased.
std::string lowered(std::string text);

// "parent.key", or "key" at the top.
std::string join(std::string_view parent, std::string_view key);

// What a value is, for "(got ...)": "integer 5", "string \"5\"", "table".
std::string describe(const toml::node& node);

// `"a", "b" or "c"`
std::string alternatives(const std::vector<std::string>& names);

// The written form of one enumerator.
template <class E> struct enum_name {
    std::string_view name;
    E value;
};

// Options for reading an address.
struct address_rules {
    bool allow_any = true;    // "*:port" (all interfaces): listeners and admin only
    bool allow_port_0 = true; // a port the kernel picks: listeners and admin only (tests)
};

// One TOML table of the schema, with its indexed path ("backends[0].servers[1]") for
// messages and its schema path ("backends.servers") for the key table.
//
// Construction reports the table's unknown keys (with the closest known key). Each
// reader then reads one key: if the key is absent it returns false and leaves `out`
// alone (the default stays); if the value has the wrong type or is out of range it
// reports a one-line error to the load_context, returns false and leaves `out` alone;
// otherwise it stores the value and returns true. Readers throw std::logic_error only
// when asked for a key or type that keys.cpp does not list: a programming error, which
// load_string turns into an "internal error" diagnostic.
class table_reader {
public:
    table_reader(const toml::table& table, std::string path, std::string schema, load_context& cx);

    std::string path_of(std::string_view key) const { return join(path_, key); }

    // Reports `key` as missing (at this table's position) unless it is present.
    void require(std::string_view key, std::string_view example);

    // Reports a value that has the right type but is not acceptable, as
    // "<path>.<key> <what>"; for checks specific to one key. Returns false.
    bool invalid(std::string_view key, const std::string& what);

    template <class T>
    bool integer(std::string_view key, T& out, std::int64_t min, std::int64_t max);
    bool boolean(std::string_view key, bool& out);
    bool string(std::string_view key, std::string& out);
    // A string that names a listener, backend or server: 1..64 of [A-Za-z0-9_.-].
    bool name(std::string_view key, std::string& out);
    // A secret (16 to 256 printable characters); errors never quote it.
    bool token(std::string_view key, std::string& out);
    // An environment variable's name.
    bool environment_name(std::string_view key, std::string& out);
    bool duration_value(std::string_view key, duration& out, duration min, duration max);
    // A size string or a non-negative integer number of bytes.
    template <class T>
    bool size(std::string_view key, T& out, std::uint64_t min, std::uint64_t max);
    bool address(std::string_view key, host_port& out, address_rules rules);
    // An array of IP addresses with ports ("10.0.0.10:53", "[fd00::a]:53").
    bool ip_address_list(std::string_view key, std::vector<host_port>& out);
    // Whether the table sets `key` at all (valid or not).
    bool has(std::string_view key) const;
    // An array of IP networks ("10.0.0.0/8", "::1"); an element's error names it.
    bool network_list(std::string_view key, std::vector<ip_network>& out);
    template <class E, std::size_t N>
    bool enumeration(std::string_view key, E& out, const enum_name<E> (&names)[N]);
    // A table of string values under names of the file's choosing (header
    // fields: { "X-Env" = "prod" }); each entry's position is recorded under
    // "<key>.<name>", so that invalid("<key>.<name>", ...) points at it.
    bool string_table(std::string_view key, std::vector<std::pair<std::string, std::string>>& out);
    // An array of strings; element i's position is recorded under "<key>[i]".
    bool string_list(std::string_view key, std::vector<std::string>& out);

    // A sub-table ("backends[0].health_check"), or nullptr if absent or not a table (then
    // reported).
    const toml::table* table(std::string_view key);

    // The elements of a repeated section ("listeners"); empty if absent or not an array
    // (then reported). Elements that are not tables are reported and come back as nullptr,
    // so indices still match the file.
    std::vector<const toml::table*> tables(std::string_view key);

private:
    const toml::node* get(std::string_view key, std::string_view type);
    bool fail(std::string_view key, std::string message);
    bool wrong_type(std::string_view key, const toml::node& node, const std::string& expected);
    bool out_of_range(std::string_view key, bool below, const std::string& bound,
                      const std::string& shown);
    void report_unknown(const toml::key& key);

    const toml::table& table_;
    std::string path_;
    std::string schema_;
    load_context& cx_;
};

template <class T>
bool table_reader::integer(std::string_view key, T& out, std::int64_t min, std::int64_t max) {
    const toml::node* node = get(key, "integer");
    if (node == nullptr) return false;
    if (!node->is_integer()) return wrong_type(key, *node, "an integer");
    const std::int64_t value = node->as_integer()->get();
    if (value < min || value > max) {
        return out_of_range(key, value < min, std::to_string(value < min ? min : max),
                            std::to_string(value));
    }
    out = static_cast<T>(value);
    return true;
}

template <class T>
bool table_reader::size(std::string_view key, T& out, std::uint64_t min, std::uint64_t max) {
    const toml::node* node = get(key, "size");
    if (node == nullptr) return false;
    std::uint64_t value = 0;
    std::string shown;
    if (node->is_integer()) {
        const std::int64_t bytes = node->as_integer()->get();
        if (bytes < 0) {
            return fail(key,
                        path_of(key) + " must not be negative (got " + std::to_string(bytes) + ")");
        }
        value = static_cast<std::uint64_t>(bytes);
        shown = std::to_string(bytes);
    } else if (node->is_string()) {
        const std::string& text = node->as_string()->get();
        const auto result = parse_size(text);
        if (!result) {
            return fail(key, path_of(key) + " must be a size like \"16KiB\"; " + result.error);
        }
        value = *result.value;
        shown = quoted(text);
    } else {
        return wrong_type(key, *node, "a size like \"16KiB\" or a whole number of bytes");
    }
    if (value < min || value > max) {
        return out_of_range(key, value < min, format_size(value < min ? min : max), shown);
    }
    out = static_cast<T>(value);
    return true;
}

template <class E, std::size_t N>
bool table_reader::enumeration(std::string_view key, E& out, const enum_name<E> (&names)[N]) {
    const toml::node* node = get(key, "enum");
    if (node == nullptr) return false;
    std::vector<std::string> allowed;
    for (const auto& n : names) {
        allowed.emplace_back(n.name);
    }
    if (!node->is_string()) return wrong_type(key, *node, "one of " + alternatives(allowed));
    const std::string& text = node->as_string()->get();
    for (const auto& n : names) {
        if (text == n.name) {
            out = n.value;
            return true;
        }
    }
    std::string message =
        path_of(key) + " must be one of " + alternatives(allowed) + " (got " + quoted(text) + ")";
    if (auto guess = closest_match(text, allowed)) message += "; did you mean \"" + *guess + "\"?";
    return fail(key, std::move(message));
}

} // namespace gw::config::detail
