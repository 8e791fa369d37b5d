// A Glushkov (position) automaton built from the regex engine's tree and simulated with bit
// sets, with a string comparison for the many rules that are plain paths.
#include "apparmor/aare_automaton.h"

#include <map>
#include <utility>

#include "apparmor/aare_regex_tree.h"

namespace armorer::aare_detail {

class AutomatonBuilder {
 public:
  using Word = PositionAutomaton::Word;
  using Bits = std::vector<Word>;

  static PositionAutomaton build(const RegexTree& parsed) {
    PositionAutomaton out;
    out.literal_ = literal_of(parsed);
    if (out.literal_) return out;
    const std::size_t positions = parsed.sets.size();
    out.words_ = positions == 0 ? 1 : (positions + 63) / 64;
    const std::size_t w = out.words_;
    out.follow_.assign(positions * w, 0);

    struct Info {
      bool nullable = true;
      Bits first, last;
    };
    std::vector<Info> info(parsed.nodes.size());
    auto unite = [](Bits& into, const Bits& from) {
      for (std::size_t i = 0; i < into.size(); ++i) into[i] |= from[i];
    };
    auto add_follow = [&](const Bits& lasts, const Bits& firsts) {
      for (std::size_t i = 0; i < w; ++i) {
        for (Word bits = lasts[i]; bits; bits &= bits - 1) {
          const std::size_t p = i * 64 + static_cast<std::size_t>(__builtin_ctzll(bits));
          for (std::size_t j = 0; j < w; ++j) out.follow_[p * w + j] |= firsts[j];
        }
      }
    };
    for (std::size_t n = 0; n < parsed.nodes.size(); ++n) {
      const RegexNode& node = parsed.nodes[n];
      Info& me = info[n];
      switch (node.kind) {
        case RegexNode::eps:
          me.first.assign(w, 0);
          me.last.assign(w, 0);
          break;
        case RegexNode::leaf:
          me.nullable = false;
          me.first.assign(w, 0);
          me.first[node.position / 64] |= Word{1} << (node.position % 64);
          me.last = me.first;
          break;
        case RegexNode::cat: {
          Info a = std::move(info[node.a]);
          Info b = std::move(info[node.b]);
          add_follow(a.last, b.first);
          me.nullable = a.nullable && b.nullable;
          me.first = a.first;
          if (a.nullable) unite(me.first, b.first);
          me.last = b.last;
          if (b.nullable) unite(me.last, a.last);
          break;
        }
        case RegexNode::alt: {
          Info a = std::move(info[node.a]);
          Info b = std::move(info[node.b]);
          me.nullable = a.nullable || b.nullable;
          me.first = std::move(a.first);
          unite(me.first, b.first);
          me.last = std::move(a.last);
          unite(me.last, b.last);
          break;
        }
        case RegexNode::star:
        case RegexNode::plus: {
          Info a = std::move(info[node.a]);
          add_follow(a.last, a.first);
          me.nullable = node.kind == RegexNode::star || a.nullable;
          me.first = std::move(a.first);
          me.last = std::move(a.last);
          break;
        }
      }
    }
    out.accepts_empty_ = info[parsed.root].nullable;
    out.first_ = std::move(info[parsed.root].first);
    out.last_ = std::move(info[parsed.root].last);
    build_byte_classes(out, parsed.sets);
    out.build_dfa();
    return out;
  }

 private:
  // Bytes that every position treats alike share one mask, so masks cost classes × words.
  static void build_byte_classes(PositionAutomaton& out, const std::vector<ByteSet>& sets) {
    const std::size_t w = out.words_;
    std::map<Bits, std::uint8_t> classes;
    for (int c = 0; c < 256; ++c) {
      Bits column(w, 0);
      for (std::size_t p = 0; p < sets.size(); ++p) {
        if (sets[p].test(static_cast<std::size_t>(c))) column[p / 64] |= Word{1} << (p % 64);
      }
      auto [it, inserted] = classes.emplace(column, static_cast<std::uint8_t>(classes.size()));
      if (inserted) out.class_mask_.insert(out.class_mask_.end(), column.begin(), column.end());
      out.byte_class_[c] = it->second;
    }
  }

  // Most rules are plain paths: those match by string comparison. Walks the tree without
  // recursion, as a long literal is a deep chain of concatenations.
  static std::optional<std::string> literal_of(const RegexTree& parsed) {
    std::string text;
    std::vector<int> pending{parsed.root};
    while (!pending.empty()) {
      const RegexNode& node = parsed.nodes[pending.back()];
      pending.pop_back();
      if (node.kind == RegexNode::cat) {
        pending.push_back(node.b);
        pending.push_back(node.a);
      } else if (node.kind == RegexNode::leaf) {
        const ByteSet& set = parsed.sets[node.position];
        if (set.count() != 1) return std::nullopt;
        int c = 0;
        while (!set.test(static_cast<std::size_t>(c))) ++c;
        text += static_cast<char>(c);
      } else if (node.kind != RegexNode::eps) {
        return std::nullopt;
      }
    }
    return text;
  }
};

std::optional<PositionAutomaton> PositionAutomaton::build(std::string_view regex,
                                                          std::string* error) {
  const auto tree = parse_parser_regex(regex, error);
  if (!tree) return std::nullopt;
  return AutomatonBuilder::build(*tree);
}

bool PositionAutomaton::matches(std::string_view text) const {
  if (literal_) return text == *literal_;
  if (dfa_next_.empty()) return simulate(text);
  std::int32_t state = 0;
  for (const char ch : text) {
    state = dfa_next_[static_cast<std::size_t>(state) * classes_ + byte_class_[static_cast<unsigned char>(ch)]];
    if (state < 0) return false;
  }
  return dfa_accepts_[static_cast<std::size_t>(state)] != 0;
}

bool PositionAutomaton::simulate(std::string_view text) const {
  const std::size_t w = words_;
  // Small patterns (≤ 256 positions) simulate on the stack.
  Word small[8];
  std::vector<Word> large;
  Word* cur = small;
  Word* next = small + 4;
  if (w > 4) {
    large.assign(2 * w, 0);
    cur = large.data();
    next = large.data() + w;
  }
  bool at_start = true;
  for (const char ch : text) {
    const Word* mask = &class_mask_[byte_class_[static_cast<unsigned char>(ch)] * w];
    Word any = 0;
    if (at_start) {
      for (std::size_t i = 0; i < w; ++i) any |= next[i] = first_[i] & mask[i];
    } else {
      for (std::size_t i = 0; i < w; ++i) next[i] = 0;
      for (std::size_t i = 0; i < w; ++i) {
        for (Word bits = cur[i]; bits; bits &= bits - 1) {
          const std::size_t p = i * 64 + static_cast<std::size_t>(__builtin_ctzll(bits));
          const Word* f = &follow_[p * w];
          for (std::size_t j = 0; j < w; ++j) next[j] |= f[j];
        }
      }
      for (std::size_t i = 0; i < w; ++i) any |= next[i] &= mask[i];
    }
    if (!any) return false;
    std::swap(cur, next);
    at_start = false;
  }
  if (at_start) return accepts_empty_;
  for (std::size_t i = 0; i < w; ++i) {
    if (cur[i] & last_[i]) return true;
  }
  return false;
}

}  // namespace armorer::aare_detail
