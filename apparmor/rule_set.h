// A profile's rules: one entry per rule kind and target, kept sorted, each with where it came
// from. Adding a rule whose target is already present merges the two, so the same observations
// in any order build the same set.
#pragma once

#include <cstdint>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "apparmor/file_rule.h"
#include "apparmor/include_rule.h"
#include "apparmor/mount_rule.h"
#include "apparmor/peer_rules.h"
#include "apparmor/simple_rules.h"
#include "core/observation.h"

namespace armorer {

// The order of the alternatives is the order of the sections in a profile.
using Rule = std::variant<IncludeRule, CapabilityRule, NetworkRule, SignalRule, PtraceRule,
                          MountRule, UnixRule, FileRule>;

// Position of a rule kind in Rule (the section order).
template <class T, size_t I = 0>
constexpr size_t variant_index() {
  if constexpr (std::is_same_v<std::variant_alternative_t<I, Rule>, T>) return I;
  else return variant_index<T, I + 1>();
}

// "capability net_raw," etc., without indentation.
std::string render(const Rule& rule);
bool covers(const Rule& rule, const Observation& obs);

// Why a rule exists: feeds the --explain comments.
struct Provenance {
  uint64_t observations = 0;     // distinct observations folded into the rule
  uint64_t events = 0;           // sum of their counts
  std::set<std::string> subjects;
  std::set<int64_t> runs;        // empty when the caller did not say which runs saw what
  // Why the rule is wider than what was recorded ("varied in 2 of 2 runs: m9foru5e,
  // oby28jcg", "created by the workload", a neighbour of a recorded access).
  std::set<std::string> reasons;

  void add(const Observation& obs, std::span<const int64_t> run_ids);
  void merge(const Provenance& other);
};

struct RuleEntry {
  Rule rule;
  Provenance provenance;
};

// An observation no rule is written for, and why ("path was truncated by the recorder").
struct SkippedObservation {
  Observation observation;
  std::string reason;
};

class RuleSet {
 public:
  // Throws Fatal when `profile_name` is not a safe AppArmor profile name.
  explicit RuleSet(std::string profile_name);

  const std::string& profile_name() const { return profile_name_; }

  // Merges into the entry with the same kind and target, or inserts in order.
  void add(Rule rule, const Provenance& why);
  // The same for many rules at once, in O(n log n): how analyze() builds a set.
  void add_all(std::vector<RuleEntry> batch);
  void skip(const Observation& obs, std::string reason);
  void skip_all(std::vector<SkippedObservation> batch);

  const std::vector<RuleEntry>& entries() const { return entries_; }
  // One entry per distinct observation (Observation::key()), sorted by reason, kind and object:
  // stable output whatever the input order.
  const std::vector<SkippedObservation>& skipped() const { return skipped_; }

  // Whether a profile holding exactly these rules lets `obs` happen. File permissions are
  // united across every rule that matches the path (abstractions included), as the kernel does.
  bool allows(const Observation& obs) const;

  // What the rules were learned from, for the profile's header comment.
  uint64_t observation_count = 0;
  uint64_t run_count = 0;  // 0 when unknown

 private:
  std::string profile_name_;
  std::vector<RuleEntry> entries_;
  std::vector<SkippedObservation> skipped_;
  // Patterns of the file rules that are not plain literals: the only ones allows() must try
  // one by one; a literal rule is found by looking its path up.
  std::set<std::string> wildcard_patterns_;

  template <class Visit>
  void for_each_file_rule(std::string_view pattern, Visit&& visit) const;
};

}  // namespace armorer
