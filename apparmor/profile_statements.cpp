#include "apparmor/profile_statements.h"

#include "core/error.h"

namespace armorer::profile_text {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

class Splitter {
 public:
  explicit Splitter(std::string_view text) : text_(text) {}

  std::vector<Statement> run() {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (statement_empty()) {
        if (is_space(c)) {
          advance();
          continue;
        }
        // `#include` lines are comments to us: the parser has inlined what they name.
        if (c == '#' || starts_include()) {
          skip_line();
          continue;
        }
        if (read_assignment()) continue;
        current_.line = line_;
      }
      if (c == '"') {
        read_quoted();
      } else if (c == '\\') {
        append(c);
        if (pos_ < text_.size()) append(text_[pos_]);
      } else if (is_space(c)) {
        finish_token();
        advance();
      } else if (c == '#' && !in_token_) {
        skip_line();
      } else if (c == '{' && !in_token_ && parens_ == 0 && next_is_space()) {
        finish_statement(Statement::Type::block_open);
        advance();
      } else if (c == '}' && braces_ == 0) {
        finish_token();
        if (!current_.tokens.empty()) fail("missing ',' before '}'");
        current_.line = line_;
        finish_statement(Statement::Type::block_close);
        advance();
      } else if (c == ',' && braces_ == 0 && parens_ == 0) {
        finish_statement(Statement::Type::rule);
        advance();
      } else {
        if (c == '{') ++braces_;
        if (c == '}') --braces_;
        if (c == '(') ++parens_;
        if (c == ')' && --parens_ < 0) fail("')' without '('");
        append(c);
      }
    }
    finish_token();
    if (!current_.tokens.empty()) fail("rule is not ended by ','");
    return std::move(out_);
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw Fatal("profile text line " + std::to_string(current_.line ? current_.line : line_) +
                ": " + what);
  }

  bool statement_empty() const { return current_.tokens.empty() && !in_token_; }
  bool next_is_space() const { return pos_ + 1 >= text_.size() || is_space(text_[pos_ + 1]); }

  void advance() {
    if (text_[pos_] == '\n') ++line_;
    ++pos_;
  }
  void append(char c) {
    token_ += c;
    in_token_ = true;
    advance();
  }
  void skip_line() {
    while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
  }

  bool starts_include() const {
    std::string_view rest = text_.substr(pos_);
    return rest.starts_with("include") && rest.size() > 7 &&
           (is_space(rest[7]) || rest[7] == '<' || rest[7] == '"');
  }

  void read_quoted() {
    const std::size_t start_line = line_;
    append('"');
    while (pos_ < text_.size() && text_[pos_] != '"') {
      if (text_[pos_] == '\\' && pos_ + 1 < text_.size()) append('\\');
      append(text_[pos_]);
    }
    if (pos_ >= text_.size()) {
      line_ = start_line;
      fail("unterminated quote");
    }
    append('"');
  }

  void finish_token() {
    if (!in_token_) return;
    current_.tokens.push_back(std::move(token_));
    token_.clear();
    in_token_ = false;
    braces_ = 0;  // an alternation never spans whitespace
  }

  void finish_statement(Statement::Type type) {
    finish_token();
    current_.type = type;
    out_.push_back(std::move(current_));
    current_ = Statement{};
    parens_ = 0;
  }

  // "@{name} = v1 "v 2"" and "@{name}+=v" run to the end of their line and have no comma.
  bool read_assignment() {
    std::string_view rest = text_.substr(pos_);
    if (!rest.starts_with("@{")) return false;
    std::size_t i = 2;
    while (i < rest.size() && is_name_char(rest[i])) ++i;
    if (i == 2 || i >= rest.size() || rest[i] != '}') return false;
    std::size_t op = i + 1;
    while (op < rest.size() && (rest[op] == ' ' || rest[op] == '\t')) ++op;
    std::string oper;
    if (rest.substr(op).starts_with("+=")) oper = "+=";
    else if (rest.substr(op).starts_with("=")) oper = "=";
    else return false;

    Statement statement;
    statement.type = Statement::Type::assignment;
    statement.line = line_;
    statement.tokens = {std::string(rest.substr(0, i + 1)), oper};
    std::size_t end = rest.find('\n');
    if (end == std::string_view::npos) end = rest.size();
    std::string_view values = rest.substr(op + oper.size(), end - op - oper.size());
    std::string value;
    bool in_value = false, quoted = false;
    for (std::size_t k = 0; k < values.size(); ++k) {
      const char c = values[k];
      if (quoted) {
        if (c == '"') quoted = false;
        else value += c;
      } else if (c == '"') {
        quoted = in_value = true;
      } else if (is_space(c)) {
        if (in_value) statement.tokens.push_back(std::move(value));
        value.clear();
        in_value = false;
      } else if (c == '#' && !in_value) {
        break;
      } else {
        value += c;
        in_value = true;
      }
    }
    if (quoted) fail("unterminated quote");
    if (in_value) statement.tokens.push_back(std::move(value));
    out_.push_back(std::move(statement));
    pos_ += end;
    return true;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
  std::vector<Statement> out_;
  Statement current_;
  std::string token_;
  bool in_token_ = false;
  int braces_ = 0;  // '{' of an alternation inside the current token
  int parens_ = 0;  // '(' of the current statement: "(send, receive)" holds commas
};

}  // namespace

std::vector<Statement> split_statements(std::string_view text) { return Splitter(text).run(); }

std::string unquote(std::string_view token) {
  if (token.size() >= 2 && token.front() == '"' && token.back() == '"')
    return std::string(token.substr(1, token.size() - 2));
  return std::string(token);
}

bool is_path_token(std::string_view token) {
  return token.starts_with('/') || token.starts_with("@{") || token.starts_with('"') ||
         token.starts_with('{');
}

}  // namespace armorer::profile_text
