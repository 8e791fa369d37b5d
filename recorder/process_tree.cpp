#include "recorder/process_tree.h"

#include <signal.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "core/error.h"

namespace armorer {

namespace {

// The parent pid from /proc/PID/stat; the command name may contain spaces and ')' so the
// fields are read after the last ')'.
pid_t parent_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return -1;
  size_t close = line.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream rest(line.substr(close + 1));
  std::string state;
  pid_t ppid = -1;
  rest >> state >> ppid;
  return ppid;
}

}  // namespace

std::vector<pid_t> process_and_descendants(pid_t root) {
  if (root <= 0 || (kill(root, 0) != 0 && errno == ESRCH))
    throw Fatal("no process with pid " + std::to_string(root));
  std::multimap<pid_t, pid_t> children;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", error)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    pid_t pid = std::stoi(name);
    children.emplace(parent_of(pid), pid);
  }
  std::vector<pid_t> out{root};
  for (size_t i = 0; i < out.size(); ++i) {
    auto [begin, end] = children.equal_range(out[i]);
    for (auto it = begin; it != end; ++it) out.push_back(it->second);
  }
  return out;
}

std::vector<pid_t> workload_processes(const std::string& cgroup_procs_file) {
  std::ifstream in(cgroup_procs_file);
  std::vector<pid_t> out;
  pid_t pid = 0;
  while (in >> pid) {
    std::ifstream comm("/proc/" + std::to_string(pid) + "/comm");
    std::string name;
    std::getline(comm, name);
    if (name.rfind("runc:", 0) == 0) continue;
    out.push_back(pid);
  }
  return out;
}

bool cgroup_has_processes(const std::string& cgroup_procs_file) {
  std::ifstream in(cgroup_procs_file);
  pid_t pid = 0;
  return static_cast<bool>(in >> pid);
}

long syscall_from_proc_text(const std::string& text) {
  std::istringstream in(text);
  long nr = -1;
  if (!(in >> nr) || nr < 0) return -1;
  return nr;
}

std::vector<long> syscalls_in_progress(pid_t tgid) {
  std::set<long> found;
  std::error_code error;
  const std::string tasks = "/proc/" + std::to_string(tgid) + "/task";
  for (const auto& entry : std::filesystem::directory_iterator(tasks, error)) {
    std::ifstream in(entry.path() / "syscall");
    std::string text;
    std::getline(in, text);
    if (long nr = syscall_from_proc_text(text); nr >= 0) found.insert(nr);
  }
  return {found.begin(), found.end()};
}

}  // namespace armorer
