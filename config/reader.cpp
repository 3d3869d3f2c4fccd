#include "config/reader.hpp"

#include "config/keys.hpp"

#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <utility>

namespace gw::config::detail {

namespace {

// Names of listeners, backends and servers show up in logs, metrics labels and the stats
// page, so they are kept to characters that need no escaping anywhere.
bool is_valid_name(std::string_view name) {
    if (name.empty() || name.size() > 64) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '-' || c == '.';
    });
}

// Where `name` is a key (or a table) elsewhere in the schema: "[global]", or
// "[[listeners]], [[backends]] or [[backends.servers]]" for a name used in several.
std::string homes_of(std::string_view name) {
    std::vector<std::string> homes;
    for (const auto& k : key_table()) {
        // Walk the components of the path; the home is what precedes `name`.
        std::size_t start = 0;
        while (start < k.path.size()) {
            const auto dot = std::min(k.path.find('.', start), k.path.size());
            if (k.path.substr(start, dot - start) == name) {
                if (start > 0) {
                    const std::string home = section_header(k.path.substr(0, start - 1));
                    if (std::find(homes.begin(), homes.end(), home) == homes.end()) {
                        homes.push_back(home);
                    }
                }
                break;
            }
            start = dot + 1;
        }
    }
    std::string out;
    for (std::size_t i = 0; i < homes.size(); ++i) {
        if (i > 0) out += i + 1 == homes.size() ? " or " : ", ";
        out += homes[i];
    }
    return out;
}

} // namespace

position position_of(const toml::source_region& region) {
    return {static_cast<int>(region.begin.line), static_cast<int>(region.begin.column)};
}

std::string join(std::string_view parent, std::string_view key) {
    std::string out(parent);
    if (!out.empty()) out += '.';
    out += key;
    return out;
}

std::string describe(const toml::node& node) {
    switch (node.type()) {
    case toml::node_type::integer:
        return "integer " + std::to_string(node.as_integer()->get());
    case toml::node_type::floating_point: {
        char text[32];
        std::snprintf(text, sizeof text, "%g", node.as_floating_point()->get());
        return std::string("floating-point ") + text;
    }
    case toml::node_type::boolean:
        return node.as_boolean()->get() ? "boolean true" : "boolean false";
    case toml::node_type::string:
        return "string " + quoted(node.as_string()->get());
    case toml::node_type::table:
        return "table";
    case toml::node_type::array:
        return "array";
    case toml::node_type::date:
        return "date";
    case toml::node_type::time:
        return "time";
    case toml::node_type::date_time:
        return "date-time";
    case toml::node_type::none:
        break;
    }
    return "nothing";
}

std::string alternatives(const std::vector<std::string>& names) {
    std::string out;
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (i > 0) out += i + 1 == names.size() ? " or " : ", ";
        out += '"' + names[i] + '"';
    }
    return out;
}

std::string lowered(std::string text) {
    for (char& c : text) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return text;
}

table_reader::table_reader(const toml::table& table, std::string path, std::string schema,
                           load_context& cx)
    : table_(table), path_(std::move(path)), schema_(std::move(schema)), cx_(cx) {
    cx_.record(path_, position_of(table_.source()));
    for (auto&& [key, node] : table_) {
        const std::string schema_key = join(schema_, key.str());
        if (find_key(schema_key) == nullptr && !is_section(schema_key)) report_unknown(key);
    }
}

void table_reader::require(std::string_view key, std::string_view example) {
    if (table_.contains(key)) return;
    cx_.error(path_of(key), path_of(key) + " is required (e.g. " + std::string(example) + ")");
}

bool table_reader::invalid(std::string_view key, const std::string& what) {
    return fail(key, path_of(key) + " " + what);
}

bool table_reader::boolean(std::string_view key, bool& out) {
    const toml::node* node = get(key, "boolean");
    if (node == nullptr) return false;
    if (!node->is_boolean()) return wrong_type(key, *node, "true or false");
    out = node->as_boolean()->get();
    return true;
}

bool table_reader::string(std::string_view key, std::string& out) {
    const toml::node* node = get(key, "string");
    if (node == nullptr) return false;
    if (!node->is_string()) return wrong_type(key, *node, "a string");
    out = node->as_string()->get();
    return true;
}

bool table_reader::token(std::string_view key, std::string& out) {
    std::string value;
    if (!string(key, value)) return false;
    // (The value is a secret: the message never repeats it.)
    if (value.size() < 16 || value.size() > 256) {
        return fail(key, path_of(key) + " must be 16 to 256 characters (got " + std::to_string(value.size()) +
                             ")");
    }
    for (const char ch : value) {
        if (ch <= ' ' || ch > '~') {
            return fail(key, path_of(key) + " must be printable ASCII without spaces");
        }
    }
    out = std::move(value);
    return true;
}

bool table_reader::environment_name(std::string_view key, std::string& out) {
    std::string value;
    if (!string(key, value)) return false;
    const bool ok = !value.empty() && value.size() <= 128 && (value[0] < '0' || value[0] > '9') &&
                    value.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") ==
                        std::string::npos;
    if (!ok) {
        return fail(key, path_of(key) + " must be an environment variable name: letters, digits and '_', "
                                        "not starting with a digit (got " + quoted(value) + ")");
    }
    out = std::move(value);
    return true;
}

bool table_reader::name(std::string_view key, std::string& out) {
    std::string value;
    if (!string(key, value)) return false;
    if (!is_valid_name(value)) {
        return fail(key, path_of(key) + " must be 1 to 64 letters, digits, '_', '-' or '.' (got " +
                             quoted(value) + ")");
    }
    out = std::move(value);
    return true;
}

bool table_reader::duration_value(std::string_view key, duration& out, duration min, duration max) {
    const toml::node* node = get(key, "duration");
    if (node == nullptr) return false;
    if (!node->is_string()) return wrong_type(key, *node, "a duration string like \"5s\"");
    const std::string& text = node->as_string()->get();
    const auto result = parse_duration(text);
    if (!result) {
        return fail(key, path_of(key) + " must be a duration like \"5s\"; " + result.error);
    }
    const duration value = *result.value;
    if (value < min || value > max) {
        return out_of_range(key, value < min, format_duration(value < min ? min : max),
                            quoted(text));
    }
    out = value;
    return true;
}

bool table_reader::address(std::string_view key, host_port& out, address_rules rules) {
    const toml::node* node = get(key, "address");
    if (node == nullptr) return false;
    if (!node->is_string()) {
        return wrong_type(key, *node, "an address string like \"127.0.0.1:8080\"");
    }
    const std::string& text = node->as_string()->get();
    auto result = parse_host_port(text);
    if (!result) {
        return fail(key,
                    path_of(key) + " must be an address like \"127.0.0.1:8080\"; " + result.error);
    }
    if (!rules.allow_any && result.value->kind == host_kind::any) {
        return fail(key, path_of(key) +
                             " must name a host; \"*\" (all interfaces) only makes sense for a "
                             "listener (got " +
                             quoted(text) + ")");
    }
    if (!rules.allow_port_0 && result.value->port == 0) {
        return fail(key,
                    path_of(key) + " must have a port from 1 to 65535 (got " + quoted(text) + ")");
    }
    out = std::move(*result.value);
    return true;
}

const toml::table* table_reader::table(std::string_view key) {
    const toml::node* node = table_.get(key);
    if (node == nullptr) return nullptr;
    cx_.record(path_of(key), position_of(node->source()));
    if (!node->is_table()) {
        wrong_type(key, *node, "a table, written " + section_header(join(schema_, key)));
        return nullptr;
    }
    return node->as_table();
}

std::vector<const toml::table*> table_reader::tables(std::string_view key) {
    std::vector<const toml::table*> out;
    const toml::node* node = table_.get(key);
    if (node == nullptr) return out;
    cx_.record(path_of(key), position_of(node->source()));
    const toml::array* array = node->as_array();
    if (array == nullptr) {
        wrong_type(key, *node, "an array of tables, written " + section_header(join(schema_, key)));
        return out;
    }
    for (std::size_t i = 0; i < array->size(); ++i) {
        const toml::node& element = *array->get(i);
        const std::string element_path = path_of(key) + "[" + std::to_string(i) + "]";
        cx_.record(element_path, position_of(element.source()));
        if (!element.is_table()) {
            cx_.error(element_path,
                      element_path + " must be a table (got " + describe(element) + ")");
        }
        out.push_back(element.as_table());
    }
    return out;
}

// The reader and the key table must not drift apart: asking for a key (or a type) that
// keys.cpp does not list is a bug in config/, never the operator's mistake.
bool table_reader::ip_address_list(std::string_view key, std::vector<host_port>& out) {
    const toml::node* node = get(key, "addresses");
    if (node == nullptr) return false;
    const auto* list = node->as_array();
    if (list == nullptr) {
        return wrong_type(key, *node, "an array of addresses like [\"10.96.0.10:53\"]");
    }
    std::vector<host_port> found;
    for (std::size_t i = 0; i < list->size(); ++i) {
        const std::string element = "element " + std::to_string(i + 1);
        const std::string rule = path_of(key) + " must be a list of IP addresses with a port like \"10.96.0.10:53\"";
        const auto* text = (*list)[i].as_string();
        if (text == nullptr) {
            return fail(key, rule + " (" + element + " is " + describe((*list)[i]) + ")");
        }
        auto result = parse_host_port(text->get());
        if (!result) return fail(key, rule + "; " + element + ": " + result.error);
        if (result.value->kind != host_kind::ipv4 && result.value->kind != host_kind::ipv6) {
            return fail(key, rule + " (" + element + " is " + quoted(text->get()) + ", not an IP address)");
        }
        if (result.value->port == 0) {
            return fail(key, rule + " (" + element + " has port 0)");
        }
        found.push_back(std::move(*result.value));
    }
    out = std::move(found);
    return true;
}

bool table_reader::network_list(std::string_view key, std::vector<ip_network>& out) {
    const toml::node* node = get(key, "networks");
    if (node == nullptr) return false;
    const auto* list = node->as_array();
    if (list == nullptr) return wrong_type(key, *node, "an array of networks like [\"10.0.0.0/8\"]");
    std::vector<ip_network> found;
    for (std::size_t i = 0; i < list->size(); ++i) {
        std::string why = path_of(key);
        why += " must be a list of networks like [\"10.0.0.0/8\", \"2001:db8::/32\"] (element ";
        why += std::to_string(i + 1);
        const auto* text = (*list)[i].as_string();
        if (text == nullptr) {
            why += " is ";
            why += describe((*list)[i]);
            why += ")";
            return fail(key, why);
        }
        auto result = parse_network(text->get());
        if (!result) {
            why += ": ";
            why += result.error;
            why += ")";
            return fail(key, why);
        }
        found.push_back(*result.value);
    }
    out = std::move(found);
    return true;
}

bool table_reader::has(std::string_view key) const {
    return table_.get(key) != nullptr;
}

bool table_reader::string_table(std::string_view key, std::vector<std::pair<std::string, std::string>>& out) {
    const toml::node* node = get(key, "fields");
    if (node == nullptr) return false;
    const auto* t = node->as_table();
    if (t == nullptr) return wrong_type(key, *node, "a table of strings like { \"X-Env\" = \"prod\" }");
    std::vector<std::pair<std::string, std::string>> found;
    for (auto&& [name, value] : *t) {
        const std::string entry = join(key, name.str());
        cx_.record(path_of(entry), position_of(name.source()));
        const auto* text = value.as_string();
        if (text == nullptr) {
            std::string why = path_of(entry);
            why += " must be a string (got ";
            why += describe(value);
            why += ")";
            return fail(entry, why);
        }
        found.emplace_back(std::string(name.str()), text->get());
    }
    out = std::move(found);
    return true;
}

bool table_reader::string_list(std::string_view key, std::vector<std::string>& out) {
    const toml::node* node = get(key, "strings");
    if (node == nullptr) return false;
    const auto* list = node->as_array();
    if (list == nullptr) return wrong_type(key, *node, "an array of strings like [\"X-Debug\"]");
    std::vector<std::string> found;
    for (std::size_t i = 0; i < list->size(); ++i) {
        const std::string entry = std::string(key) + "[" + std::to_string(i) + "]";
        cx_.record(path_of(entry), position_of((*list)[i].source()));
        const auto* text = (*list)[i].as_string();
        if (text == nullptr) {
            std::string why = path_of(key);
            why += " must be an array of strings (element ";
            why += std::to_string(i + 1);
            why += " is ";
            why += describe((*list)[i]);
            why += ")";
            return fail(key, why);
        }
        found.push_back(text->get());
    }
    out = std::move(found);
    return true;
}

const toml::node* table_reader::get(std::string_view key, std::string_view type) {
    const std::string schema_key = join(schema_, key);
    const key_info* info = find_key(schema_key);
    if (info == nullptr || info->type != type) {
        throw std::logic_error("config/ reads " + schema_key + " as " + std::string(type) +
                               ", which keys.cpp does not list");
    }
    const toml::node* node = table_.get(key);
    if (node != nullptr) cx_.record(path_of(key), position_of(node->source()));
    return node;
}

bool table_reader::fail(std::string_view key, std::string message) {
    cx_.error(path_of(key), std::move(message));
    return false;
}

bool table_reader::wrong_type(std::string_view key, const toml::node& node,
                              const std::string& expected) {
    return fail(key, path_of(key) + " must be " + expected + " (got " + describe(node) + ")");
}

bool table_reader::out_of_range(std::string_view key, bool below, const std::string& bound,
                                const std::string& shown) {
    return fail(key, path_of(key) + (below ? " must be at least " : " must be at most ") + bound +
                         " (got " + shown + ")");
}

void table_reader::report_unknown(const toml::key& key) {
    const std::string name(key.str());
    std::string message = path_of(name) + " is not a known key";
    const auto siblings = keys_in_section(schema_);
    if (auto guess = closest_match(name, siblings)) {
        message += "; did you mean '" + *guess + "'?";
    } else if (auto homes = homes_of(name); !homes.empty()) {
        message += "; '" + name + "' belongs in " + homes;
    } else {
        std::string list;
        for (const auto& s : siblings) {
            list += (list.empty() ? "" : ", ") + s;
        }
        message += (schema_.empty() ? " (known sections: " : " (known keys here: ") + list + ")";
    }
    cx_.error_at(position_of(key.source()), std::move(message));
}

} // namespace gw::config::detail
