#include "recorder/container_resolver.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/error.h"

namespace armorer {

namespace fs = std::filesystem;

namespace {

std::string cgroup2_mount_point() {
  std::ifstream mounts("/proc/self/mounts");
  std::string device, point, type;
  std::string rest;
  while (mounts >> device >> point >> type && std::getline(mounts, rest))
    if (type == "cgroup2") return point;
  throw Fatal("no cgroup2 file system is mounted (looked in /proc/self/mounts); "
              "container targets need cgroup v2 (hybrid hosts mount it at /sys/fs/cgroup/unified)");
}

struct Candidate {
  std::string id;
  std::string root;
  fs::path state;
};

// runc keeps <root>/<id>/state.json; containerd nests one level deeper per namespace.
void collect(const std::string& root, std::vector<Candidate>& out) {
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(root, error)) {
    fs::path state = entry.path() / "state.json";
    if (fs::exists(state, error)) {
      out.push_back({entry.path().filename().string(), root, state});
      continue;
    }
    if (!entry.is_directory(error)) continue;
    for (const auto& nested : fs::directory_iterator(entry.path(), error)) {
      fs::path nested_state = nested.path() / "state.json";
      if (fs::exists(nested_state, error))
        out.push_back({nested.path().filename().string(), entry.path().string(), nested_state});
    }
  }
}

}  // namespace

std::vector<std::string> default_runtime_roots() {
  return {"/run/runc", "/run/docker/runtime-runc/moby", "/run/containerd/runc"};
}

std::string cgroup_v2_dir_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cgroup");
  if (!in) throw Fatal("process " + std::to_string(pid) + " does not exist");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("0::", 0) != 0) continue;
    return cgroup2_mount_point() + line.substr(3);
  }
  throw Fatal("process " + std::to_string(pid) + " has no cgroup v2 membership in /proc/" +
              std::to_string(pid) + "/cgroup");
}

ContainerInfo resolve_container(const std::string& id_or_prefix, const std::vector<std::string>& roots) {
  if (id_or_prefix.empty()) throw Fatal("--container needs an id or an id prefix", kExitUsage);
  std::vector<Candidate> all, matches;
  for (const auto& root : roots) collect(root, all);
  for (const auto& candidate : all) {
    if (candidate.id == id_or_prefix) {
      matches = {candidate};
      break;
    }
    if (candidate.id.rfind(id_or_prefix, 0) == 0) matches.push_back(candidate);
  }
  if (matches.empty()) {
    std::string places;
    for (const auto& root : roots) places += (places.empty() ? "" : ", ") + root + "/<id>/state.json";
    throw Fatal("no container matches '" + id_or_prefix + "' (looked in " + places + ")");
  }
  if (matches.size() > 1) {
    std::string ids;
    for (const auto& m : matches) ids += (ids.empty() ? "" : ", ") + m.id;
    throw Fatal("container prefix '" + id_or_prefix + "' is ambiguous: " + ids, kExitUsage);
  }
  const Candidate& found = matches.front();
  std::ifstream in(found.state);
  nlohmann::json state = nlohmann::json::parse(in, nullptr, false);
  if (state.is_discarded() || !state.contains("init_process_pid"))
    throw Fatal(found.state.string() + ": not a runc state file (no init_process_pid)");
  ContainerInfo info;
  info.id = found.id;
  info.runtime_root = found.root;
  info.init_pid = state["init_process_pid"].get<pid_t>();
  info.cgroup_dir = cgroup_v2_dir_of(info.init_pid);
  return info;
}

}  // namespace armorer
