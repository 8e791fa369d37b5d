#include "cli/recorded_access.h"

#include "apparmor/apparmor_names.h"

namespace armorer::cli {

std::optional<Access> network_access(std::string_view object) {
  // "family [type [protocol]]", names or numbers.
  std::vector<std::string> words;
  size_t start = 0;
  while (start < object.size()) {
    const size_t end = std::min(object.find(' ', start), object.size());
    if (end > start) words.emplace_back(object.substr(start, end - start));
    start = end + 1;
  }
  if (words.empty() || words.size() > 3) return std::nullopt;
  const auto family = network_family_name(words[0]);
  if (!family) return std::nullopt;
  Access access;
  access.kind = "network";
  access.family = std::string(*family);
  if (words.size() > 1) {
    const auto type = network_type_name(words[1]);
    if (!type) return std::nullopt;
    access.type = std::string(*type);
  }
  access.object = access.family + (access.type.empty() ? "" : " " + access.type);
  return access;
}

std::optional<Access> access_of(const Observation& obs) {
  if (obs.kind == ObsKind::syscall) return std::nullopt;  // not something AppArmor mediates
  if (auto need = file_need(obs)) {
    Access access;
    access.kind = std::string(to_string(obs.kind));
    access.subject = obs.subject;
    access.object = need->path;
    access.need = std::move(*need);
    return access;
  }
  if (obs.kind == ObsKind::capability && capability_name(obs.object)) {
    Access access;
    access.kind = "capability";
    access.subject = obs.subject;
    access.object = std::string(*capability_name(obs.object));
    return access;
  }
  auto access = obs.kind == ObsKind::network ? network_access(obs.object) : std::nullopt;
  if (access) access->subject = obs.subject;
  return access;
}

Accesses accesses_of(std::span<const Observation> observations) {
  Accesses out;
  for (const Observation& obs : observations) {
    if (obs.kind == ObsKind::syscall) continue;  // not counted as unjudged either
    if (auto access = access_of(obs)) out.list.push_back(std::move(*access));
    else ++out.unjudged[std::string(to_string(obs.kind))];
  }
  return out;
}

std::string refused(const ProfilePolicy& policy, const Access& access) {
  if (access.kind == "capability") return policy.allows_capability(access.object) ? "" : "-";
  if (access.kind == "network") return policy.allows_network(access.family, access.type) ? "" : "-";
  return policy.refused(access.need);
}


}  // namespace armorer::cli
