#include "analyzer/rule_set.h"

#include <algorithm>
#include <tuple>

#include "analyzer/apparmor_names.h"
#include "core/error.h"

namespace armorer {

std::string render(const Rule& rule) {
  return std::visit([](const auto& r) { return r.render(); }, rule);
}

bool covers(const Rule& rule, const Observation& obs) {
  return std::visit([&](const auto& r) { return r.covers(obs); }, rule);
}

void Provenance::add(const Observation& obs, std::span<const int64_t> run_ids) {
  observations += 1;
  events += obs.count;
  if (!obs.subject.empty()) subjects.insert(obs.subject);
  runs.insert(run_ids.begin(), run_ids.end());
}

void Provenance::merge(const Provenance& other) {
  observations += other.observations;
  events += other.events;
  subjects.insert(other.subjects.begin(), other.subjects.end());
  runs.insert(other.runs.begin(), other.runs.end());
}

RuleSet::RuleSet(std::string profile_name) : profile_name_(std::move(profile_name)) {
  if (auto problem = profile_name_problem(profile_name_))
    throw Fatal("invalid profile name \"" + comment_safe(profile_name_) + "\": " + *problem,
                kExitUsage);
}

namespace {

bool same_target(const Rule& a, const Rule& b) {
  if (a.index() != b.index()) return false;
  return std::visit(
      [&](const auto& left) {
        using T = std::decay_t<decltype(left)>;
        return left.same_target(std::get<T>(b));
      },
      a);
}

void merge_into(Rule& into, const Rule& from) {
  std::visit(
      [&](auto& left) {
        using T = std::decay_t<decltype(left)>;
        left.merge(std::get<T>(from));
      },
      into);
}

}  // namespace

// Every rule kind orders by its target first, so a merge never moves an entry and the one
// entry with the same target sits right at, or right before, the insertion point.
void RuleSet::add(Rule rule, const Provenance& why) {
  auto at = std::lower_bound(entries_.begin(), entries_.end(), rule,
                             [](const RuleEntry& entry, const Rule& r) { return entry.rule < r; });
  for (auto candidate : {at, at == entries_.begin() ? entries_.end() : at - 1}) {
    if (candidate == entries_.end() || !same_target(candidate->rule, rule)) continue;
    merge_into(candidate->rule, rule);
    candidate->provenance.merge(why);
    return;
  }
  entries_.insert(at, RuleEntry{std::move(rule), why});
}

void RuleSet::skip(const Observation& obs, std::string reason) {
  // Every skipped observation stays listed (callers match them against uncovered());
  // the writer folds the ones that read the same in a comment.
  auto key = [](const SkippedObservation& s) {
    const Observation& o = s.observation;
    return std::tie(s.reason, o.kind, o.object, o.subject, o.access, o.flags);
  };
  SkippedObservation entry{obs, std::move(reason)};
  auto at = std::lower_bound(skipped_.begin(), skipped_.end(), entry,
                             [&](const auto& a, const auto& b) { return key(a) < key(b); });
  if (at != skipped_.end() && key(*at) == key(entry)) return;
  skipped_.insert(at, std::move(entry));
}

bool RuleSet::allows(const Observation& obs) const {
  if (obs.kind == ObsKind::syscall) return true;  // AppArmor does not mediate system calls
  if (!file_need_problem(obs).empty()) return false;
  auto need = file_need(obs);
  if (!need) {
    return std::any_of(entries_.begin(), entries_.end(),
                       [&](const RuleEntry& entry) { return covers(entry.rule, obs); });
  }
  uint32_t granted = 0, denied = 0;
  bool exec_granted = false, exec_denied = false;
  auto take = [&](const FileRule& rule) {
    if (!rule.applies_to(*need)) return;
    (rule.deny() ? denied : granted) |= rule.perms();
    (rule.deny() ? exec_denied : exec_granted) |= rule.exec_mode() != ExecMode::none;
  };
  for (const auto& entry : entries_) {
    if (const auto* file = std::get_if<FileRule>(&entry.rule)) take(*file);
    if (const auto* include = std::get_if<IncludeRule>(&entry.rule))
      for (const auto& rule : include->file_rules()) take(rule);
  }
  if (denied & file_perm::w) denied |= file_perm::a;
  granted &= ~denied;
  if (need->exec && (!exec_granted || exec_denied)) return false;
  return file_perms_cover(granted, need->perms);
}

}  // namespace armorer
