// AppArmor regular expressions (AARE) as they appear in file rules: a matcher with the same
// meaning apparmor_parser gives them, and the escaping that turns an observed literal path into
// a pattern matching exactly that path.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace armorer {

// Variable name without "@{" "}" → its values, e.g. "pid" → {"{[1-9],[1-9][0-9],...}"}.
using Variables = std::map<std::string, std::vector<std::string>>;

// The variables that AppArmor 3.0's stock tunables (/etc/apparmor.d/tunables/global and the
// files it includes) define, with their stock values.
const Variables& stock_tunables();

class Aare {
 public:
  // Compiles `pattern` (AARE syntax: * ** ? [set] [^set] {a,b} \-escapes, @{var}). Returns
  // nullopt and sets *error to a one-line reason when the pattern is malformed or uses an
  // undefined variable.
  static std::optional<Aare> compile(std::string_view pattern, const Variables& vars,
                                     std::string* error = nullptr);

  // True when the whole of `path` matches the pattern, with AppArmor's semantics (`*` and `?`
  // never match '/', `**` may; a pattern ending in '/' matches only directory paths that end in
  // '/').
  bool matches(std::string_view path) const;
  // The one path the pattern matches, when it matches exactly one: callers with many
  // patterns look such ones up instead of running each matcher.
  const std::optional<std::string>& literal() const;

  const std::string& pattern() const { return pattern_; }

  Aare(const Aare&);
  Aare& operator=(const Aare&);
  Aare(Aare&&) noexcept;
  Aare& operator=(Aare&&) noexcept;
  ~Aare();

 private:
  struct Program;
  Aare(std::string pattern, std::unique_ptr<Program> program);
  std::string pattern_;
  std::unique_ptr<Program> program_;
};

// Escapes every AARE metacharacter in a literal path so that the result, used as a pattern,
// matches exactly `literal` and nothing else.
std::string aare_escape(std::string_view literal);

// Renders a pattern as one token for a profile file: bare when that is safe, otherwise in
// double quotes with the parser's escapes. Returns nullopt when the bytes cannot be written
// safely at all (the caller then skips the rule with a `# skipped:` comment).
std::optional<std::string> profile_token(std::string_view pattern);

}  // namespace armorer
