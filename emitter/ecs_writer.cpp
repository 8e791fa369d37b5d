#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "emitter/writers.h"

namespace armorer {

// ordered_json keeps the keys in the order ECS documents them, which reads better in review.
std::string write_ecs(const RuleSet& rules) {
  std::vector<std::string> add;
  for (const auto& entry : rules.entries()) {
    const auto* capability = std::get_if<CapabilityRule>(&entry.rule);
    if (!capability) continue;
    std::string name = capability->name();
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    add.push_back(std::move(name));
  }
  std::sort(add.begin(), add.end());
  nlohmann::ordered_json fragment;
  fragment["linuxParameters"]["capabilities"]["add"] = add;
  fragment["linuxParameters"]["capabilities"]["drop"] = nlohmann::ordered_json::array({"ALL"});
  fragment["dockerSecurityOptions"] =
      nlohmann::ordered_json::array({"apparmor:" + rules.profile_name()});
  return fragment.dump(2) + "\n";
}

}  // namespace armorer
