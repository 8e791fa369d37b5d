#include "analyzer/path_tree.h"
#include "analyzer/path_tree_parts.h"

#include <algorithm>
#include <tuple>

#include "apparmor/aare.h"
#include "analyzer/component_shape.h"
#include "apparmor/file_rule.h"

namespace armorer::path_tree {

namespace {

constexpr size_t kMinRandomName = 6;  // a prefix and at least 6 random characters

bool digits_and_dots(const std::string& text) {
  return !text.empty() && text[0] >= '0' && text[0] <= '9' &&
         std::all_of(text.begin(), text.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
}

bool python_dir(const std::string& text) {
  return text == "python3" || (text.starts_with("python3.") && digits_and_dots(text.substr(8)));
}

enum class TreeKind { none, modules, data };

// Read-only trees of the system whose files a run picks by its input or its environment:
// an interpreter's modules (which ones a run imports depends on its input), and the
// time-zone, locale and charset-conversion data (which ones depends on TZ and LANG where
// the workload is deployed). abstractions/base grants the data trees too.
TreeKind tree_kind(const Above& above) {
  std::vector<std::string> p;
  for (const auto* piece : above) p.push_back(piece->pattern);
  const auto is = [&](std::initializer_list<std::string_view> words) {
    return p.size() == words.size() && std::equal(words.begin(), words.end(), p.begin());
  };
  const auto starts = [&](std::initializer_list<std::string_view> words) {
    return p.size() >= words.size() && std::equal(words.begin(), words.end(), p.begin());
  };
  if (is({"usr", "share", "zoneinfo"}) || is({"usr", "lib", "locale"}) || is({"usr", "share", "locale"}) ||
      is({"usr", "lib", "@{multiarch}", "gconv"}))
    return TreeKind::data;
  // The standard library as a whole; third-party packages one by one.
  if (p.size() == 3 && starts({"usr", "lib"}) && python_dir(p[2]) && p[2] != "python3") return TreeKind::modules;
  if (p.size() == 5 && starts({"usr", "lib", "python3", "dist-packages"})) return TreeKind::modules;
  if (p.size() == 6 && starts({"usr", "local", "lib"}) && python_dir(p[3]) &&
      (p[4] == "dist-packages" || p[4] == "site-packages"))
    return TreeKind::modules;
  if (p.size() == 4 && starts({"usr", "share", "perl"}) && digits_and_dots(p[3])) return TreeKind::modules;
  if (is({"usr", "share", "perl5"})) return TreeKind::modules;
  if (p.size() == 5 && starts({"usr", "lib", "@{multiarch}"}) && (p[3] == "perl" || p[3] == "perl5") &&
      digits_and_dots(p[4]))
    return TreeKind::modules;
  return is({"usr", "lib", "@{multiarch}", "perl-base"}) ? TreeKind::modules : TreeKind::none;
}

// "libssl.so.3.0.2" → "libssl.so.3.*": the major version is the ABI the program was linked
// against; the rest changes with every package update.
std::optional<PathPiece> versioned_library(const std::string& name) {
  const auto so = name.rfind(".so.");
  if (so == std::string::npos || so == 0) return std::nullopt;
  const std::string version = name.substr(so + 4);
  const auto dot = version.find('.');
  if (dot == std::string::npos || !digits_and_dots(version) || version.back() == '.' ||
      version.find("..") != std::string::npos)
    return std::nullopt;
  const std::string major = name.substr(0, so + 4 + dot);  // "libssl.so.3"
  PathPiece piece;
  piece.pattern = aare_escape(major) + ".*";
  piece.literal = name;
  piece.probes = {major + ".armorer-probe"};
  return piece;
}

bool only_numbers(const ComponentShape& shape) {
  return std::all_of(shape.tokens().begin(), shape.tokens().end(), [](const ShapeToken& t) {
    return t.cls == TokenClass::literal || t.cls == TokenClass::number;
  });
}

}  // namespace

void merge_nodes(Node& into, Node&& from) {
  // Children only `from` has move over whole (the map splices its nodes); the rest merge.
  into.children.merge(from.children);
  for (auto& [key, child] : from.children) merge_nodes(*into.children.at(key), std::move(*child));
  into.files.insert(into.files.end(), from.files.begin(), from.files.end());
  into.dirs.insert(into.dirs.end(), from.dirs.begin(), from.dirs.end());
  into.runs |= from.runs;
  into.created |= from.created;
}

PathTree::PathTree(const std::vector<PathFacts>& facts, const TreeOptions& options)
    : facts_(facts), options_(options), plan_of_(facts.size(), kNoPlan), override_of_(facts.size(), kNoPlan) {
  for (size_t i = 0; i < facts_.size(); ++i) insert(i);
}

void PathTree::insert(size_t index) {
  const PathFacts& facts = facts_[index];
  const std::string& path = facts.path;
  if (!path.starts_with('/') || path.find("//") != std::string::npos) return;
  const bool dir = facts.is_dir();
  const std::string_view bare = dir ? std::string_view(path).substr(0, path.size() - 1) : path;
  auto pieces = path_pieces(bare, dir, options_.variables);
  if (options_.shapes && !dir && !pieces.empty() && pieces.back().is_literal())
    if (auto library = versioned_library(pieces.back().literal)) pieces.back() = std::move(*library);
  Node* node = &root_;
  size_t depth = 0;
  // Before any pass ran, a node's pattern is its key under its parent.
  while (depth < pieces.size() && depth < last_chain_.size() &&
         last_chain_[depth]->piece.pattern == pieces[depth].pattern)
    node = last_chain_[depth++];
  last_chain_.resize(depth);
  for (; depth < pieces.size(); ++depth) {
    auto& child = node->children[pieces[depth].pattern];
    if (!child) {
      child = std::make_unique<Node>();
      child->piece = std::move(pieces[depth]);
    }
    node = child.get();
    last_chain_.push_back(node);
  }
  (dir ? node->dirs : node->files).push_back(index);
  node->created |= facts.created;
  for (Node* on_path : last_chain_) on_path->runs |= facts.runs;
}

void PathTree::generalise() {
  last_chain_.clear();  // the passes move and free nodes
  Above above;
  if (options_.shapes) {
    workload_data(root_, above);
    cluster(root_, above);
  }
  if (options_.collapse) {
    collapse(root_, above);
    interpreter_trees(root_, above);
  }
  if (options_.shapes) data_trees(root_, above);
  std::vector<PathPiece> pieces;
  make_plans(root_, pieces);
}

// Children of one directory with the same shape are one name that changes: between runs
// (a temp directory), or within one (one file per item). A single child is generalised only
// when its name is clearly generated.
void PathTree::cluster(Node& node, Above& above) {
  const Zone zone = zone_of(above);
  if (!above.empty() && zone != Zone::system) {
    const bool fanout = node.piece.is_literal() && node.piece.literal == "objects";
    const bool numbered_singles =
        zone == Zone::kernel &&
        ((above.size() == 2 && above[0]->pattern == "dev" && above[1]->pattern == "pts") ||
         (above.size() == 3 && above[1]->pattern == "@{pid}" &&
          (above[2]->pattern == "fd" || above[2]->pattern == "fdinfo")));
    struct Alike {
      std::vector<const std::string*> keys;  // the children's, in key order
      std::optional<ShapeGroup> shapes;      // their names'
    };
    std::map<std::string, Alike> groups;  // by shape key
    for (const auto& [key, child] : node.children) {
      if (!child->piece.is_literal()) continue;
      auto shape = ComponentShape::of(child->piece.literal, fanout);
      if (!shape.has_generated() || (zone == Zone::kernel && !only_numbers(shape))) continue;
      Alike& group = groups[shape.key()];
      group.keys.push_back(&key);
      if (group.shapes) group.shapes->add(shape);
      else group.shapes.emplace(std::move(shape));
    }
    for (const auto& [shape_key, group] : groups) {
      const ShapeGroup& shapes = *group.shapes;
      if (shapes.size() == 1) {
        const bool single = (zone == Zone::workload && shapes.first().clearly_generated()) || numbered_singles;
        if (!single) continue;
      }
      std::string probe;
      std::string pattern = shapes.pattern(&probe, numbered_singles);
      if (pattern == *group.keys.front() && shapes.size() == 1) continue;
      fold(node, group.keys, std::move(pattern), std::move(probe));
    }
    // Names whose random part has no separator before it ("tVOPQVF"): only seen as several.
    if (zone == Zone::workload) {
      std::map<std::pair<size_t, char>, std::vector<const std::string*>> buckets;  // (length, first char)
      for (const auto& [key, child] : node.children)
        if (child->piece.is_literal() && child->piece.literal.size() > kMinRandomName)
          buckets[{child->piece.literal.size(), child->piece.literal[0]}].push_back(&key);
      for (const auto& [bucket, keys] : buckets) {
        std::vector<std::string> names;
        for (const std::string* key : keys) names.push_back(node.children.at(*key)->piece.literal);
        std::string probe;
        if (auto pattern = random_middle_pattern(names, &probe)) fold(node, keys, std::move(*pattern), std::move(probe));
      }
    }
  }
  for (auto& [key, child] : node.children) {
    above.push_back(&child->piece);
    cluster(*child, above);
    above.pop_back();
  }
}

// Many names of one directory used the same way become one glob, "*.ext" when they share an
// extension. Reads and writes are grouped apart, executables never collapse, and neither do
// system, kernel or shared directories.
void PathTree::collapse(Node& node, Above& above) {
  for (auto& [key, child] : node.children) {
    above.push_back(&child->piece);
    collapse(*child, above);
    above.pop_back();
  }
  if (zone_of(above) != Zone::workload || shared_directory(above)) return;
  using Signature = std::tuple<bool, uint32_t, bool>;  // is_dir, perms, owner
  std::map<Signature, std::vector<std::pair<size_t, std::string>>> groups;
  std::vector<size_t> siblings;  // every file or directory ending right below this one
  for (const auto& [key, child] : node.children) {
    siblings.insert(siblings.end(), child->files.begin(), child->files.end());
    siblings.insert(siblings.end(), child->dirs.begin(), child->dirs.end());
    if (!child->piece.is_literal()) continue;
    for (size_t index : child->files)
      if (!facts_[index].exec) groups[{false, facts_[index].perms, facts_[index].owner}].emplace_back(index, child->piece.literal);
    for (size_t index : child->dirs)
      groups[{true, facts_[index].perms, facts_[index].owner}].emplace_back(index, child->piece.literal);
  }
  for (const auto& [signature, members] : groups) {
    const auto& [is_dir, perms, owner] = signature;
    if (members.size() < options_.sibling_threshold) continue;
    std::vector<std::string> names;
    for (const auto& member : members) names.push_back(member.second);
    const std::string ext = is_dir ? "" : common_extension(names);
    // The glob must not hand these permissions to a name the workload used otherwise: read
    // and write stay apart, and so do the two kinds of a directory's entries.
    // Bindings are captured by name: clang 14 (the fuzz build) cannot capture them implicitly.
    const bool collides = std::any_of(siblings.begin(), siblings.end(),
                                      [&, is_dir = is_dir, perms = perms](size_t index) {
      const PathFacts& other = facts_[index];
      if (other.is_dir() != is_dir || ((other.perms & perms) == perms && !other.exec)) return false;
      const std::string& path = other.path;
      return ext.empty() || (!is_dir && path.ends_with(ext));
    });
    if (collides) continue;
    PathPiece glob;
    glob.pattern = "*" + aare_escape(ext);
    glob.literal = names.front();
    glob.probes = {"armorer-probe" + ext};
    Plan plan;
    for (const auto* piece : above) plan.pieces.push_back(*piece);
    plan.pieces.push_back(glob);
    plan.is_dir = is_dir;
    const uint32_t id = add_plan(std::move(plan));
    for (const auto& member : members) override_of_[member.first] = id;
  }
}

void PathTree::interpreter_trees(Node& node, Above& above) {
  const TreeKind kind = tree_kind(above);
  if (kind == TreeKind::none) {
    for (auto& [key, child] : node.children) {
      above.push_back(&child->piece);
      interpreter_trees(*child, above);
      above.pop_back();
    }
    return;
  }
  // Module sources are only read; extension modules are also mapped.
  std::vector<size_t> readers, mappers;
  auto collect = [&](auto& self, const Node& at) -> void {
    for (const auto* list : {&at.files, &at.dirs}) {
      for (size_t index : *list) {
        const PathFacts& f = facts_[index];
        if (f.exec || &at == &node) continue;
        if ((f.perms & ~file_perm::r) == 0) readers.push_back(index);
        else if ((f.perms & ~(file_perm::r | file_perm::m)) == 0 && f.path.ends_with(".so"))
          mappers.push_back(index);
      }
    }
    for (const auto& [key, child] : at.children) self(self, *child);
  };
  collect(collect, node);
  // One time-zone file says the workload reads the zone it is deployed in, whichever it is;
  // modules are a tree from a few on.
  const bool enough = kind == TreeKind::data ? readers.size() + mappers.size() > 0
                                             : readers.size() >= options_.interpreter_threshold;
  if (!enough) return;
  auto tree_plan = [&](std::string pattern, std::string probe) {
    Plan plan;
    for (const auto* piece : above) plan.pieces.push_back(*piece);
    PathPiece tree;
    tree.pattern = std::move(pattern);
    tree.literal = "armorer-probe";
    tree.probes = {std::move(probe)};
    plan.pieces.push_back(std::move(tree));
    return plan;
  };
  const uint32_t sources = add_plan(tree_plan("**", "armorer-probe/armorer-probe"));
  for (size_t index : readers) override_of_[index] = sources;
  const uint32_t extensions = add_plan(tree_plan("**.so", "armorer-probe/armorer-probe.so"));
  for (size_t index : mappers) override_of_[index] = extensions;
}

uint32_t PathTree::add_plan(Plan plan) {
  plans_.push_back(std::move(plan));
  return static_cast<uint32_t>(plans_.size() - 1);
}

void PathTree::make_plans(const Node& node, std::vector<PathPiece>& above) {
  for (const bool is_dir : {false, true}) {
    uint32_t here = kNoPlan;  // made on first use: most endpoints are files only
    for (size_t index : is_dir ? node.dirs : node.files) {
      if (override_of_[index] != kNoPlan) {
        plan_of_[index] = override_of_[index];
        continue;
      }
      if (here == kNoPlan) here = add_plan(Plan{above, is_dir});
      plan_of_[index] = here;
    }
  }
  for (const auto& [key, child] : node.children) {
    above.push_back(child->piece);
    make_plans(*child, above);
    above.pop_back();
  }
}

}  // namespace armorer::path_tree
