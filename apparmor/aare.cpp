// Aare: a file-rule path compiled the way apparmor_parser compiles it, in the parser's own
// order: variables, slash filtering, AARE → regex text, then the regex engine's grammar.
#include "apparmor/aare.h"

#include "apparmor/aare_automaton.h"
#include "apparmor/aare_syntax.h"

namespace armorer {

struct Aare::Program {
  aare_detail::PositionAutomaton automaton;
};

Aare::Aare(std::string pattern, std::unique_ptr<Program> program)
    : pattern_(std::move(pattern)), program_(std::move(program)) {}

Aare::Aare(const Aare& other)
    : pattern_(other.pattern_), program_(std::make_unique<Program>(*other.program_)) {}

Aare& Aare::operator=(const Aare& other) {
  if (this != &other) {
    pattern_ = other.pattern_;
    program_ = std::make_unique<Program>(*other.program_);
  }
  return *this;
}

Aare::Aare(Aare&&) noexcept = default;
Aare& Aare::operator=(Aare&&) noexcept = default;
Aare::~Aare() = default;

namespace {

// Error messages stay on one line whatever bytes the pattern holds.
std::string printable(std::string_view text) {
  static const char hex[] = "0123456789abcdef";
  std::string out;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f) {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += ch;
    }
  }
  return out;
}

}  // namespace

std::optional<Aare> Aare::compile(std::string_view pattern, const Variables& vars,
                                  std::string* error) {
  std::string reason;
  auto fail = [&]() -> std::optional<Aare> {
    if (error) *error = "bad pattern '" + printable(pattern) + "': " + reason;
    return std::nullopt;
  };
  const auto expanded = aare_detail::expand_variables(pattern, vars, &reason);
  if (!expanded) return fail();
  // The parser works on C strings: a NUL would silently cut the rule short.
  if (expanded->find('\0') != std::string::npos) {
    reason = "contains a NUL byte";
    return fail();
  }
  const auto regex = aare_detail::to_parser_regex(aare_detail::filter_slashes(*expanded), &reason);
  if (!regex) return fail();
  auto automaton = aare_detail::PositionAutomaton::build(*regex, &reason);
  if (!automaton) return fail();
  return Aare(std::string(pattern), std::make_unique<Program>(Program{std::move(*automaton)}));
}

bool Aare::matches(std::string_view path) const { return program_->automaton.matches(path); }

const std::optional<std::string>& Aare::literal() const { return program_->automaton.literal(); }

}  // namespace armorer
