#include "analyzer/neighbours.h"

#include <algorithm>
#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "apparmor/file_rule.h"

namespace armorer {

namespace {

// Device nodes that give nothing away and take nothing: one used, all are (rw).
constexpr std::array<std::string_view, 5> kHarmlessDevices = {"/dev/null", "/dev/zero", "/dev/full",
                                                              "/dev/random", "/dev/urandom"};

// A process's own information files: what its runtime, its libraries or `ps` read about it.
// Reading those of another process of the same user is mediated once more, as ptrace read
// (which the profile does not grant) for maps, smaps and io. Never environ or mem, which hold
// its secrets, nor pagemap.
constexpr std::string_view kOwnProcFiles =
    "{cgroup,cmdline,comm,io,limits,loginuid,maps,mountinfo,mounts,oom_score,oom_score_adj,sched,"
    "schedstat,sessionid,smaps,smaps_rollup,stat,statm,status,wchan}";

// The directory a file pattern's name sits in ("/tmp/job.*" of "/tmp/job.*/x.log"), when it
// is one of the workload's own: not in a system or kernel tree, not the top of the tree or a
// top-level directory, and not itself a pattern that ends in a recursive glob.
std::optional<std::string> workload_directory(const std::string& pattern) {
  if (pattern.empty() || pattern.back() == '/' || pattern.starts_with('"')) return std::nullopt;
  const auto slash = pattern.rfind('/');
  if (slash == std::string::npos || slash == 0) return std::nullopt;
  std::string dir = pattern.substr(0, slash);
  if (dir.ends_with("**")) dir.resize(dir.size() - 3);  // "/tmp/job.*/**" lists "/tmp/job.*"
  if (std::count(dir.begin(), dir.end(), '/') < 2 || dir.find("**") != std::string::npos) return std::nullopt;
  for (std::string_view system : {"/usr/", "/etc/", "/bin/", "/sbin/", "/lib", "/boot/", "/snap/", "/proc/",
                                  "@{PROC}", "/sys/", "@{sys}", "/dev/"})
    if (dir.starts_with(system) && !dir.starts_with("/dev/shm/")) return std::nullopt;
  return dir;
}

// A rule of that very pattern, or (for a plain path) any rule or abstraction, grants `perms`.
bool granted(const RuleSet& rules, const std::string& pattern, uint32_t perms) {
  if (pattern.starts_with("/dev/")) {
    Observation use;
    use.kind = ObsKind::file;
    use.object = pattern;
    use.access = ((perms & file_perm::r) ? access::read : 0) | ((perms & file_perm::w) ? access::write : 0);
    return rules.allows(use);
  }
  return std::any_of(rules.entries().begin(), rules.entries().end(), [&](const RuleEntry& entry) {
    const auto* file = std::get_if<FileRule>(&entry.rule);
    return file && !file->deny() && file->pattern() == pattern && (file->perms() & perms) == perms;
  });
}

void add(RuleSet& rules, const std::string& pattern, uint32_t perms, bool owner, std::string reason) {
  if (granted(rules, pattern, perms)) return;
  auto rule = FileRule::make(pattern, perms, ExecMode::none, owner, false, nullptr);
  if (!rule) return;
  Provenance why;
  why.reasons.insert(std::move(reason));
  rules.add(std::move(*rule), why);
}

}  // namespace

void add_neighbours(RuleSet& rules) {
  std::vector<std::pair<std::string, std::string>> listings;  // directory, the rule that reads in it
  std::string device;
  bool own_proc = false, own_task = false;
  for (const auto& entry : rules.entries()) {
    const auto* file = std::get_if<FileRule>(&entry.rule);
    if (!file || file->deny()) continue;
    const std::string& pattern = file->pattern();
    if (std::find(kHarmlessDevices.begin(), kHarmlessDevices.end(), pattern) != kHarmlessDevices.end())
      device = pattern;
    own_proc |= pattern.starts_with("@{PROC}/@{pid}/") && pattern.find('/', 15) == std::string::npos;
    own_task |= pattern.starts_with("@{PROC}/@{pid}/task/@{tid}/");
    // A glob of files read: the workload picks them by listing their directory. (One plain
    // path read says nothing of the kind.)
    if ((file->perms() & file_perm::r) && !file->literal())
      if (auto dir = workload_directory(pattern)) listings.emplace_back(*dir + "/", pattern);
  }
  if (!device.empty())
    for (std::string_view node : kHarmlessDevices)
      add(rules, std::string(node), file_perm::r | file_perm::w, false,
          "a device that takes and gives nothing, like " + device + ", which the workload used");
  if (own_proc)
    add(rules, "@{PROC}/@{pid}/" + std::string(kOwnProcFiles), file_perm::r, true,
        "the process's own information files, one of which the workload read");
  if (own_task)
    add(rules, "@{PROC}/@{pid}/task/@{tid}/" + std::string(kOwnProcFiles), file_perm::r, true,
        "the thread's own information files, one of which the workload read");
  for (const auto& [dir, reader] : listings)
    add(rules, dir, file_perm::r, false, "lists the directory of " + reader);
}

}  // namespace armorer
