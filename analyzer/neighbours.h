// Accesses a workload makes in production that sit right beside what it was seen doing, so
// that a training run that happened not to make them does not decide: listing a directory
// whose files it reads by a glob, the other harmless device nodes once it uses one
// (/dev/null opened for writing where training only read it), and its own /proc/@{pid}
// information files once it reads one. Each is added with its reason, for `emit --explain`.
#pragma once

#include "apparmor/rule_set.h"

namespace armorer {

void add_neighbours(RuleSet& rules);

}  // namespace armorer
