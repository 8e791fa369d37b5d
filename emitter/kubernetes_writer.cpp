// Kubernetes settings: a container securityContext, and the profile itself as a
// security-profiles-operator object that loads it on every node.
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"
#include "emitter/capability_list.h"
#include "emitter/writers.h"

namespace armorer {

namespace {

// Why `name` cannot name a Kubernetes object (an RFC 1123 subdomain), or nullopt.
std::optional<std::string> kubernetes_name_problem(std::string_view name) {
  if (name.size() > 253) return "it is longer than 253 characters";
  bool label_start = true;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (c == '.') {
      if (label_start || name[i - 1] == '-') return "a dot-separated part does not start and end with a-z or 0-9";
      label_start = true;
      continue;
    }
    if (!alnum && c != '-') return "it may hold only lower-case letters, digits, '-' and '.'";
    if (label_start && !alnum) return "a dot-separated part does not start and end with a-z or 0-9";
    label_start = false;
  }
  if (name.empty() || label_start || name.back() == '-')
    return "a dot-separated part does not start and end with a-z or 0-9";
  return std::nullopt;
}

}  // namespace

std::string write_kubernetes(const RuleSet& rules) {
  const std::string& name = rules.profile_name();
  std::string out =
      "# Kubernetes 1.30+: the securityContext of the container that runs under AppArmor profile\n"
      "# " + name + ". Load the profile on every node first (apparmor_parser -r " + name + ".apparmor,\n"
      "# or apply " + name + ".spo.yaml with the security-profiles-operator).\n"
      "# Before 1.30, use this pod annotation instead of appArmorProfile:\n"
      "#   container.apparmor.security.beta.kubernetes.io/<container>: localhost/" + name + "\n"
      "securityContext:\n"
      "  appArmorProfile:\n"
      "    type: Localhost\n"
      "    localhostProfile: \"" + name + "\"\n"
      "  capabilities:\n"
      "    drop:\n"
      "      - \"ALL\"\n";
  const auto capabilities = container_capabilities(rules);
  if (capabilities.empty()) return out + "    add: []\n";
  out += "    add:\n";
  for (const auto& capability : capabilities) out += "      - \"" + capability + "\"\n";
  return out;
}

std::string write_spo_profile(const RuleSet& rules, const ApparmorOptions& options) {
  const std::string& name = rules.profile_name();
  if (auto problem = kubernetes_name_problem(name))
    throw Fatal("profile name '" + name + "' cannot name a security-profiles-operator AppArmorProfile, "
                "which must be named like the profile inside it: " + *problem);
  // A literal block scalar keeps the profile byte for byte: the writer only produces printable
  // UTF-8 (profile_token and comment_safe escape everything else), which YAML allows as is.
  std::string out =
      "# security-profiles-operator: loads AppArmor profile " + name + " on every node.\n"
      "apiVersion: security-profiles-operator.x-k8s.io/v1alpha1\n"
      "kind: AppArmorProfile\n"
      "metadata:\n"
      "  name: \"" + name + "\"\n"
      "spec:\n"
      "  policy: |\n";
  const std::string profile = write_apparmor(rules, options);
  std::size_t start = 0;
  while (start < profile.size()) {
    std::size_t end = profile.find('\n', start);
    if (end == std::string::npos) end = profile.size();
    const std::string_view line(profile.data() + start, end - start);
    if (!line.empty()) out.append("    ").append(line);
    out += '\n';
    start = end + 1;
  }
  return out;
}

}  // namespace armorer
