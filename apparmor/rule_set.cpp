#include "apparmor/rule_set.h"

#include <algorithm>
#include <iterator>
#include <tuple>

#include "apparmor/apparmor_names.h"
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
  reasons.insert(other.reasons.begin(), other.reasons.end());
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

void RuleSet::add(Rule rule, const Provenance& why) {
  std::vector<RuleEntry> one;
  one.push_back(RuleEntry{std::move(rule), why});
  add_all(std::move(one));
}

// Every rule kind orders by its target first, so rules with one target sort next to each
// other and a merge never moves an entry past another target: sort, fold neighbours, then
// merge with the entries already there.
void RuleSet::add_all(std::vector<RuleEntry> batch) {
  auto by_rule = [](const RuleEntry& a, const RuleEntry& b) { return a.rule < b.rule; };
  std::sort(batch.begin(), batch.end(), by_rule);
  std::vector<RuleEntry> merged;
  merged.reserve(entries_.size() + batch.size());
  auto take = [&](RuleEntry&& entry) {
    if (const auto* file = std::get_if<FileRule>(&entry.rule); file && !file->literal())
      wildcard_patterns_.insert(file->pattern());
    if (!merged.empty() && same_target(merged.back().rule, entry.rule)) {
      merge_into(merged.back().rule, entry.rule);
      merged.back().provenance.merge(entry.provenance);
    } else {
      merged.push_back(std::move(entry));
    }
  };
  auto old = entries_.begin(), fresh = batch.begin();
  while (old != entries_.end() || fresh != batch.end()) {
    const bool take_old = fresh == batch.end() ||
                          (old != entries_.end() && !(fresh->rule < old->rule));
    take(std::move(*(take_old ? old++ : fresh++)));
  }
  entries_ = std::move(merged);
}

namespace {
constexpr size_t kFileIndex = variant_index<FileRule>();
}  // namespace

// Entries are sorted by kind, then (for file rules) by pattern: the rules with one pattern
// (an allow and perhaps a deny) are found by binary search.
template <class Visit>
void RuleSet::for_each_file_rule(std::string_view pattern, Visit&& visit) const {
  auto at = std::lower_bound(entries_.begin(), entries_.end(), pattern,
                             [](const RuleEntry& entry, std::string_view wanted) {
                               if (entry.rule.index() != kFileIndex) return entry.rule.index() < kFileIndex;
                               // compare(), not <: clang 14 cannot rewrite < to <=> here.
                               return std::get<FileRule>(entry.rule).pattern().compare(wanted) < 0;
                             });
  for (; at != entries_.end() && std::get<FileRule>(at->rule).pattern() == pattern; ++at)
    visit(std::get<FileRule>(at->rule));
}

void RuleSet::skip(const Observation& obs, std::string reason) {
  std::vector<SkippedObservation> one;
  one.push_back(SkippedObservation{obs, std::move(reason)});
  skip_all(std::move(one));
}

void RuleSet::skip_all(std::vector<SkippedObservation> batch) {
  // Every skipped observation stays listed (callers match them against uncovered());
  // the writer folds the ones that read the same in a comment.
  auto key = [](const SkippedObservation& s) {
    const Observation& o = s.observation;
    return std::tie(s.reason, o.kind, o.object, o.subject, o.access, o.flags);
  };
  auto before = [&](const auto& a, const auto& b) { return key(a) < key(b); };
  auto same = [&](const auto& a, const auto& b) { return key(a) == key(b); };
  std::sort(batch.begin(), batch.end(), before);
  std::vector<SkippedObservation> merged;
  merged.reserve(skipped_.size() + batch.size());
  std::merge(std::make_move_iterator(skipped_.begin()), std::make_move_iterator(skipped_.end()),
             std::make_move_iterator(batch.begin()), std::make_move_iterator(batch.end()),
             std::back_inserter(merged), before);
  merged.erase(std::unique(merged.begin(), merged.end(), same), merged.end());
  skipped_ = std::move(merged);
}

bool RuleSet::allows(const Observation& obs) const {
  if (obs.kind == ObsKind::syscall) return true;  // AppArmor does not mediate system calls
  if (!file_need_problem(obs).empty()) return false;
  auto need = file_need(obs);
  if (!need) {
    return std::any_of(entries_.begin(), entries_.end(), [&](const RuleEntry& entry) {
      return entry.rule.index() != kFileIndex && covers(entry.rule, obs);
    });
  }
  uint32_t granted = 0, denied = 0;
  bool exec_granted = false, exec_denied = false;
  auto take = [&](const FileRule& rule) {
    if (!rule.applies_to(*need)) return;
    (rule.deny() ? denied : granted) |= rule.perms();
    (rule.deny() ? exec_denied : exec_granted) |= rule.exec_mode() != ExecMode::none;
  };
  for (const auto& entry : entries_) {
    const auto* include = std::get_if<IncludeRule>(&entry.rule);
    if (!include) break;  // includes sort first
    for (const auto& rule : include->file_rules()) take(rule);
  }
  for_each_file_rule(aare_escape(need->path), take);
  for (const auto& pattern : wildcard_patterns_) for_each_file_rule(pattern, take);
  if (denied & file_perm::w) denied |= file_perm::a;
  granted &= ~denied;
  if (need->exec && (!exec_granted || exec_denied)) return false;
  return file_perms_cover(granted, need->perms);
}

}  // namespace armorer
