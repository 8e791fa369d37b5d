// Docker settings: `docker run` flags and the same settings as a compose service snippet.
// Profile names come from a closed, shell- and YAML-safe alphabet (core/profile_name.h); the
// YAML still quotes every string so that a name such as "yes" or "1e3" stays a string.
#include <string>

#include "emitter/capability_list.h"
#include "emitter/writers.h"

namespace armorer {

std::string write_docker_flags(const RuleSet& rules) {
  // Docker applies --cap-drop ALL before the adds, whatever their order on the command line.
  std::string flags = "--security-opt apparmor=" + rules.profile_name() + " --cap-drop ALL";
  for (const auto& name : container_capabilities(rules)) flags += " --cap-add " + name;
  return flags + "\n";
}

std::string write_compose(const RuleSet& rules) {
  std::string out = "# docker compose: merge these keys into services.<service> to run it under\n"
                    "# AppArmor profile " + rules.profile_name() + " with only the capabilities it used.\n"
                    "security_opt:\n"
                    "  - \"apparmor=" + rules.profile_name() + "\"\n"
                    "cap_drop:\n"
                    "  - \"ALL\"\n";
  const auto capabilities = container_capabilities(rules);
  if (capabilities.empty()) return out + "cap_add: []\n";
  out += "cap_add:\n";
  for (const auto& name : capabilities) out += "  - \"" + name + "\"\n";
  return out;
}

}  // namespace armorer
