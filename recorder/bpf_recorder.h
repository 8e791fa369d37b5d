// Loads armorer's BPF programs (libbpf skeleton), selects the target, and hands raw events
// from the ring buffer to a callback. Owns every kernel handle; closing detaches everything.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "recorder/attach_plan.h"

struct armorer_event;

namespace armorer {

struct BpfTarget {
  enum class Mode { pids, cgroup } mode = Mode::pids;
  uint64_t cgroup_id = 0;     // inode of the cgroup v2 directory (Mode::cgroup)
  bool require_exec = false;  // cgroup: follow a process only from its first exec (containers)
};

struct BpfRecorderOptions {
  BpfTarget target;
  uint32_t ring_buffer_bytes = 16u << 20;  // power of two, >= page size
  uint32_t max_processes = 32768;   // task map entries
  uint32_t dedup_entries = 262144;  // `seen` entries; the fd-level map gets a quarter
  // Ask the verifier for statistics, so that each program's verified-instruction count is known
  // also on kernels before 5.16 (doctor, bench).
  bool verifier_stats = false;
};

struct ProgramLoad {
  std::string program;
  uint64_t verified_insns = 0;  // the verifier's own count; 0 if the kernel did not tell
};

// What verifying one program cost the kernel (the global functions it calls included).
struct ProgramLoadCost {
  std::string program;
  std::string hook;
  std::string path;  // attach path: "tp_btf", "fexit", "kprobe"
  uint64_t verified_insns = 0;
  double load_seconds = 0;  // opening and loading this program alone
  bool loaded = false;
  std::string error;  // why the kernel refused it
};

// How the recorder was set up on this kernel: the attach path of each hook (with the reasons
// others were passed over), the programs loaded, and what loading cost.
struct RecorderSetup {
  AttachPlan plan;
  std::vector<ProgramLoad> programs;
  double load_seconds = 0;  // opening and loading the programs, last attempt
  int attempts = 0;         // loads tried: more than one when the kernel refused a program
};

struct BpfStats {
  uint64_t events = 0;
  uint64_t lost = 0;
  uint64_t dedup_hits = 0;
  uint64_t tasks_full = 0;
  uint64_t cap_noise = 0;
};

class BpfRecorder {
 public:
  using EventHandler = std::function<void(const armorer_event& event, size_t size)>;

  // Throws Fatal when this process cannot record at all (not root, no BTF), naming the cause
  // and the alternative; cheap, so callers check before they write anything.
  static void check_environment();

  // Opens, configures, loads and attaches the programs. Throws Fatal naming the cause (not
  // root, BPF refused, no BTF, tracepoint missing) and the alternative (--audit-log).
  // Each hook takes the first attach path of recorder_hooks() that the kernel offers and
  // accepts; a hook left without one is named in setup().plan and costs only its kinds of fact.
  static std::unique_ptr<BpfRecorder> start(const BpfRecorderOptions& options, EventHandler handler);
  ~BpfRecorder();

  const RecorderSetup& setup() const;

  // Loads each program `plan` uses on its own and measures its verification: the bench's
  // per-program table. The first entry, with an empty program name, is the maps and BTF alone,
  // which every load pays for. Nothing is attached.
  static std::vector<ProgramLoadCost> measure_program_loads(const AttachPlan& plan);

  // Follow this process (and, through fork, its future children). With await_exec, nothing
  // it does is recorded before its next exec (a child armorer forked for the command).
  void follow(pid_t tgid, bool await_exec = false);
  // The consumer is woken at once when this process (the target's root) ends; other exits
  // are found at the next wake-up or poll timeout, so they cost the workload no interrupt.
  void wake_on_exit(pid_t tgid);
  // Waits up to timeout_ms for events and dispatches them; returns the number handled.
  int poll(int timeout_ms);
  // Drains what is already in the ring buffer without waiting.
  int drain();
  // Bytes written to the ring buffer and not yet read (0 if its positions cannot be mapped),
  // and the buffer's size.
  uint64_t backlog_bytes() const;
  uint64_t ring_bytes() const;
  // Hands the handler one EV_SYSCALL event for each system call a followed process is inside
  // of and has not been reported for: calls are reported when they return, so one a daemon
  // sits in when the recording stops (epoll_wait, pause, accept) is found here. Returns how
  // many were reported.
  int report_syscalls_in_progress();
  // True while any followed process is alive (pids mode) — the in-kernel task map is the truth.
  bool has_tasks() const;
  BpfStats stats() const;

  BpfRecorder(const BpfRecorder&) = delete;
  BpfRecorder& operator=(const BpfRecorder&) = delete;

 private:
  BpfRecorder() = default;
  std::vector<uint32_t> followed_tgids() const;  // the task map's keys
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace armorer
