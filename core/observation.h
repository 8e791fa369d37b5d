// What the recorders saw, in the form every later stage consumes: plain values, no handles.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>
#include <string_view>
#include <tuple>

namespace armorer {

enum class ObsKind : uint8_t {
  file = 1,        // object: absolute path ("/" suffix for a directory)
  exec = 2,        // object: absolute path of the executed file; subject: who exec'd it
  capability = 3,  // object: AppArmor capability name, e.g. "net_raw"
  network = 4,     // object: "<family> <type> <protocol>", e.g. "inet stream 6"
  signal = 5,      // object: "<signal> <peer>"
  ptrace = 6,      // object: "<peer>"
  mount = 7,       // object: "<fstype> <source> <mountpoint>"
  unix_socket = 8, // object: "<type> <address>"
  syscall = 9,     // object: syscall name (x86_64), e.g. "openat"
};

std::string_view to_string(ObsKind kind);
std::optional<ObsKind> obs_kind_from_string(std::string_view text);

// Fine-grained file operations as the recorders see them. The analyzer maps them onto
// AppArmor's letters (create/delete/rename/setattr → w, mmap_exec → m, ...).
namespace access {
inline constexpr uint32_t read = 1u << 0;
inline constexpr uint32_t write = 1u << 1;
inline constexpr uint32_t append = 1u << 2;
inline constexpr uint32_t create = 1u << 3;
inline constexpr uint32_t remove = 1u << 4;    // unlink, rmdir
inline constexpr uint32_t rename_src = 1u << 5;
inline constexpr uint32_t rename_dst = 1u << 6;
inline constexpr uint32_t link = 1u << 7;      // the new name of a hard link
inline constexpr uint32_t lock = 1u << 8;
inline constexpr uint32_t setattr = 1u << 9;   // chmod, chown, truncate, utimes
inline constexpr uint32_t mmap_exec = 1u << 10;
inline constexpr uint32_t exec = 1u << 11;
inline constexpr uint32_t all = (1u << 12) - 1;
}  // namespace access

// "r", "w", "rw", "create,remove": a readable rendering of access bits for summaries/explain.
std::string access_to_string(uint32_t access);

namespace obs_flag {
inline constexpr uint32_t truncated = 1u << 0;     // path longer than the kernel buffer
inline constexpr uint32_t deleted = 1u << 1;       // file was already unlinked
inline constexpr uint32_t disconnected = 1u << 2;  // not reachable from the task's root
inline constexpr uint32_t owner = 1u << 3;         // file owned by the process's fsuid
inline constexpr uint32_t directory = 1u << 4;
inline constexpr uint32_t denied = 1u << 5;        // audit record said DENIED
}  // namespace obs_flag

struct Observation {
  ObsKind kind = ObsKind::file;
  std::string subject;  // executable that acted (absolute path)
  std::string object;   // see ObsKind
  uint32_t access = 0;  // access:: bits for file/exec; 0 for other kinds
  uint32_t flags = 0;   // obs_flag:: bits
  uint64_t count = 1;
  int64_t first_seen_ms = 0;
  int64_t last_seen_ms = 0;

  // Identity for aggregation: two observations with the same key are one fact.
  auto key() const { return std::tie(kind, subject, object, access, flags); }
};

inline bool same_fact(const Observation& a, const Observation& b) { return a.key() == b.key(); }

struct Run {
  int64_t id = 0;
  std::string profile;
  std::string source;       // "ebpf" | "audit"
  std::string target;       // human description: "command: ls -l", "cgroup: /sys/fs/..."
  std::string label;
  std::string kernel;
  int64_t started_ms = 0;
  int64_t ended_ms = 0;     // 0 while running
  std::string status;       // "running" | "complete" | "interrupted"
  uint64_t events = 0;      // events delivered to user space
  uint64_t lost_events = 0; // events the kernel could not deliver
  std::optional<int> exit_status;
  // How the run was recorded: "exec=tp_btf file=tp_btf ... capability=fexit" ("" if unknown),
  // and the observation kinds nothing recorded ("capability"), sorted.
  std::string recorded_with;
  std::vector<std::string> missing_kinds;
};

}  // namespace armorer
