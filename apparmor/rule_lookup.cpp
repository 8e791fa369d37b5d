#include "apparmor/rule_lookup.h"

namespace armorer {

namespace {

// The path as a need that every qualifier applies to: `owner` rules are listed too, and the
// rule's text shows the qualifier.
FileNeed any_owner(std::string_view path) {
  FileNeed need;
  need.path = std::string(path);
  need.owner = true;
  return need;
}

}  // namespace

std::vector<RuleMatch> rules_matching(const RuleSet& rules, std::string_view path) {
  const FileNeed need = any_owner(path);
  std::vector<RuleMatch> out;
  for (const auto& entry : rules.entries()) {
    if (const auto* include = std::get_if<IncludeRule>(&entry.rule)) {
      RuleMatch match{&entry, {}};
      for (const auto& rule : include->file_rules())
        if (rule.applies_to(need)) match.via.push_back(rule.render());
      if (!match.via.empty()) out.push_back(std::move(match));
    } else if (const auto* file = std::get_if<FileRule>(&entry.rule)) {
      if (file->applies_to(need)) out.push_back(RuleMatch{&entry, {}});
    }
  }
  return out;
}

std::vector<size_t> observations_behind(const RuleMatch& match, std::span<const Observation> observations) {
  std::vector<size_t> out;
  const Rule& rule = match.entry->rule;
  const auto* file = std::get_if<FileRule>(&rule);
  for (size_t i = 0; i < observations.size(); ++i) {
    const auto need = file_need(observations[i]);
    if (!need) continue;
    if (file && file->deny() ? file->applies_to(any_owner(need->path)) : covers(rule, observations[i]))
      out.push_back(i);
  }
  return out;
}

}  // namespace armorer
