// Looking inside a file rule's pattern without a decision procedure for regular languages:
// the one path a literal pattern stands for, and sample paths a wildcard pattern matches. Used
// by `armorer diff` to ask the old profile's matchers whether a new rule reaches further.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "apparmor/aare.h"

namespace armorer {

// The path a pattern matches when it holds no wildcard, class, alternation or variable (its
// escapes decoded, '//' folded as the parser folds them); nullopt otherwise.
std::optional<std::string> pattern_literal(std::string_view pattern);

// Up to `limit` distinct paths the pattern matches, made by choosing among the expansions of
// each wildcard ("", "x", "x/y", ...), each alternative of {a,b} and each variable value; every
// sample is confirmed with the pattern's own matcher. Empty when the pattern does not compile.
std::vector<std::string> pattern_samples(std::string_view pattern, const Variables& vars,
                                         std::size_t limit);

}  // namespace armorer
