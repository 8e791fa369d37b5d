// Observations → RuleSet. Pure and deterministic: the same observations (in any order)
// always give the same rules. Never reads the kernel or the database.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "analyzer/rule_set.h"
#include "core/observation.h"

namespace armorer {

struct AnalyzerOptions {
  bool use_abstractions = true;  // use stock abstractions where they cover observed accesses
  // How executed programs run: ix keeps them in this profile (the default), px/cx/... move
  // them to a profile of their own, which the user must then provide.
  ExecMode exec_mode = ExecMode::ix;
  // Run ids that saw each observation, parallel to the observations (Store::observation_runs).
  // Optional: when empty, provenance and the header say nothing about runs.
  std::span<const std::vector<int64_t>> observation_runs = {};
};

RuleSet analyze(const std::string& profile_name, std::span<const Observation> observations,
                const AnalyzerOptions& options);

// The observations that `rules` would deny. Empty means the profile allows everything that
// was recorded; `emit` refuses to write a profile for which this is not empty.
std::vector<Observation> uncovered(const RuleSet& rules, std::span<const Observation> observations);

}  // namespace armorer
