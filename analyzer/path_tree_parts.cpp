#include "analyzer/path_tree_parts.h"

#include <algorithm>

namespace armorer::path_tree {

bool is_one_of(const std::string& text, std::initializer_list<std::string_view> words) {
  return std::find(words.begin(), words.end(), text) != words.end();
}

Zone zone_of(const Above& above) {
  if (above.empty()) return Zone::system;
  const std::string& top = above[0]->pattern;
  if (is_one_of(top, {"usr", "etc", "bin", "sbin", "lib", "lib32", "lib64", "libx32", "boot", "snap"}))
    return Zone::system;
  if (top == "dev" && above.size() >= 2 && above[1]->pattern == "shm") return Zone::workload;
  if (is_one_of(top, {"@{PROC}", "proc", "@{sys}", "sys", "dev"})) return Zone::kernel;
  return Zone::workload;
}

bool shared_directory(const Above& above) {
  if (above.size() <= 1) return true;
  if (above.size() == 2 && (above[0]->pattern == "var" ||
                            (above[0]->pattern == "dev" && above[1]->pattern == "shm")))
    return true;
  return false;
}

std::string common_extension(const std::vector<std::string>& names) {
  std::string ext;
  for (size_t i = 0; i < names.size(); ++i) {
    const auto dot = names[i].rfind('.');
    if (dot == std::string::npos || dot == 0 || dot + 1 == names[i].size()) return "";
    const std::string mine = names[i].substr(dot + 1);
    const bool plain = mine.size() <= 10 && std::all_of(mine.begin(), mine.end(), [](char c) {
                         return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
                       });
    if (!plain || (i > 0 && mine != ext)) return "";
    ext = mine;
  }
  return ext.empty() ? "" : "." + ext;
}

void fold(Node& node, const std::vector<const std::string*>& keys, std::string pattern, std::string probe,
          std::string why) {
  auto merged = std::make_unique<Node>();
  merged->piece.pattern = pattern;
  merged->piece.literal = node.children.at(*keys.front())->piece.literal;
  merged->piece.probes = {std::move(probe)};
  merged->piece.why = std::move(why);
  for (const std::string* key : keys) {
    auto found = node.children.find(*key);
    merge_nodes(*merged, std::move(*found->second));
    node.children.erase(found);
  }
  auto existing = node.children.find(pattern);
  if (existing == node.children.end()) node.children.emplace(pattern, std::move(merged));
  else merge_nodes(*existing->second, std::move(*merged));
}

}  // namespace armorer::path_tree
