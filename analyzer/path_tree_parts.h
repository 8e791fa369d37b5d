// Internal to the path tree (path_tree.cpp and path_tree_data.cpp): where in the tree a
// directory is, and the one way its children are replaced by a pattern.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/path_tree.h"

namespace armorer::path_tree {

// The pieces from the top of the tree down to a node (the node's own last).
using Above = std::vector<const PathPiece*>;

enum class Zone { workload, system, kernel };

bool is_one_of(const std::string& text, std::initializer_list<std::string_view> words);

// Package-managed trees keep their names (only versions, multiarch, interpreter and data
// trees are generalised there); kernel trees only their numbers; everything else is the
// workload's own.
Zone zone_of(const Above& above);

// Directories whose every entry a glob would hand over: the top of the tree and of /var,
// /dev/shm, homes (@{HOME} is one piece) and @{run}.
bool shared_directory(const Above& above);

// "*.ext" when every name has that one extension, else "*".
std::string common_extension(const std::vector<std::string>& names);

// Replaces the children `keys` of `node` by one child written `pattern`, their subtrees
// merged (with a child already written so, if there is one); `why` says why the piece is a
// pattern ("" when its shape says it). The keys point into node.children and are gone after.
void fold(Node& node, const std::vector<const std::string*>& keys, std::string pattern, std::string probe,
          std::string why = "");

}  // namespace armorer::path_tree
