// The path tree's passes over the workload's own data: what varies from one run to the next,
// and what the workload made itself. Production is not the training run: a CI job or a
// container works in a fresh directory of a random name, and its uploads, caches,
// repositories and temp files are named anew each time. Names seen in only some of the runs,
// and names the workload created, are data; the pattern that replaces them says why.
#include <algorithm>
#include <bit>

#include "analyzer/component_shape.h"
#include "analyzer/path_tree.h"
#include "analyzer/path_tree_parts.h"
#include "apparmor/aare.h"
#include "apparmor/file_rule.h"

namespace armorer::path_tree {

namespace {

bool is_separator(char c) { return c == '-' || c == '_' || c == '.'; }

// The narrowest glob of one component that covers every name and that a name of the same
// kind would match too: the longest common prefix up to a separator ("report-"), "*", and the
// common extension (".log"). One name alone gives no prefix: which of its parts would change
// cannot be told. The probe is a name of that pattern that nobody used.
std::string cover(const std::vector<std::string>& names, std::string* probe) {
  std::string prefix;
  if (names.size() > 1) {
    prefix = names.front();
    for (const auto& name : names) {
      size_t same = 0;
      while (same < prefix.size() && same < name.size() && prefix[same] == name[same]) ++same;
      prefix.resize(same);
    }
    while (!prefix.empty() && !is_separator(prefix.back())) prefix.pop_back();
  }
  const std::string ext = common_extension(names);
  *probe = prefix + "armorer-probe" + ext;
  return aare_escape(prefix) + "*" + aare_escape(ext);
}

// A child's name as a directory entry ('/' for one that has children or ends as a dir).
bool is_directory(const Node& child) { return !child.children.empty() || !child.dirs.empty(); }

bool executed_here(const Node& child, const std::vector<PathFacts>& facts) {
  return std::any_of(child.files.begin(), child.files.end(), [&](size_t i) { return facts[i].exec; });
}

std::string names_list(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size() && i < 3; ++i) out += (i ? ", " : "") + names[i];
  if (names.size() > 3) out += ", …";
  return out;
}

struct Candidate {
  std::vector<const std::string*> keys;
  std::vector<std::string> names;
  uint64_t runs = 0;
};

}  // namespace

// At each directory of the workload's own: (1) children each of which only one run used,
// named differently in each run, are one variable: folded into the narrowest glob of their
// names (a per-run root such as /tmp/job.m9foru5e, or the names beneath it); (2) inside
// a directory that is not shared with the system, what the workload created is data, however
// it was named: its files become "*", its directories "*/". Executables and the kernel's and
// system's trees are never folded; in a shared directory (/tmp, /var/tmp, a home...) only
// names with a common prefix or extension are (never a bare "*").
void PathTree::workload_data(Node& node, Above& above) {
  const bool workload = !above.empty() && zone_of(above) == Zone::workload;
  if (workload) {
    const bool shared = shared_directory(above);
    const int runs = std::popcount(node.runs);
    // (1) The run dimension: names each of which one run alone used, in two runs or more, are
    // one name that changes from run to run. A name two runs shared is fixed (a config file
    // that looks random but is the same every time stays literal), and so are the names of
    // runs that did different things in one directory.
    if (runs >= 2) {
      std::map<std::pair<bool, std::string>, Candidate> varying;  // (directory, extension)
      for (const auto& [key, child] : node.children) {
        if (!child->piece.is_literal() || std::popcount(child->runs) != 1 || executed_here(*child, facts_))
          continue;
        const bool dir = is_directory(*child);
        Candidate& group = varying[{dir, dir ? "" : common_extension({child->piece.literal})}];
        group.keys.push_back(&key);
        group.names.push_back(child->piece.literal);
        group.runs |= child->runs;
      }
      for (auto& [kind, group] : varying) {
        if (std::popcount(group.runs) < 2) continue;  // one run's names: nothing varied
        std::string probe, pattern = cover(group.names, &probe);
        if (shared && pattern.starts_with('*')) continue;
        fold(node, group.keys, std::move(pattern), std::move(probe),
             "varied in " + std::to_string(std::popcount(group.runs)) + " of " + std::to_string(runs) +
                 " runs: " + names_list(group.names));
      }
    }
    // (2) What the workload made.
    if (!shared) {
      std::map<bool, Candidate> made;  // by directory
      for (const auto& [key, child] : node.children) {
        const bool ours = child->piece.is_literal() || !child->piece.why.empty();  // not a variable
        if (!child->created || !ours || executed_here(*child, facts_) || child->piece.pattern == "*") continue;
        Candidate& group = made[is_directory(*child)];
        group.keys.push_back(&key);
        group.names.push_back(child->piece.literal);
      }
      for (auto& [dir, group] : made)
        fold(node, group.keys, "*", "armorer-probe", "created by the workload: " + names_list(group.names));
    }
  }
  for (auto& [key, child] : node.children) {
    above.push_back(&child->piece);
    workload_data(*child, above);
    above.pop_back();
  }
}

// A directory that varies (or that the workload made) whose subtree varies too is data all
// the way down: a later run may nest it deeper or name it otherwise at any level. Everything
// beneath it is written as DIR/** (files) and DIR/**/ (directories), with what the workload
// did there; its executables keep their own rules.
void PathTree::data_trees(Node& node, Above& above) {
  for (auto& [key, child] : node.children) {
    above.push_back(&child->piece);
    const bool data_dir = !child->piece.why.empty() && zone_of(above) == Zone::workload;
    const bool varies_below =
        data_dir && std::any_of(child->children.begin(), child->children.end(), [](const auto& entry) {
          const Node& grandchild = *entry.second;
          return !grandchild.piece.why.empty() && (!grandchild.children.empty() || !grandchild.dirs.empty());
        });
    if (!varies_below) {
      data_trees(*child, above);
      above.pop_back();
      continue;
    }
    auto tree_plan = [&](bool is_dir) {
      Plan plan;
      for (const auto* piece : above) plan.pieces.push_back(*piece);
      PathPiece tree;
      tree.pattern = "**";
      tree.literal = "armorer-probe";
      tree.probes = {"armorer-probe/armorer-probe"};
      tree.why = "a tree that varied below " + child->piece.literal + " too";
      plan.pieces.push_back(std::move(tree));
      plan.is_dir = is_dir;
      return add_plan(std::move(plan));
    };
    uint32_t files = kNoPlan, dirs = kNoPlan;
    auto cover_all = [&](auto& self, const Node& at) -> void {
      for (size_t index : at.files) {
        if (facts_[index].exec) continue;
        if (files == kNoPlan) files = tree_plan(false);
        override_of_[index] = files;
      }
      for (size_t index : at.dirs) {
        if (dirs == kNoPlan) dirs = tree_plan(true);
        override_of_[index] = dirs;
      }
      for (const auto& [k, below] : at.children) self(self, *below);
    };
    for (const auto& [k, below] : child->children) cover_all(cover_all, *below);
    above.pop_back();
  }
}

}  // namespace armorer::path_tree
