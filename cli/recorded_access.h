// The accesses a profile is judged on, taken from recorded observations, and the judgement:
// shared by `armorer check` and by `emit`'s check of the profile text it writes.
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "apparmor/file_rule.h"
#include "apparmor/profile_reader.h"
#include "core/observation.h"

namespace armorer::cli {

// One thing to judge. `need` is used for file-like kinds, `name` (capability) or
// `family`/`type` (network) for the others.
struct Access {
  std::string kind;  // "file", "exec", "unix", "capability", "network"
  std::string subject;
  std::string object;
  FileNeed need;
  std::string family, type;
};

struct Accesses {
  std::vector<Access> list;
  std::map<std::string, size_t> unjudged;  // kind → count of accesses check cannot judge
};

// Everything in `observations` that a profile can be judged on; the rest is counted by kind.
Accesses accesses_of(std::span<const Observation> observations);
// The same for one observation: nullopt when a profile cannot be judged on it.
std::optional<Access> access_of(const Observation& obs);

// A network access from "family [type [protocol]]" (names or numbers).
std::optional<Access> network_access(std::string_view object);

// Letters refused, or "-" for a refused capability or socket; "" when allowed.
std::string refused(const ProfilePolicy& policy, const Access& access);

}  // namespace armorer::cli
