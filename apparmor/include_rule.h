// `include <abstractions/NAME>`: a stock abstraction, used in place of explicit rules for the
// accesses it is known to allow.
#pragma once

#include <compare>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "apparmor/file_rule.h"
#include "core/observation.h"

namespace armorer {

// One file rule of a stock abstraction, exactly as AppArmor 3.0 ships it (pattern and letters):
// the test suite checks every entry against /etc/apparmor.d.
struct AbstractionEntry {
  std::string_view pattern;
  std::string_view perms;
};

// The part of a stock abstraction armorer relies on: a subset of its file rules (the real
// abstraction allows more, never less). Empty for abstractions armorer does not know.
std::span<const AbstractionEntry> known_abstraction_entries(std::string_view name);

// The abstractions analyze() may include, in the order it tries them ("base" first). Only
// read-only, widely needed ones: nameservice, for one, would also grant network access.
std::span<const std::string_view> stock_abstraction_names();

// How much an abstraction grants beyond what it was included for, said in the profile:
// "stock: 72 rules (+6 from crypto), incl. reading all of /usr/lib/** and /lib/**".
std::string_view abstraction_summary(std::string_view name);
// The number of rules the stock file itself holds (the test suite checks it).
size_t abstraction_rule_count(std::string_view name);

class IncludeRule {
 public:
  // Only abstractions listed by known_abstraction_entries() can be included: covers() must be
  // able to answer for them.
  static std::optional<IncludeRule> make(std::string_view abstraction, std::string* why_not);

  const std::string& name() const { return name_; }  // "base"
  // "include <abstractions/base>  # stock: ...": the comment says what else it grants.
  std::string render() const;
  bool same_target(const IncludeRule& other) const { return name_ == other.name_; }
  void merge(const IncludeRule&) {}
  const std::vector<FileRule>& file_rules() const { return *file_rules_; }
  // Whether the abstraction's known file rules allow `obs`, permissions united across rules.
  bool covers(const Observation& obs) const;

  std::strong_ordering operator<=>(const IncludeRule& other) const { return name_ <=> other.name_; }
  bool operator==(const IncludeRule& other) const { return name_ == other.name_; }

 private:
  IncludeRule() = default;
  std::string name_;
  const std::vector<FileRule>* file_rules_ = nullptr;  // compiled once per process
};

}  // namespace armorer
