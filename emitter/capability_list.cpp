#include "emitter/capability_list.h"

#include <algorithm>
#include <cctype>

namespace armorer {

std::vector<std::string> container_capabilities(const RuleSet& rules) {
  std::vector<std::string> names;
  for (const auto& entry : rules.entries()) {
    const auto* capability = std::get_if<CapabilityRule>(&entry.rule);
    if (!capability) continue;
    std::string name = capability->name();
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    names.push_back(std::move(name));
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

}  // namespace armorer
