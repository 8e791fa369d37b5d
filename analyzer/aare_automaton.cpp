// The regex engine's grammar, as libapparmor_re's parse.y accepts it (including its gaps: "[a-]"
// and "[a--]" are errors, "]" is literal outside a class, "[^^x]" negates both '^' and 'x'),
// and a Glushkov automaton built from the resulting tree.
#include "analyzer/aare_automaton.h"

#include <bitset>
#include <map>
#include <utility>

#include "analyzer/aare_syntax.h"

namespace armorer::aare_detail {
namespace {

using ByteSet = std::bitset<256>;

struct Node {
  enum Kind { eps, leaf, cat, alt, star, plus } kind = eps;
  int a = -1;
  int b = -1;
  int position = -1;  // leaf only: index into the leaf byte sets
};

struct ParseError {
  const char* reason;
};

class RegexParser {
 public:
  explicit RegexParser(std::string_view text) : text_(text) { advance(); }

  // Returns the root node; the tree is in nodes (children before parents) and sets.
  int parse() {
    const int root = regex();
    if (look_.type != Token::end) throw ParseError{"unexpected character in regex"};
    return root;
  }

  std::vector<Node> nodes;
  std::vector<ByteSet> sets;

 private:
  struct Token {
    enum Type { end, ch, op } type = end;
    unsigned char c = 0;
  };

  static bool is_op(char c) {
    return std::string_view("*+.|^-[]()").find(c) != std::string_view::npos;
  }

  void advance() {
    if (pos_ >= text_.size()) {
      look_ = {Token::end, 0};
      return;
    }
    const char c = text_[pos_++];
    if (is_op(c)) {
      look_ = {Token::op, static_cast<unsigned char>(c)};
    } else if (c == '\\') {
      if (pos_ >= text_.size()) throw ParseError{"trailing '\\' in regex"};
      const int value = decode_escape(text_, pos_, "*+.|^$-[](){}");
      // An escape that means nothing is a literal backslash; the next character stays.
      look_ = {Token::ch, static_cast<unsigned char>(value < 0 ? '\\' : value)};
    } else {
      look_ = {Token::ch, static_cast<unsigned char>(c)};
    }
  }

  bool at_op(char c) const { return look_.type == Token::op && look_.c == static_cast<unsigned char>(c); }

  void expect_op(char c, const char* reason) {
    if (!at_op(c)) throw ParseError{reason};
    advance();
  }

  int add(Node node) {
    nodes.push_back(node);
    return static_cast<int>(nodes.size()) - 1;
  }

  int add_leaf(const ByteSet& set) {
    sets.push_back(set);
    Node node;
    node.kind = Node::leaf;
    node.position = static_cast<int>(sets.size()) - 1;
    return add(node);
  }

  int add_pair(Node::Kind kind, int a, int b) {
    Node node;
    node.kind = kind;
    node.a = a;
    node.b = b;
    return add(node);
  }

  bool starts_term() const {
    if (look_.type == Token::ch) return true;
    if (look_.type != Token::op) return false;
    return std::string_view(".^-][(").find(static_cast<char>(look_.c)) != std::string_view::npos;
  }

  // regex: /* empty */ | expr ;  expr: terms | expr '|' terms0 | '|' terms0
  int regex() {
    if (look_.type == Token::end || at_op(')')) return add(Node{});
    int left = at_op('|') ? add(Node{}) : terms();
    while (at_op('|')) {
      advance();
      const int right = starts_term() ? terms() : add(Node{});
      left = add_pair(Node::alt, left, right);
    }
    return left;
  }

  int terms() {
    if (!starts_term()) throw ParseError{"expected a character, class or group in regex"};
    int left = qterm();
    while (starts_term()) left = add_pair(Node::cat, left, qterm());
    return left;
  }

  int qterm() {
    const int t = term();
    if (at_op('*') || at_op('+')) {
      const Node::Kind kind = at_op('*') ? Node::star : Node::plus;
      advance();
      return add_pair(kind, t, -1);
    }
    return t;
  }

  int term() {
    if (look_.type == Token::ch) {
      ByteSet set;
      set.set(look_.c);
      advance();
      return add_leaf(set);
    }
    switch (static_cast<char>(look_.c)) {
      case '.': {
        advance();
        return add_leaf(ByteSet().set());
      }
      case '^':
      case '-':
      case ']': {
        ByteSet set;
        set.set(look_.c);
        advance();
        return add_leaf(set);
      }
      case '(': {
        advance();
        const int inner = regex();
        expect_op(')', "unbalanced '(' in regex");
        return inner;
      }
      case '[':
        advance();
        return char_class();
      default:
        throw ParseError{"unexpected operator in regex"};
    }
  }

  bool at_cset_char() const {
    if (look_.type == Token::ch) return true;
    return look_.type == Token::op &&
           std::string_view("[*+.|()").find(static_cast<char>(look_.c)) != std::string_view::npos;
  }
  bool at_cset_char_n() const { return at_cset_char() || at_op('^'); }

  unsigned char take() {
    const unsigned char c = look_.c;
    advance();
    return c;
  }

  static void insert_range(ByteSet& set, unsigned char a, unsigned char b) {
    if (a > b) std::swap(a, b);
    for (int c = a; c <= b; ++c) set.set(static_cast<std::size_t>(c));
  }

  // cset_chars: { cset_charN [ '-' cset_charN ] }
  void cset_chars(ByteSet& set) {
    while (at_cset_char_n()) {
      const unsigned char from = take();
      if (at_op('-')) {
        advance();
        if (!at_cset_char_n()) throw ParseError{"bad range in character class"};
        insert_range(set, from, take());
      } else {
        set.set(from);
      }
    }
  }

  // After '[': charset ']' | '^' charset ']' | '^' '^' cset_chars ']'
  int char_class() {
    ByteSet set;
    bool negate = false;
    if (at_op('^')) {
      advance();
      negate = true;
      if (at_op('^')) {
        advance();
        set.set('^');
        cset_chars(set);
        expect_op(']', "unclosed character class");
        return add_leaf(~set);
      }
    }
    if (!(at_cset_char() || at_op(']') || at_op('-'))) {
      throw ParseError{"empty or malformed character class"};
    }
    const unsigned char first = take();
    if (at_op('-')) {
      advance();
      if (!at_cset_char_n()) throw ParseError{"bad range in character class"};
      insert_range(set, first, take());
    } else {
      set.set(first);
    }
    cset_chars(set);
    expect_op(']', "unclosed character class");
    return add_leaf(negate ? ~set : set);
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  Token look_;
};

// apparmor_parser 3.0.8 never finishes simplifying an alternation that has four or more empty
// branches, counting those of alternations nested directly inside it ("{,,,}", "{,{,,}}",
// "{a,,{,}}"; measured, up to three are fine). Such a pattern has no meaning to give it, and a
// profile holding it would hang every load, so it is refused like a syntax error.
void check_terminates(const RegexParser& parsed) {
  std::vector<int> empty_branches(parsed.nodes.size(), 0);
  for (std::size_t n = 0; n < parsed.nodes.size(); ++n) {
    const Node& node = parsed.nodes[n];
    if (node.kind == Node::eps) empty_branches[n] = 1;
    if (node.kind != Node::alt) continue;
    empty_branches[n] = empty_branches[node.a] + empty_branches[node.b];
    if (empty_branches[n] >= 4) {
      throw ParseError{"four or more empty alternatives in one {..} (apparmor_parser never "
                       "finishes compiling that)"};
    }
  }
}

}  // namespace

class AutomatonBuilder {
 public:
  using Word = PositionAutomaton::Word;
  using Bits = std::vector<Word>;

  static PositionAutomaton build(const RegexParser& parsed, int root) {
    PositionAutomaton out;
    out.literal_ = literal_of(parsed, root);
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
      const Node& node = parsed.nodes[n];
      Info& me = info[n];
      switch (node.kind) {
        case Node::eps:
          me.first.assign(w, 0);
          me.last.assign(w, 0);
          break;
        case Node::leaf:
          me.nullable = false;
          me.first.assign(w, 0);
          me.first[node.position / 64] |= Word{1} << (node.position % 64);
          me.last = me.first;
          break;
        case Node::cat: {
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
        case Node::alt: {
          Info a = std::move(info[node.a]);
          Info b = std::move(info[node.b]);
          me.nullable = a.nullable || b.nullable;
          me.first = std::move(a.first);
          unite(me.first, b.first);
          me.last = std::move(a.last);
          unite(me.last, b.last);
          break;
        }
        case Node::star:
        case Node::plus: {
          Info a = std::move(info[node.a]);
          add_follow(a.last, a.first);
          me.nullable = node.kind == Node::star || a.nullable;
          me.first = std::move(a.first);
          me.last = std::move(a.last);
          break;
        }
      }
    }
    out.accepts_empty_ = info[root].nullable;
    out.first_ = std::move(info[root].first);
    out.last_ = std::move(info[root].last);
    build_byte_classes(out, parsed.sets);
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
  static std::optional<std::string> literal_of(const RegexParser& parsed, int root) {
    std::string text;
    std::vector<int> pending{root};
    while (!pending.empty()) {
      const Node& node = parsed.nodes[pending.back()];
      pending.pop_back();
      if (node.kind == Node::cat) {
        pending.push_back(node.b);
        pending.push_back(node.a);
      } else if (node.kind == Node::leaf) {
        const ByteSet& set = parsed.sets[node.position];
        if (set.count() != 1) return std::nullopt;
        int c = 0;
        while (!set.test(static_cast<std::size_t>(c))) ++c;
        text += static_cast<char>(c);
      } else if (node.kind != Node::eps) {
        return std::nullopt;
      }
    }
    return text;
  }
};

std::optional<PositionAutomaton> PositionAutomaton::build(std::string_view regex,
                                                          std::string* error) {
  try {
    RegexParser parser(regex);
    const int root = parser.parse();
    check_terminates(parser);
    return AutomatonBuilder::build(parser, root);
  } catch (const ParseError& e) {
    if (error) *error = e.reason;
    return std::nullopt;
  }
}

bool PositionAutomaton::matches(std::string_view text) const {
  if (literal_) return text == *literal_;
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
