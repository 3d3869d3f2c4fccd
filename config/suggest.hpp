// "Did you mean ...?": the closest candidate to a misspelt name.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gw::config {

// Edit distance between a and b, ignoring ASCII case: insertions, deletions,
// substitutions and transpositions of adjacent characters each cost 1 (optimal string
// alignment), so "resrve" -> "reserve" and "wokrers" -> "workers" are both 1.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word`, if it is close enough to be a plausible typo: at most
// 2 edits, and at most a third of the longer word (so "x" does not suggest "id"). Ties go
// to the earlier candidate. Never returns `word` itself unless it is in `candidates`.
std::optional<std::string> closest_match(std::string_view word,
                                         const std::vector<std::string>& candidates);

} // namespace gw::config
