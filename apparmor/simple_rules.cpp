#include "apparmor/simple_rules.h"

#include <sstream>
#include <vector>

#include "apparmor/apparmor_names.h"

namespace armorer {

namespace {

std::vector<std::string> words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string word; in >> word;) out.push_back(word);
  return out;
}

template <class T>
std::optional<T> refuse(std::string* why_not, std::string reason) {
  if (why_not) *why_not = std::move(reason);
  return std::nullopt;
}

}  // namespace

std::optional<CapabilityRule> CapabilityRule::make(std::string_view name, std::string* why_not) {
  auto known = capability_name(name);
  if (!known) return refuse<CapabilityRule>(why_not, "unknown capability");
  CapabilityRule rule;
  rule.name_ = std::string(*known);
  return rule;
}

std::optional<CapabilityRule> CapabilityRule::from_observation(const Observation& obs,
                                                               std::string* why_not) {
  if (obs.kind != ObsKind::capability) return refuse<CapabilityRule>(why_not, "not a capability");
  return make(obs.object, why_not);
}

std::string CapabilityRule::render() const { return "capability " + name_ + ","; }

bool CapabilityRule::covers(const Observation& obs) const {
  if (obs.kind != ObsKind::capability) return false;
  auto known = capability_name(obs.object);
  return known && *known == name_;
}

std::optional<NetworkRule> NetworkRule::make(std::string_view family, std::string_view type,
                                             std::string* why_not) {
  auto family_name = network_family_name(family);
  if (!family_name) return refuse<NetworkRule>(why_not, "unknown socket family");
  NetworkRule rule;
  rule.family_ = std::string(*family_name);
  if (!type.empty()) {
    auto type_name = network_type_name(type);
    if (!type_name) return refuse<NetworkRule>(why_not, "unknown socket type");
    rule.type_ = std::string(*type_name);
  }
  return rule;
}

std::optional<NetworkRule> NetworkRule::from_observation(const Observation& obs,
                                                         std::string* why_not) {
  if (obs.kind != ObsKind::network) return refuse<NetworkRule>(why_not, "not a network access");
  auto parts = words(obs.object);
  if (parts.size() < 2 || parts.size() > 3)
    return refuse<NetworkRule>(why_not, "network object is not \"<family> <type> <protocol>\"");
  return make(parts[0], parts[1], why_not);
}

std::string NetworkRule::render() const {
  return "network " + family_ + (type_.empty() ? "" : " " + type_) + ",";
}

bool NetworkRule::covers(const Observation& obs) const {
  auto wanted = from_observation(obs, nullptr);
  return wanted && wanted->family_ == family_ && (type_.empty() || wanted->type_ == type_);
}

}  // namespace armorer
