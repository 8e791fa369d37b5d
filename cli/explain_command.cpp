// `armorer explain --db FILE --profile NAME PATH`: which rule of the profile `emit` writes
// covers PATH, and why that rule exists (the observations, executables and runs it was
// learned from). Exit 1 when no rule allows the path.
#include <algorithm>
#include <cstdio>
#include <map>
#include <string>

#include "analyzer/analyzer.h"
#include "apparmor/apparmor_names.h"
#include "apparmor/rule_lookup.h"
#include "cli/commands.h"
#include "core/error.h"
#include "schema/store.h"

namespace armorer::cli {

namespace {

constexpr size_t kExamples = 5;

std::string plural(size_t n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

std::string join_runs(const std::set<int64_t>& runs) {
  std::string out;
  for (int64_t id : runs) out += (out.empty() ? "" : ", ") + std::to_string(id);
  return out;
}

void print_rule(const RuleMatch& match, const ObservationsWithRuns& recorded,
                const std::map<int64_t, std::string>& run_labels) {
  const RuleEntry& entry = *match.entry;
  std::printf("  %s\n", comment_safe(render(entry.rule)).c_str());
  for (const auto& line : match.via) std::printf("    through the abstraction's rule: %s\n", comment_safe(line).c_str());
  const Provenance& why = entry.provenance;
  if (const auto* file = std::get_if<FileRule>(&entry.rule); file && file->deny()) {
    std::printf("    added by the sensitive-path guard: a generalised rule would reach this location\n");
    return;
  }
  for (const auto& reason : why.reasons) std::printf("    wider than recorded: %s\n", comment_safe(reason).c_str());
  if (why.observations == 0) {
    if (why.reasons.empty()) std::printf("    not learned: part of every profile armorer writes\n");
    return;
  }
  std::printf("    learned from %s (%s)", plural(why.observations, "observation").c_str(),
              plural(why.events, "event").c_str());
  if (!why.runs.empty()) std::printf(" in %s %s", why.runs.size() == 1 ? "run" : "runs", join_runs(why.runs).c_str());
  std::printf("\n");
  for (const auto& subject : why.subjects) std::printf("    by %s\n", comment_safe(subject).c_str());
  for (int64_t run : why.runs) {
    const auto label = run_labels.find(run);
    if (label != run_labels.end() && !label->second.empty())
      std::printf("    run %lld: %s\n", static_cast<long long>(run), comment_safe(label->second).c_str());
  }
  const auto behind = observations_behind(match, recorded.observations);
  for (size_t k = 0; k < behind.size() && k < kExamples; ++k) {
    const Observation& obs = recorded.observations[behind[k]];
    std::printf("    e.g. %s %s (%s, %llu times)\n", std::string(to_string(obs.kind)).c_str(),
                comment_safe(obs.object).c_str(), access_to_string(obs.access).c_str(),
                static_cast<unsigned long long>(obs.count));
  }
  if (behind.size() > kExamples) std::printf("    and %zu more\n", behind.size() - kExamples);
}

// What the matching rules leave allowed, as the kernel unites them: every allow rule adds
// its permissions, every deny rule takes its own away ("rw", "rix"; "" for nothing).
std::string allowed_letters(const std::vector<RuleMatch>& matches) {
  uint32_t granted = 0, denied = 0;
  bool exec = false, exec_denied = false;
  for (const auto& match : matches) {
    if (const auto* include = std::get_if<IncludeRule>(&match.entry->rule)) {
      for (const auto& rule : include->file_rules())
        for (const auto& line : match.via)
          if (rule.render() == line) granted |= rule.perms();
      continue;
    }
    const auto& file = std::get<FileRule>(match.entry->rule);
    (file.deny() ? denied : granted) |= file.perms();
    (file.deny() ? exec_denied : exec) |= file.exec_mode() != ExecMode::none;
  }
  if (denied & file_perm::w) denied |= file_perm::a;
  std::string letters = file_perms_letters(granted & ~denied);
  if (exec && !exec_denied) letters += "x";
  return letters;
}

}  // namespace

int explain(const ExplainArgs& args) {
  if (!args.path.starts_with('/')) throw Fatal("explain: PATH must be absolute", kExitUsage);
  Store store = Store::open(args.db, OpenMode::read_only);
  const std::vector<Run> runs = store.runs(args.profile);
  if (runs.empty()) throw Fatal("unknown profile '" + comment_safe(args.profile) + "' in " + comment_safe(args.db));
  const ObservationsWithRuns recorded = store.observations_with_runs(args.profile);
  AnalyzerOptions options = analyzer_options(args.analysis);
  options.observation_runs = recorded.run_ids;
  const RuleSet rules = analyze(args.profile, recorded.observations, options);
  std::map<int64_t, std::string> run_labels;
  for (const auto& run : runs) run_labels[run.id] = run.label;

  const auto matches = rules_matching(rules, args.path);
  const std::string path = comment_safe(args.path);
  if (matches.empty()) {
    std::printf("%s: no rule of profile %s covers it\n", path.c_str(), args.profile.c_str());
    return kExitFailure;
  }
  const std::string allowed = allowed_letters(matches);
  std::printf("%s: %s by %s of profile %s:\n", path.c_str(),
              allowed.empty() ? "denied" : ("allows " + allowed).c_str(),
              matches.size() == 1 ? "this rule" : "these rules", args.profile.c_str());
  for (const auto& match : matches) print_rule(match, recorded, run_labels);
  return allowed.empty() ? kExitFailure : 0;
}

}  // namespace armorer::cli
