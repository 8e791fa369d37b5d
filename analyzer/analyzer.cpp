#include "analyzer/analyzer.h"

#include <map>
#include <optional>
#include <set>

#include "analyzer/neighbours.h"
#include "analyzer/path_generaliser.h"
#include "core/error.h"
#include "core/object_field.h"

namespace armorer {

namespace {

// The one rule an observation asks for, or why none can be written. nullopt rule and empty
// reason: the observation needs no AppArmor rule (system calls).
struct Wanted {
  std::optional<Rule> rule;
  std::string reason;
  std::string widened;  // why the rule is wider than the observation, or ""
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
  RuleBuilder(const std::string& profile, std::span<const Observation> observations,
              const AnalyzerOptions& options)
      : profile_(profile), options_(options) {
    if (options.use_abstractions) abstractions_ = usable_abstractions(observations);
    // Paths are generalised together: whether a name changes shows across observations.
    std::vector<PathUse> uses;
    use_of_.assign(observations.size(), kNoUse);
    for (size_t i = 0; i < observations.size(); ++i) {
      auto need = file_need(observations[i]);
      if (!need || abstraction_for(observations[i])) continue;
      if (need->exec) executed_.insert(need->path);
      use_of_[i] = uses.size();
      const bool owned = owner(*need);
      std::vector<int64_t> runs;
      if (!options.observation_runs.empty()) runs = options.observation_runs[i];
      const bool created = observations[i].kind == ObsKind::file &&
                           (observations[i].access & (access::create | access::rename_dst | access::link));
      uses.push_back(PathUse{std::move(need->path), need->perms, need->exec, owned, std::move(runs), created});
    }
    generalisation_ = PathGeneraliser(options.generaliser).generalise(uses);
    made_.resize(generalisation_.patterns.size());
  }

  const Generalisation& generalisation() const { return generalisation_; }
  bool includes_base() const {
    for (const auto& include : abstractions_)
      if (include.name() == "base") return true;
    return false;
  }

  // The rule for observations[index] of those the builder was made with.
  Wanted rule_for(size_t index, const Observation& obs) const {
    std::string why_not;
    if (auto problem = file_need_problem(obs); !problem.empty()) return {std::nullopt, problem};
    if (auto need = file_need(obs)) {
      // The constructor left out of the uses exactly the file accesses an abstraction covers.
      if (use_of_[index] == kNoUse) return {Rule(*abstraction_for(obs)), {}};
      const ExecMode exec = need->exec ? options_.exec_mode : ExecMode::none;
      const size_t pattern = generalisation_.use_patterns[use_of_[index]];
      const auto& made = compiled(pattern);
      if (!made.rule) return {std::nullopt, made.why_not};
      auto rule = made.rule->with_access(need->perms, exec, owner(*need), &why_not);
      Wanted wanted = wanted_from(std::move(rule), &why_not);
      wanted.widened = generalisation_.reasons[pattern];
      return wanted;
    }
    switch (obs.kind) {
      case ObsKind::capability:
        return wanted_from(CapabilityRule::from_observation(obs, &why_not), &why_not);
      case ObsKind::network:
        return wanted_from(NetworkRule::from_observation(obs, &why_not), &why_not);
      case ObsKind::signal:
        return wanted_from(SignalRule::from_observation(obs, &why_not, own_peer(obs)), &why_not);
      case ObsKind::ptrace:
        return wanted_from(PtraceRule::from_observation(obs, &why_not, own_peer(obs)), &why_not);
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
  static bool owner(const FileNeed& need) { return need.owner && owner_matters(need.path); }

  // One compiled rule per pattern: a generalised pattern stands for many observations.
  struct Made {
    std::optional<FileRule> rule;
    std::string why_not;
  };
  const Made& compiled(size_t pattern) const {
    std::optional<Made>& made = made_[pattern];
    if (!made) {
      made.emplace();
      made->rule = FileRule::make(generalisation_.patterns[pattern], file_perm::r, ExecMode::none, false,
                                  false, &made->why_not);
    }
    return *made;
  }

  // The allowed abstractions that cover at least one observation, in the order given.
  std::vector<IncludeRule> usable_abstractions(std::span<const Observation> observations) const {
    std::vector<IncludeRule> out;
    for (const std::string& name : options_.abstractions) {
      std::string why_not;
      auto include = IncludeRule::make(name, &why_not);
      if (!include) {
        std::string known;
        for (const auto known_name : stock_abstraction_names())
          known += (known.empty() ? "" : ", ") + std::string(known_name);
        throw Fatal("unknown abstraction '" + name + "' (known: " + known + ")", kExitUsage);
      }
      for (const auto& obs : observations) {
        if (include->covers(obs)) {
          out.push_back(std::move(*include));
          break;
        }
      }
    }
    return out;
  }

  const IncludeRule* abstraction_for(const Observation& obs) const {
    for (const auto& include : abstractions_)
      if (include.covers(obs)) return &include;
    return nullptr;
  }

  // A complain-mode log names the process an exec'd child became "PROFILE//null-/usr/bin/x",
  // a label that exists only while learning. Enforced with ix the child runs as this very
  // profile; with px as the profile of its own path, which is named after it by convention.
  // With cx the child profile is the user's to name: the recorded label stays.
  std::optional<std::string> own_peer(const Observation& obs) const {
    const auto fields = split_object_fields(obs.object, obs.kind == ObsKind::signal ? 2 : 1);
    const std::string& peer = fields.back();
    const auto null = peer.find("//null-/");
    if (null == std::string::npos) return std::nullopt;
    const std::string executable = peer.substr(null + 7);
    if (!executed_.contains(executable)) return std::nullopt;
    const std::string_view mode = to_string(options_.exec_mode);
    if (mode == "ix") return profile_;
    if (mode.find_first_of("pP") != std::string_view::npos) return executable;
    return std::nullopt;
  }

  const std::string& profile_;
  const AnalyzerOptions& options_;
  std::vector<IncludeRule> abstractions_;
  std::set<std::string> executed_;
  Generalisation generalisation_;
  static constexpr size_t kNoUse = SIZE_MAX;
  std::vector<size_t> use_of_;  // per observation: index into the generaliser's uses
  mutable std::vector<std::optional<Made>> made_;  // per generalised pattern
};

// The entries analyze() hands to RuleSet::add_all, with the allow rules of one file pattern
// folded as they come: a million observations of a few generalised patterns become a few
// entries to sort instead of a million. add_all would merge them into the same entries:
// FileRule::merge and Provenance::merge are unions and sums, so the order does not matter.
class EntryBatch {
 public:
  void add(Rule rule, const Observation& obs, std::span<const int64_t> run_ids, const std::string& widened) {
    if (const auto* file = std::get_if<FileRule>(&rule); file && !file->deny()) {
      auto [at, fresh] = file_entries_.try_emplace(file->pattern(), entries_.size());
      if (!fresh) {
        RuleEntry& entry = entries_[at->second];
        std::get<FileRule>(entry.rule).merge(*file);
        entry.provenance.add(obs, run_ids);
        if (!widened.empty()) entry.provenance.reasons.insert(widened);
        return;
      }
    }
    Provenance why;
    why.add(obs, run_ids);
    if (!widened.empty()) why.reasons.insert(widened);
    entries_.push_back(RuleEntry{std::move(rule), std::move(why)});
  }

  std::vector<RuleEntry> take() { return std::move(entries_); }

 private:
  std::vector<RuleEntry> entries_;
  std::map<std::string, size_t, std::less<>> file_entries_;  // pattern → index in entries_
};

}  // namespace

RuleSet analyze(const std::string& profile_name, std::span<const Observation> observations,
                const AnalyzerOptions& options) {
  if (!options.observation_runs.empty() && options.observation_runs.size() != observations.size())
    throw Fatal("analyzer: " + std::to_string(options.observation_runs.size()) +
                " run lists for " + std::to_string(observations.size()) + " observations");
  if (options.exec_mode == ExecMode::none) throw Fatal("analyzer: exec mode must not be none");
  RuleSet rules(profile_name);
  RuleBuilder builder(profile_name, observations, options);
  std::set<int64_t> runs;
  EntryBatch batch;
  std::vector<SkippedObservation> skipped;
  for (size_t i = 0; i < observations.size(); ++i) {
    const Observation& obs = observations[i];
    std::span<const int64_t> run_ids;
    if (!options.observation_runs.empty()) run_ids = options.observation_runs[i];
    runs.insert(run_ids.begin(), run_ids.end());
    Wanted wanted = builder.rule_for(i, obs);
    if (wanted.rule) {
      batch.add(std::move(*wanted.rule), obs, run_ids, wanted.widened);
    } else if (!wanted.reason.empty()) {
      skipped.push_back(SkippedObservation{obs, std::move(wanted.reason)});
    }
  }
  rules.add_all(batch.take());
  // A deny rule the guard added exists because of a glob: it shares that glob's provenance.
  std::vector<RuleEntry> denies;
  for (const auto& deny : builder.generalisation().denies) {
    Provenance why;
    for (const auto& entry : rules.entries())
      if (const auto* file = std::get_if<FileRule>(&entry.rule); file && file->pattern() == deny.because_of)
        why.merge(entry.provenance);
    denies.push_back(RuleEntry{deny.rule, std::move(why)});
  }
  rules.add_all(std::move(denies));
  add_neighbours(rules);
  if (options.base_signals && !builder.includes_base()) {
    for (auto [send, peer] : {std::pair{false, std::string("unconfined")}, std::pair{true, profile_name}})
      if (auto rule = SignalRule::any_signal(send, true, peer, nullptr)) rules.add(std::move(*rule), {});
  }
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
