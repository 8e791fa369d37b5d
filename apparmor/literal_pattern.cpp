#include "apparmor/literal_pattern.h"

namespace armorer {

std::optional<LiteralPattern> LiteralPattern::make(std::string_view literal,
                                                   std::string* why_not) {
  auto fail = [&](std::string reason) -> std::optional<LiteralPattern> {
    if (why_not) *why_not = std::move(reason);
    return std::nullopt;
  };
  if (literal.empty()) return fail("name is empty");
  if (literal.find('\0') != std::string_view::npos) return fail("name holds a NUL byte");
  const std::string pattern = aare_escape(literal);
  std::string error;
  auto matcher = Aare::compile(pattern, stock_tunables(), &error);
  if (!matcher) return fail("escaped name does not compile: " + error);
  // The escape is the one thing that stands between a hostile name and a wider rule:
  // refuse rather than trust it if it does not give back exactly the name.
  if (!matcher->matches(literal)) return fail("escaped name does not match itself");
  auto token = profile_token(pattern);
  if (!token) return fail("name cannot be written safely in a profile");
  LiteralPattern out;
  out.literal_ = std::string(literal);
  out.token_ = std::move(*token);
  out.matcher_ = std::make_shared<const Aare>(std::move(*matcher));
  return out;
}

}  // namespace armorer
