// Finds a container by id (or unique id prefix) in the state its runtime keeps on the host,
// and the cgroup v2 directory its processes live in.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace armorer {

struct ContainerInfo {
  std::string id;
  std::string runtime_root;  // e.g. /run/runc
  pid_t init_pid = 0;
  std::string cgroup_dir;    // cgroup v2 directory of the init process
};

// State directories of runc-based runtimes: runc itself, Docker (moby) and containerd.
std::vector<std::string> default_runtime_roots();

// Throws Fatal naming the id and every place looked in when there is no match, or listing the
// candidates when a prefix is ambiguous.
ContainerInfo resolve_container(const std::string& id_or_prefix,
                                const std::vector<std::string>& runtime_roots = default_runtime_roots());

// The cgroup v2 directory of a process: its "0::" line in /proc/PID/cgroup under the host's
// cgroup2 mount (/sys/fs/cgroup or, on hybrid hosts, /sys/fs/cgroup/unified).
std::string cgroup_v2_dir_of(pid_t pid);

}  // namespace armorer
