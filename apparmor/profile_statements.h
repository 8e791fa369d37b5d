// The lexical layer of reading a profile back: the text `apparmor_parser -p` prints (includes
// already inlined) cut into statements. Comments are dropped, a rule becomes its
// whitespace-separated tokens (quotes kept, so a quoted path stays one token), and blocks and
// variable assignments are told apart. What a statement means is profile_reader's business.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace armorer::profile_text {

struct Statement {
  enum class Type {
    rule,         // tokens of "... ," without the comma
    block_open,   // tokens of the header before "{" ("profile", "x", "flags=(...)"; "owner")
    block_close,  // "}"; no tokens
    assignment,   // "@{name}", "=" or "+=", then the values with quotes removed
  };
  Type type = Type::rule;
  std::size_t line = 0;  // 1-based line of the text where the statement starts
  std::vector<std::string> tokens;
};

// Throws Fatal (one line, naming the line number) on an unterminated quote, a rule that is
// never ended by ',' or a stray ')'.
std::vector<Statement> split_statements(std::string_view text);

// A token without its surrounding double quotes (escapes inside are kept for the matcher).
std::string unquote(std::string_view token);
// Whether a rule token is a path pattern: "/...", "@{var}...", a quoted path or "{alt,...}".
bool is_path_token(std::string_view token);

}  // namespace armorer::profile_text
