// Observations → RuleSet. Pure and deterministic: the same observations (in any order)
// always give the same rules. Never reads the kernel or the database.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "analyzer/path_generaliser.h"
#include "apparmor/rule_set.h"
#include "core/observation.h"

namespace armorer {

struct AnalyzerOptions {
  // Include stock abstractions where they cover observed accesses (false: none at all).
  bool use_abstractions = true;
  // Which ones may be used, tried in this order (see stock_abstraction_names()). Not "base" by
  // default: besides what programs need at start it grants reading all of /usr/lib/** and
  // /lib/** (13.7% of the host files tests/quality samples) and `owner @{HOME}/.Private/**
  // mrixwlk`; exact library rules cost nothing of the kind. Without base, analyze() adds
  // the two signal rules of base that a managed workload needs (see analyze()).
  std::vector<std::string> abstractions = {"ssl_certs"};
  // Without base, add base's two signal rules (see analyze()); off only to test the rest.
  bool base_signals = true;
  // How observed paths become patterns (see path_generaliser.h).
  GeneraliserOptions generaliser;
  // How executed programs run: ix keeps them in this profile (the default), px/cx/... move
  // them to a profile of their own, which the user must then provide.
  ExecMode exec_mode = ExecMode::ix;
  // Run ids that saw each observation, parallel to the observations (Store::observation_runs).
  // Optional: when empty, provenance and the header say nothing about runs.
  std::span<const std::vector<int64_t>> observation_runs = {};
};

// Throws Fatal (usage) for an abstraction name armorer does not know. Unless base is
// included, the rules also hold `signal (receive) peer=unconfined,` (the container runtime
// must be able to stop the workload) and `signal (send, receive) peer=NAME,` (its processes
// signal each other); the recorders do not see signals, base grants both.
RuleSet analyze(const std::string& profile_name, std::span<const Observation> observations,
                const AnalyzerOptions& options);

// The observations that `rules` would deny. Empty means the profile allows everything that
// was recorded; `emit` refuses to write a profile for which this is not empty.
std::vector<Observation> uncovered(const RuleSet& rules, std::span<const Observation> observations);

}  // namespace armorer
