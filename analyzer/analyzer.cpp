#include "analyzer/analyzer.h"

#include <optional>
#include <set>

#include "analyzer/path_generaliser.h"
#include "core/error.h"

namespace armorer {

namespace {

// The one rule an observation asks for, or why none can be written. nullopt rule and empty
// reason: the observation needs no AppArmor rule (system calls).
struct Wanted {
  std::optional<Rule> rule;
  std::string reason;
};

// Takes the reason by pointer: it is filled in while the rule is being made, so it must be
// read only after that call has returned.
template <class T>
Wanted wanted_from(std::optional<T> rule, const std::string* reason) {
  if (rule) return {Rule(std::move(*rule)), {}};
  return {std::nullopt, reason->empty() ? "no rule can be written" : *reason};
}

class RuleBuilder {
 public:
  explicit RuleBuilder(const AnalyzerOptions& options) : options_(options) {
    if (options.use_abstractions) base_ = IncludeRule::make("base", nullptr);
  }

  Wanted rule_for(const Observation& obs) const {
    std::string why_not;
    if (auto problem = file_need_problem(obs); !problem.empty()) return {std::nullopt, problem};
    if (auto need = file_need(obs)) {
      if (base_ && !need->exec && base_->covers(obs)) return {Rule(*base_), {}};
      auto rule = FileRule::make(generaliser_.pattern_for(need->path), need->perms,
                                 need->exec ? options_.exec_mode : ExecMode::none, need->owner,
                                 false, &why_not);
      return wanted_from(std::move(rule), &why_not);
    }
    switch (obs.kind) {
      case ObsKind::capability:
        return wanted_from(CapabilityRule::from_observation(obs, &why_not), &why_not);
      case ObsKind::network:
        return wanted_from(NetworkRule::from_observation(obs, &why_not), &why_not);
      case ObsKind::signal:
        return wanted_from(SignalRule::from_observation(obs, &why_not), &why_not);
      case ObsKind::ptrace:
        return wanted_from(PtraceRule::from_observation(obs, &why_not), &why_not);
      case ObsKind::mount:
        return wanted_from(MountRule::from_observation(obs, &why_not), &why_not);
      case ObsKind::unix_socket:
        return wanted_from(UnixRule::from_observation(obs, &why_not), &why_not);
      case ObsKind::syscall:
        return {};
      case ObsKind::file:
      case ObsKind::exec:
        break;  // handled above by file_need()
    }
    return {std::nullopt, "unknown observation kind"};
  }

 private:
  const AnalyzerOptions& options_;
  PathGeneraliser generaliser_;
  std::optional<IncludeRule> base_;
};

}  // namespace

RuleSet analyze(const std::string& profile_name, std::span<const Observation> observations,
                const AnalyzerOptions& options) {
  if (!options.observation_runs.empty() && options.observation_runs.size() != observations.size())
    throw Fatal("analyzer: " + std::to_string(options.observation_runs.size()) +
                " run lists for " + std::to_string(observations.size()) + " observations");
  if (options.exec_mode == ExecMode::none) throw Fatal("analyzer: exec mode must not be none");
  RuleSet rules(profile_name);
  RuleBuilder builder(options);
  std::set<int64_t> runs;
  std::vector<RuleEntry> batch;
  std::vector<SkippedObservation> skipped;
  for (size_t i = 0; i < observations.size(); ++i) {
    const Observation& obs = observations[i];
    std::span<const int64_t> run_ids;
    if (!options.observation_runs.empty()) run_ids = options.observation_runs[i];
    runs.insert(run_ids.begin(), run_ids.end());
    Wanted wanted = builder.rule_for(obs);
    if (wanted.rule) {
      Provenance why;
      why.add(obs, run_ids);
      batch.push_back(RuleEntry{std::move(*wanted.rule), std::move(why)});
    } else if (!wanted.reason.empty()) {
      skipped.push_back(SkippedObservation{obs, std::move(wanted.reason)});
    }
  }
  rules.add_all(std::move(batch));
  rules.skip_all(std::move(skipped));
  rules.observation_count = observations.size();
  rules.run_count = runs.size();
  return rules;
}

std::vector<Observation> uncovered(const RuleSet& rules, std::span<const Observation> observations) {
  std::vector<Observation> denied;
  for (const auto& obs : observations)
    if (!rules.allows(obs)) denied.push_back(obs);
  return denied;
}

}  // namespace armorer
