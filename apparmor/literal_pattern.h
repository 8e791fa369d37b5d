// A recorded name (a peer label, a socket address, a mount source) as a pattern that matches
// exactly that name, together with the token that writes it safely in a profile.
#pragma once

#include <compare>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "apparmor/aare.h"

namespace armorer {

class LiteralPattern {
 public:
  // nullopt, with *why_not set, when the name cannot be written safely.
  static std::optional<LiteralPattern> make(std::string_view literal, std::string* why_not);

  const std::string& literal() const { return literal_; }
  const std::string& token() const { return token_; }
  // Matches with the parser's semantics, not by string equality, so covers() answers for the
  // rule as written.
  bool matches(std::string_view text) const { return matcher_->matches(text); }

  std::strong_ordering operator<=>(const LiteralPattern& other) const {
    return literal_ <=> other.literal_;
  }
  bool operator==(const LiteralPattern& other) const { return literal_ == other.literal_; }

 private:
  LiteralPattern() = default;
  std::string literal_;
  std::string token_;
  std::shared_ptr<const Aare> matcher_;
};

}  // namespace armorer
