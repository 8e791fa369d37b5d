// Observed literal paths → the AARE patterns file rules are written with. A profile of exact
// paths breaks on the next run (new pids, temp names, hashes, versions); one of broad globs
// protects nothing. The generaliser widens a path only where the recording shows, or the
// name's shape proves, that it changes, and never into a sensitive location:
//  1. stock variables: @{PROC}/@{pid}/@{tid}, @{sys}, @{run}, @{HOME}, @{uid}, @{multiarch};
//  2. names that change (a component seen with several values of one shape, or one value
//     that is clearly generated: numbers, hex digests, UUIDs, temp names) become the
//     narrowest glob inside that one component; versioned libraries keep their major version;
//  3. the workload's data: names some runs used and others did not (a per-run work directory,
//     the uploads and temp files beneath it) become the narrowest glob of their names, what the
//     workload created in a directory of its own becomes `*`, and a tree that varies below a
//     varying directory becomes `DIR/**`; never in system, kernel trees, never for executables;
//  4. sibling collapse: many names of one workload directory used the same way become `*`
//     or `*.ext`; never in system, kernel or shared directories, never for executables;
//     modules read from an interpreter's tree (python, perl) become `ROOT/**`;
//  5. the sensitive-path guard: a pattern that reaches a sensitive location the workload was
//     not seen using is narrowed, or keeps its breadth with an explicit `deny` rule.
// Pure and deterministic: the result depends on the set of uses, not their order.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "apparmor/file_rule.h"

namespace armorer {

// One file access as the generaliser weighs it.
struct PathUse {
  std::string path;  // absolute, '/' suffix for a directory
  uint32_t perms = 0;  // file_perm:: bits
  bool exec = false;
  bool owner = false;
  std::vector<int64_t> runs;  // the runs that made this use (empty: not known)
  bool created = false;       // the workload made the path (created, mkdir, rename or link target)
};

struct GeneraliserOptions {
  bool variables = true;
  bool shapes = true;
  bool collapse = true;
  size_t sibling_threshold = 4;     // names of one directory before `dir/*`
  size_t interpreter_threshold = 3; // module files read before `ROOT/**`
};

// A deny rule the guard added, and the generalised pattern that made it necessary.
struct GuardDeny {
  FileRule rule;
  std::string because_of;
};

// Indexes rather than a map of path → pattern: a million paths share a few dozen patterns,
// and the analyzer asks for the pattern of each use it passed in.
struct Generalisation {
  std::vector<std::string> patterns;
  std::vector<std::string> reasons;     // per pattern: why it is wider than its paths, or ""
  std::vector<std::string> paths;       // every distinct path of the uses, sorted
  std::vector<size_t> path_patterns;    // per path: index into patterns
  std::vector<size_t> use_patterns;     // per use, in the order given: index into patterns
  std::vector<GuardDeny> denies;

  // The pattern for `path`; its exact escape when the path was not part of the uses.
  std::string pattern_for(std::string_view path) const;
};

// Whether `owner` means something in a rule for this path: on the workload's own files (and
// /proc/PID, owned by the process's user) it does; on package-managed, sysfs, device and
// other /proc files it only says that the recording ran as root, and would deny the same
// access to the unprivileged user the workload is deployed as.
bool owner_matters(std::string_view path);

class PathGeneraliser {
 public:
  explicit PathGeneraliser(GeneraliserOptions options = {}) : options_(options) {}

  Generalisation generalise(std::span<const PathUse> uses) const;

  // The pattern for one path seen alone (read access): variables and clearly generated
  // names only. Always matches `literal` itself.
  std::string pattern_for(std::string_view literal) const;

 private:
  GeneraliserOptions options_;
};

}  // namespace armorer
