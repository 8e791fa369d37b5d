// Resolving a path the way a process with another root (a container) sees it: symlinks are
// followed inside `root`, and an absolute link target starts again at `root`, never at the
// host's "/".
#pragma once

#include <optional>
#include <string>

namespace armorer {

// `path` is absolute in the process's view; `root` is a host path such as /proc/PID/root.
// Returns the resolved absolute path in the process's view, or nullopt when a component is
// missing or there are too many links.
std::optional<std::string> resolve_in_root(const std::string& root, const std::string& path);

}  // namespace armorer
