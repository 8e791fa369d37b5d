// Every format at once, under file names that never change, so that a CI job can commit the
// whole directory and a pull request shows each format's change side by side.
#include "core/error.h"
#include "emitter/writers.h"

namespace armorer {

AllFormats write_all_formats(const EmitInput& input, const AllFormatsOptions& options) {
  const RuleSet& rules = input.rules;
  const std::string& name = rules.profile_name();
  AllFormats out;
  auto add = [&](std::string suffix, Emitted content) {
    out.files.push_back({name + suffix, std::move(content)});
  };
  // A format whose writer refuses these rules is reported, and the others are still written.
  auto add_or_report = [&](std::string suffix, auto&& write) {
    try {
      add(suffix, write());
    } catch (const Fatal& error) {
      out.not_written.push_back(name + suffix + ": " + error.what());
    }
  };
  add(".apparmor", {write_apparmor(rules, options.apparmor), {}});
  add(".ecs.json", write_ecs(rules, options.ecs));
  add(".docker.txt", {write_docker_flags(rules), {}});
  add(".compose.yaml", {write_compose(rules), {}});
  add(".k8s.yaml", {write_kubernetes(rules), {}});
  add_or_report(".spo.yaml", [&] { return Emitted{write_spo_profile(rules, options.apparmor), {}}; });
  add_or_report(".seccomp.json", [&] { return write_seccomp(input, options.seccomp); });
  return out;
}

}  // namespace armorer
