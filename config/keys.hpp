// The schema's key table: the single list of every key the configuration accepts.
//
// The loader checks every key of a file against it (unknown keys are errors, with the
// closest known key suggested), every reader in the loader asserts that the key it reads
// is listed here with the type it reads, and a test compares it both ways with
// docs/config-reference.md. Adding a key therefore means adding it here, reading it in
// load.cpp and documenting it; forgetting one of the three fails a test.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace gw::config {

// A leaf key, by its dotted path without array indices ("backends.servers.maxconn"), and
// the type a value must have: "integer", "boolean", "string", "duration", "size",
// "address" or "enum". The tables that hold keys ("buffers", "backends.servers") are
// implied by the paths.
struct key_info {
    std::string_view path;
    std::string_view type;
};

// Every leaf key, in the order the reference documents them.
std::span<const key_info> key_table();

// The paths of key_table(), in the same order.
std::vector<std::string> known_keys();

// The entry for a leaf key, or nullptr if `path` is not one.
const key_info* find_key(std::string_view path);

// True if `path` names a table that holds keys ("", "backends", "backends.servers").
bool is_section(std::string_view path);

// True if section `path` is an array of tables, written [[path]] ("listeners",
// "backends.servers"); the other sections are plain tables, written [path].
bool is_array_section(std::string_view path);

// How section `path` is written in a file: "[global]" or "[[backends.servers]]".
std::string section_header(std::string_view path);

// The names directly inside section `path` (leaves and sub-tables), in table order.
std::vector<std::string> keys_in_section(std::string_view path);

} // namespace gw::config
