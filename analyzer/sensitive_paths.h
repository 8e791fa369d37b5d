// Places no generalised rule may reach unless the workload was seen using that very path:
// credentials (/etc/shadow, ssh and gpg keys), root's home, kernel interfaces (/proc/sys,
// /proc/kcore, /proc/PID/mem, securityfs), the boot files, container runtime sockets, and the
// files whose modification gives persistence (/etc/cron*, shell start-up files).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "apparmor/aare.h"

namespace armorer {

struct SensitiveLocation {
  std::string_view pattern;  // AARE with stock variables
  // What makes a rule dangerous here: any access, or only writing (w, a, l, x).
  bool write_only = false;
  // A glob that reaches it may keep its breadth if an explicit `deny` rule takes the location
  // back out (it never does when the workload used the location itself). Locations without
  // it (whole trees such as /root) make the glob narrower instead.
  bool deny = false;
  // Concrete paths in the location: a rule that matches one of them reaches the location.
  std::span<const std::string_view> examples;
};

std::span<const SensitiveLocation> sensitive_locations();

// What a rule asks for, in the terms the guard judges.
struct GuardedAccess {
  uint32_t perms = 0;  // file_perm:: bits
  bool exec = false;
};

class SensitiveGuard {
 public:
  SensitiveGuard();  // compiles the list (once per process; cheap to copy)

  // Whether the literal path lies in a sensitive location (for any access).
  bool sensitive(std::string_view literal) const;

  // The locations (indexes into sensitive_locations()) that `rule` reaches with `access`
  // beyond the paths in `observed` (sorted): a location example the rule matches, or a path
  // of the rule's own shape (`rule_probes`, see probe_paths()) inside the location.
  std::vector<size_t> reached(const Aare& rule, GuardedAccess access,
                              std::span<const std::string> rule_probes,
                              std::span<const std::string_view> observed) const;

  // Whether some path in `paths` lies in location `index` (then a deny rule would take away
  // what the workload was seen doing).
  bool holds_any(size_t index, std::span<const std::string_view> paths) const;

  const Aare& matcher(size_t index) const { return (*matchers_)[index]; }

 private:
  std::shared_ptr<const std::vector<Aare>> matchers_;
};

}  // namespace armorer
