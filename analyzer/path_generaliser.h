// Observed literal paths → AARE patterns for file rules. This first version only folds process
// and thread ids under /proc into the stock @{pid} / @{tid} variables; everything else stays
// exact. Later steps (globbing of version numbers, temp names, ...) slot in as further rewrites
// of the same component list.
#pragma once

#include <string>
#include <string_view>

namespace armorer {

class PathGeneraliser {
 public:
  // The pattern for `literal` (an absolute path; a trailing '/' marks a directory). Always
  // matches `literal` itself: a rewrite whose result does not (a pid beyond @{pid}'s range, say)
  // is dropped and the path stays exact.
  std::string pattern_for(std::string_view literal) const;
};

}  // namespace armorer
