// The capabilities a rule set allows, spelled the way container platforms want them.
#pragma once

#include <string>
#include <vector>

#include "apparmor/rule_set.h"

namespace armorer {

// "NET_RAW", "SYS_PTRACE", ...: upper case without CAP_, sorted, no duplicates. The names come
// from AppArmor's closed capability table (CapabilityRule), never from recorded text.
std::vector<std::string> container_capabilities(const RuleSet& rules);

}  // namespace armorer
