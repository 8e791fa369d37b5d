// Internal to the AARE matcher: the regex text the parser's engine compiles (see
// aare_regex_tree.h), turned into a position (Glushkov) automaton simulated with bit sets. No
// backtracking: a match costs O(path length × active positions / 64), whatever the pattern;
// one byte per table lookup when the sets of active positions are few (see aare_dfa.cpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace armorer::aare_detail {

class PositionAutomaton {
 public:
  // `regex` is what to_parser_regex produced. nullopt + *error where the parser's regex
  // engine refuses it (e.g. "[]", "[a-]": both pass the first stage but not the second).
  static std::optional<PositionAutomaton> build(std::string_view regex, std::string* error);

  bool matches(std::string_view text) const;
  // The one text the regex matches, when it is a plain string.
  const std::optional<std::string>& literal() const { return literal_; }

 private:
  using Word = std::uint64_t;

  bool simulate(std::string_view text) const;
  void build_dfa();

  std::size_t words_ = 0;            // bit-set width, in words
  std::uint8_t byte_class_[256] = {};
  std::vector<Word> class_mask_;     // per byte class: positions that accept such a byte
  std::vector<Word> follow_;         // per position: positions that may come next
  std::vector<Word> first_;          // positions that may come first
  std::vector<Word> last_;           // positions that may come last
  bool accepts_empty_ = false;
  std::optional<std::string> literal_;  // set when the regex is a plain string
  // The same automaton as a DFA whose states are the sets of active positions reachable from
  // the start (state 0: nothing read yet). Empty when there would be too many of them.
  std::size_t classes_ = 0;               // byte classes: the DFA's alphabet
  std::vector<std::int32_t> dfa_next_;    // [state * classes_ + class] → state, or -1: no match
  std::vector<std::uint8_t> dfa_accepts_; // per state: the text may end here

  friend class AutomatonBuilder;
};

}  // namespace armorer::aare_detail
