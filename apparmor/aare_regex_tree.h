// Internal to the AARE matcher: apparmor_parser's regex engine grammar (libapparmor_re's
// parse.y), read into a tree the automaton is built from. It accepts what that grammar accepts,
// gaps included: "[a-]" and "[a--]" are errors, ']' is literal outside a class, "[^^x]" negates
// both '^' and 'x'.
#pragma once

#include <bitset>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace armorer::aare_detail {

using ByteSet = std::bitset<256>;

struct RegexNode {
  enum Kind { eps, leaf, cat, alt, star, plus } kind = eps;
  int a = -1;
  int b = -1;
  int position = -1;  // leaf only: index into RegexTree::sets
};

struct RegexTree {
  std::vector<RegexNode> nodes;  // children always come before their parents
  std::vector<ByteSet> sets;     // the bytes each leaf (automaton position) accepts
  int root = -1;
};

// Parses what to_parser_regex produced. nullopt + *error where the parser's regex engine
// refuses it, or where apparmor_parser would never finish compiling it.
std::optional<RegexTree> parse_parser_regex(std::string_view regex, std::string* error);

}  // namespace armorer::aare_detail
