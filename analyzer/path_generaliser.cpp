#include "analyzer/path_generaliser.h"

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <optional>
#include <unordered_map>

#include "apparmor/aare.h"
#include "analyzer/path_tree.h"
#include "analyzer/sensitive_paths.h"
#include "core/error.h"

namespace armorer {

namespace {

using path_tree::PathFacts;
using path_tree::Plan;

// Decides, pattern by pattern, whether the tree's proposal can be written. The facts are
// sorted by path and each gets exactly one pattern.
class PatternJudge {
 public:
  PatternJudge(const std::vector<PathFacts>& facts, Generalisation& out)
      : facts_(facts), out_(out), pattern_of_(facts.size(), kNone) {
    paths_.reserve(facts.size());
    for (const auto& f : facts) paths_.push_back(f.path);
  }

  void judge(const std::string& pattern, const Plan& plan, const std::vector<size_t>& members) {
    if (members.size() == 1 && pattern == aare_escape(facts_[members[0]].path)) return assign(pattern, members);
    // Homes under /home stay /home/*: @{HOME} would also hand them root's.
    if (auto narrower = without_root_home(plan, members)) {
      const std::string narrowed = join_patterns(narrower->pieces, narrower->is_dir);
      if (accept(narrowed, *narrower, members)) return;
    } else if (accept(pattern, plan, members)) {
      return;
    }
    for (size_t index : members) assign(aare_escape(facts_[index].path), {index});
  }

  // A path the tree could not take: it stays exact.
  void exact(size_t index) { assign(aare_escape(facts_[index].path), {index}); }

  // Why the recording (not a name's shape) made the plan's pieces patterns.
  static std::string reason_of(const Plan& plan) {
    std::string why;
    for (const auto& piece : plan.pieces)
      if (!piece.why.empty()) why += (why.empty() ? "" : "; ") + piece.why;
    return why;
  }

  // Hands the patterns over, with the facts' paths: the judge is done.
  void finish(std::vector<PathFacts>& facts, const std::vector<size_t>& fact_of_use) {
    out_.paths.reserve(facts.size());
    for (auto& f : facts) out_.paths.push_back(std::move(f.path));
    for (size_t pattern : pattern_of_)
      if (pattern == kNone) throw Fatal("path generaliser: a path got no pattern");
    out_.reasons = std::move(reasons_);
    out_.use_patterns.reserve(fact_of_use.size());
    for (size_t fact : fact_of_use) out_.use_patterns.push_back(pattern_of_[fact]);
    out_.path_patterns = std::move(pattern_of_);
    out_.patterns = std::move(patterns_);
  }

 private:
  static constexpr size_t kNone = SIZE_MAX;

  void assign(std::string pattern, const std::vector<size_t>& members, std::string why = "") {
    patterns_.push_back(std::move(pattern));
    reasons_.push_back(std::move(why));
    for (size_t index : members) pattern_of_[index] = patterns_.size() - 1;
  }

  bool accept(const std::string& pattern, const Plan& plan, const std::vector<size_t>& members) {
    auto matcher = Aare::compile(pattern, stock_tunables());
    if (!matcher) return false;
    GuardedAccess access;
    for (size_t index : members) {
      // Every pass promises this; a pattern that lost one of its own paths is never written.
      if (!matcher->matches(facts_[index].path)) return false;
      access.perms |= facts_[index].perms;
      access.exec |= facts_[index].exec;
    }
    const auto probes = probe_paths(plan.pieces, plan.is_dir);
    std::vector<GuardDeny> denies;
    for (size_t location : guard_.reached(*matcher, access, probes, paths_)) {
      const SensitiveLocation& where = sensitive_locations()[location];
      // A deny rule must never take away what the workload was seen doing.
      if (!where.deny || guard_.holds_any(location, paths_)) return false;
      uint32_t perms = access.perms;
      if (where.write_only) perms &= file_perm::w | file_perm::a | file_perm::l;
      auto rule = FileRule::make(std::string(where.pattern), perms,
                                 access.exec ? ExecMode::ix : ExecMode::none, false, true, nullptr);
      if (!rule) return false;
      denies.push_back(GuardDeny{std::move(*rule), pattern});
    }
    for (auto& deny : denies) out_.denies.push_back(std::move(deny));
    assign(pattern, members, reason_of(plan));
    return true;
  }

  // @{HOME} also stands for /root: homes under /home keep their generality as /home/*.
  std::optional<Plan> without_root_home(const Plan& plan, const std::vector<size_t>& members) const {
    if (plan.pieces.empty() || plan.pieces[0].pattern != "@{HOME}") return std::nullopt;
    for (size_t index : members)
      if (!facts_[index].path.starts_with("/home/")) return std::nullopt;
    Plan narrower = plan;
    PathPiece& home = narrower.pieces[0];
    home.pattern = "/home/*";
    home.probes = {"/home/armorer-probe"};
    return narrower;
  }

  const std::vector<PathFacts>& facts_;
  Generalisation& out_;
  SensitiveGuard guard_;
  std::vector<std::string_view> paths_;  // the facts' paths: sorted
  std::vector<std::string> patterns_;    // every pattern assigned
  std::vector<std::string> reasons_;     // per pattern
  std::vector<size_t> pattern_of_;       // per fact: index into patterns_
};

}  // namespace

bool owner_matters(std::string_view path) {
  if (path.starts_with("/dev/shm/")) return true;
  // A process's own /proc/PID files belong to its user; /proc/meminfo and the like to root.
  if (path.starts_with("/proc/")) {
    const auto id = path.substr(6, path.find('/', 6) - 6);
    return !id.empty() && id.find_first_not_of("0123456789") == std::string_view::npos;
  }
  for (std::string_view top : {"/usr/", "/etc/", "/bin/", "/sbin/", "/lib/", "/lib32/", "/lib64/", "/libx32/",
                               "/boot/", "/snap/", "/sys/", "/dev/"})
    if (path.starts_with(top)) return false;
  return true;
}

std::string Generalisation::pattern_for(std::string_view path) const {
  const auto found = std::lower_bound(paths.begin(), paths.end(), path);
  if (found == paths.end() || *found != path) return aare_escape(path);
  return patterns[path_patterns[static_cast<size_t>(found - paths.begin())]];
}

Generalisation PathGeneraliser::generalise(std::span<const PathUse> uses) const {
  // The distinct paths in byte order, each with what all its uses did: sorting indexes costs
  // a fraction of building a map of a million strings.
  std::vector<size_t> order(uses.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return uses[a].path < uses[b].path; });
  // Runs become bits: the 64th and later share the last one, which only makes them look alike.
  std::vector<int64_t> run_ids;
  for (const auto& use : uses) run_ids.insert(run_ids.end(), use.runs.begin(), use.runs.end());
  std::sort(run_ids.begin(), run_ids.end());
  run_ids.erase(std::unique(run_ids.begin(), run_ids.end()), run_ids.end());
  auto run_bits = [&](const std::vector<int64_t>& runs) {
    uint64_t bits = 0;
    for (int64_t run : runs) {
      const auto at = std::lower_bound(run_ids.begin(), run_ids.end(), run) - run_ids.begin();
      bits |= uint64_t{1} << std::min<long>(at, 63);
    }
    return bits;
  };
  std::vector<PathFacts> facts;
  std::vector<size_t> fact_of_use(uses.size());
  for (size_t index : order) {
    const PathUse& use = uses[index];
    if (facts.empty() || facts.back().path != use.path) facts.push_back(PathFacts{use.path, 0, false, true});
    fact_of_use[index] = facts.size() - 1;
    facts.back().perms |= use.perms;
    facts.back().exec |= use.exec;
    facts.back().owner &= use.owner;
    facts.back().runs |= run_bits(use.runs);
    facts.back().created |= use.created;
  }

  path_tree::TreeOptions tree_options;
  tree_options.variables = options_.variables;
  tree_options.shapes = options_.shapes;
  tree_options.collapse = options_.collapse;
  tree_options.sibling_threshold = options_.sibling_threshold;
  tree_options.interpreter_threshold = options_.interpreter_threshold;
  path_tree::PathTree tree(facts, tree_options);
  tree.generalise();

  Generalisation out;
  PatternJudge judge(facts, out);
  struct Group {
    const Plan* plan = nullptr;  // the first member's
    std::vector<size_t> members;
  };
  std::map<std::string, Group> groups;
  std::unordered_map<const Plan*, Group*> group_of_plan;  // plans are shared: join each once
  for (size_t i = 0; i < facts.size(); ++i) {
    const Plan* plan = tree.plan(i);
    if (!plan) {
      judge.exact(i);
      continue;
    }
    Group*& group = group_of_plan[plan];
    if (!group) group = &groups[join_patterns(plan->pieces, plan->is_dir)];
    if (group->members.empty()) group->plan = plan;
    group->members.push_back(i);
  }
  for (const auto& [pattern, group] : groups) judge.judge(pattern, *group.plan, group.members);
  judge.finish(facts, fact_of_use);
  return out;
}

std::string PathGeneraliser::pattern_for(std::string_view literal) const {
  const PathUse use{std::string(literal), file_perm::r, false, false};
  return generalise(std::span(&use, 1)).pattern_for(literal);
}

}  // namespace armorer
