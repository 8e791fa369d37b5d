// A seccomp profile in the JSON form Docker (`--security-opt seccomp=FILE`), runc/OCI and
// Kubernetes (Localhost seccompProfile) read. Only names from the x86_64 system call table
// are written, so recorded text can never reach the profile unvetted.
#include <algorithm>
#include <array>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "apparmor/apparmor_names.h"
#include "core/error.h"
#include "core/syscall_names.h"
#include "emitter/writers.h"

namespace armorer {

namespace {

using Json = nlohmann::ordered_json;

// What runc does on its own after it has loaded the container's filter and before it execs
// the entrypoint, so the filter must allow it or the container never starts. Measured with
// `strace -f` on runc 1.1.5 (10 starts, noNewPrivileges both true and false: without it the
// filter is loaded before runc drops privileges, hence capset/setuid/setgroups/chdir), which
// gave capget capset chdir close epoll_ctl execve faccessat2 fcntl fstat fstatfs futex getcwd
// getdents64 getpid getppid newfstatat openat prctl read rt_sigreturn setgid setgroups setuid
// write; plus what the Go runtime may do on that thread at any time and the
// security-profiles-operator's runc base profile also lists (epoll_pwait, fchown, nanosleep,
// sched_yield). Kept sorted.
constexpr std::array<std::string_view, 28> kRuntimeSyscalls{
    "capget",     "capset",     "chdir",        "close",   "epoll_ctl",  "epoll_pwait", "execve",
    "faccessat2", "fchown",     "fcntl",        "fstat",   "fstatfs",    "futex",       "getcwd",
    "getdents64", "getpid",     "getppid",      "nanosleep", "newfstatat", "openat",    "prctl",
    "read",       "rt_sigreturn", "sched_yield", "setgid", "setgroups",  "setuid",      "write"};

}  // namespace

std::span<const std::string_view> runtime_syscalls() { return kRuntimeSyscalls; }

Emitted write_seccomp(const EmitInput& input, const SeccompOptions& options) {
  Emitted out;
  std::set<std::string> recorded;
  bool any = false;
  for (const auto& obs : input.observations) {
    if (obs.kind != ObsKind::syscall) continue;
    any = true;
    if (!syscall_number(obs.object)) {
      out.warnings.push_back("left out system call '" + comment_safe(obs.object) +
                             "': not an x86_64 system call name armorer knows");
      continue;
    }
    if (!std::binary_search(kRuntimeSyscalls.begin(), kRuntimeSyscalls.end(), obs.object))
      recorded.insert(obs.object);
  }
  if (!any)
    throw Fatal("no system calls were recorded for profile " + input.rules.profile_name() +
                " (audit-log runs record none): a seccomp profile would stop the workload");
  std::sort(out.warnings.begin(), out.warnings.end());
  out.warnings.erase(std::unique(out.warnings.begin(), out.warnings.end()), out.warnings.end());

  Json profile;
  if (options.complain) {
    profile["defaultAction"] = "SCMP_ACT_LOG";
  } else {
    profile["defaultAction"] = "SCMP_ACT_ERRNO";
    profile["defaultErrnoRet"] = 1;  // EPERM, as Docker's default profile answers
  }
  // The recorder sees x86_64 numbers; like Docker, the 32-bit ABIs of the same CPU get the same
  // names (libseccomp resolves each name per architecture and skips those an ABI lacks).
  profile["architectures"] = Json::array({"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"});
  Json syscalls = Json::array();
  if (!recorded.empty()) {
    Json entry;
    entry["names"] = recorded;
    entry["action"] = "SCMP_ACT_ALLOW";
    entry["comment"] = "recorded: the system calls profile " + input.rules.profile_name() +
                       " made, beyond the runtime's own below";
    syscalls.push_back(std::move(entry));
  }
  Json runtime;
  runtime["names"] = Json::array();
  for (const auto name : kRuntimeSyscalls) runtime["names"].push_back(std::string(name));
  runtime["action"] = "SCMP_ACT_ALLOW";
  runtime["comment"] = "container runtime: what runc does between loading this filter and "
                       "exec'ing the entrypoint";
  syscalls.push_back(std::move(runtime));
  profile["syscalls"] = std::move(syscalls);
  out.text = profile.dump(2) + "\n";
  return out;
}

}  // namespace armorer
