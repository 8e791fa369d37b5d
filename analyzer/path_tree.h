// Internal to the path generaliser: the observed paths as a tree of pattern pieces, and the
// passes that rewrite it. Each pass only ever widens a piece so that it still matches every
// path below it; the generaliser checks the result against the paths and the sensitive list.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "analyzer/path_pieces.h"

namespace armorer::path_tree {

// One distinct observed path and what the workload did with it.
struct PathFacts {
  std::string path;  // literal, '/' suffix for a directory
  uint32_t perms = 0;
  bool exec = false;
  bool owner = true;    // every access had `owner`
  uint64_t runs = 0;    // the runs that used it, one bit each (0: not known)
  bool created = false; // the workload made it (created, mkdir, rename or link target)
  bool is_dir() const { return path.size() > 1 && path.back() == '/'; }
};

// Where a path is written from, once the passes ran: its pieces (and whether the pattern
// ends in '/').
struct Plan {
  std::vector<PathPiece> pieces;
  bool is_dir = false;
};

struct Node {
  PathPiece piece;
  std::map<std::string, std::unique_ptr<Node>> children;  // by piece pattern
  std::vector<size_t> files;  // paths ending here (indexes into the facts)
  std::vector<size_t> dirs;   // paths ending here with '/'
  uint64_t runs = 0;          // the runs that used this path or one below it
  bool created = false;       // a path ending here was made by the workload
};

struct TreeOptions {
  bool variables = true;
  bool shapes = true;    // numbers, digests, temp names, versions
  bool collapse = true;  // sibling collapse and interpreter trees
  size_t sibling_threshold = 4;
  size_t interpreter_threshold = 3;
};

class PathTree {
 public:
  PathTree(const std::vector<PathFacts>& facts, const TreeOptions& options);

  // Runs the passes; then plan(i) says how path i is written. Paths the tree could not take
  // (not absolute, "//" inside) have no plan (nullptr) and stay exact.
  void generalise();
  const Plan* plan(size_t index) const {
    return plan_of_[index] == kNoPlan ? nullptr : &plans_[plan_of_[index]];
  }

 private:
  void insert(size_t index);
  void workload_data(Node& node, std::vector<const PathPiece*>& above);
  void data_trees(Node& node, std::vector<const PathPiece*>& above);
  void cluster(Node& node, std::vector<const PathPiece*>& above);
  void collapse(Node& node, std::vector<const PathPiece*>& above);
  void interpreter_trees(Node& node, std::vector<const PathPiece*>& above);
  void make_plans(const Node& node, std::vector<PathPiece>& above);
  uint32_t add_plan(Plan plan);

  // Paths share plans: every path ending at one node is written alike, and so is every path
  // one collapse or interpreter tree takes. A plan per path would hold a million copies of
  // the same pieces.
  static constexpr uint32_t kNoPlan = UINT32_MAX;
  const std::vector<PathFacts>& facts_;
  TreeOptions options_;
  Node root_;
  // The nodes the last insert() went through, from the top: the facts come sorted, so the
  // next path mostly shares them.
  std::vector<Node*> last_chain_;
  std::vector<Plan> plans_;
  std::vector<uint32_t> plan_of_;      // per path: index into plans_, or kNoPlan
  std::vector<uint32_t> override_of_;  // per path: set by collapse and interpreter trees
};

// Folds `from` into `into`: children with the same key merge, endpoints are united.
void merge_nodes(Node& into, Node&& from);

}  // namespace armorer::path_tree
