// Which rules of a rule set apply to a path, and which recorded observations stand behind a
// rule: the questions `armorer explain` answers for a reviewer.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "apparmor/rule_set.h"
#include "core/observation.h"

namespace armorer {

struct RuleMatch {
  const RuleEntry* entry = nullptr;
  // For an include: the abstraction's own rules that match ("/etc/ssl/certs/{,**} r,").
  std::vector<std::string> via;
};

// The file rules (allow and deny, `owner` ones included) and included abstractions whose
// patterns match `path` (absolute; '/' suffix for a directory), in profile order.
std::vector<RuleMatch> rules_matching(const RuleSet& rules, std::string_view path);

// The indexes of the observations `match` was learned from: the file accesses whose paths
// its pattern matches and that it (or its abstraction) covers.
std::vector<size_t> observations_behind(const RuleMatch& match, std::span<const Observation> observations);

}  // namespace armorer
