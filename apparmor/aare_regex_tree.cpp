// The regex engine's grammar, as libapparmor_re's parse.y accepts it, by recursive descent.
#include "apparmor/aare_regex_tree.h"

#include <utility>

#include "apparmor/aare_syntax.h"

namespace armorer::aare_detail {
namespace {

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

  std::vector<RegexNode> nodes;
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

  int add(RegexNode node) {
    nodes.push_back(node);
    return static_cast<int>(nodes.size()) - 1;
  }

  int add_leaf(const ByteSet& set) {
    sets.push_back(set);
    RegexNode node;
    node.kind = RegexNode::leaf;
    node.position = static_cast<int>(sets.size()) - 1;
    return add(node);
  }

  int add_pair(RegexNode::Kind kind, int a, int b) {
    RegexNode node;
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
    if (look_.type == Token::end || at_op(')')) return add(RegexNode{});
    int left = at_op('|') ? add(RegexNode{}) : terms();
    while (at_op('|')) {
      advance();
      const int right = starts_term() ? terms() : add(RegexNode{});
      left = add_pair(RegexNode::alt, left, right);
    }
    return left;
  }

  int terms() {
    if (!starts_term()) throw ParseError{"expected a character, class or group in regex"};
    int left = qterm();
    while (starts_term()) left = add_pair(RegexNode::cat, left, qterm());
    return left;
  }

  int qterm() {
    const int t = term();
    if (at_op('*') || at_op('+')) {
      const RegexNode::Kind kind = at_op('*') ? RegexNode::star : RegexNode::plus;
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
void check_terminates(const RegexTree& parsed) {
  std::vector<int> empty_branches(parsed.nodes.size(), 0);
  for (std::size_t n = 0; n < parsed.nodes.size(); ++n) {
    const RegexNode& node = parsed.nodes[n];
    if (node.kind == RegexNode::eps) empty_branches[n] = 1;
    if (node.kind != RegexNode::alt) continue;
    empty_branches[n] = empty_branches[node.a] + empty_branches[node.b];
    if (empty_branches[n] >= 4) {
      throw ParseError{"four or more empty alternatives in one {..} (apparmor_parser never "
                       "finishes compiling that)"};
    }
  }
}

}  // namespace

std::optional<RegexTree> parse_parser_regex(std::string_view regex, std::string* error) {
  try {
    RegexParser parser(regex);
    RegexTree tree;
    tree.root = parser.parse();
    tree.nodes = std::move(parser.nodes);
    tree.sets = std::move(parser.sets);
    check_terminates(tree);
    return tree;
  } catch (const ParseError& e) {
    if (error) *error = e.reason;
    return std::nullopt;
  }
}

}  // namespace armorer::aare_detail
