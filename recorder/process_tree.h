// Reading the process tree and cgroup membership from /proc and cgroupfs.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace armorer {

// `root` followed by every live descendant (by parent pid). Throws Fatal if `root` is gone.
std::vector<pid_t> process_and_descendants(pid_t root);

// The processes listed in a cgroup.procs file that are not a container runtime's own init
// (runc's "runc:[N:INIT]" before it execs the entrypoint).
std::vector<pid_t> workload_processes(const std::string& cgroup_procs_file);

// True when the cgroup.procs file lists at least one process.
bool cgroup_has_processes(const std::string& cgroup_procs_file);

// The system call number in a /proc/PID/task/TID/syscall text ("NR ARGS... SP PC" while the
// thread is inside a call), or -1 ("running", "-1 SP PC" outside a call, or unreadable).
long syscall_from_proc_text(const std::string& text);

// The system calls the threads of `tgid` are inside of right now (blocked in, usually),
// without repeats; empty when the process is gone.
std::vector<long> syscalls_in_progress(pid_t tgid);

}  // namespace armorer
