// RuleSet → the text users deploy. Never reads the database; the same RuleSet always gives
// the same bytes.
#pragma once

#include <string>

#include "analyzer/rule_set.h"

namespace armorer {

struct ApparmorOptions {
  bool complain = false;  // flags=(complain, ...)
  bool explain = false;   // provenance comments above each rule
};

// An AppArmor 3 profile: `abi <abi/3.0>,`, `include <tunables/global>`,
// `profile NAME flags=(attach_disconnected,mediate_deleted) { ... }`.
std::string write_apparmor(const RuleSet& rules, const ApparmorOptions& options);

// The ECS container-definition fragment:
// {"linuxParameters":{"capabilities":{"add":[...],"drop":["ALL"]}},"dockerSecurityOptions":["apparmor:NAME"]}
// pretty-printed with a trailing newline.
std::string write_ecs(const RuleSet& rules);

}  // namespace armorer
