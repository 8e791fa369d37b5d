#include "recorder/learn_session.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>

#include "core/error.h"
#include "recorder/container_resolver.h"
#include "recorder/gated_child.h"
#include "recorder/process_tree.h"
#include "recorder/thread_priority.h"

namespace armorer {

namespace {

std::atomic<int> g_stop_signal{0};

void on_stop_signal(int signo) { g_stop_signal.store(signo); }

// Installs SIGINT/SIGTERM handlers for the session and restores the old ones afterwards.
class StopSignals {
 public:
  StopSignals() {
    g_stop_signal.store(0);
    struct sigaction action{};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &old_int_);
    sigaction(SIGTERM, &action, &old_term_);
  }
  ~StopSignals() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }
  int received() const { return g_stop_signal.load(); }

 private:
  struct sigaction old_int_{}, old_term_{};
};

int64_t clock_ms(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

constexpr long kCgroup2Magic = 0x63677270;

uint64_t cgroup_id_of(const std::string& dir) {
  struct statfs fs{};
  if (statfs(dir.c_str(), &fs) != 0)
    throw Fatal("cgroup '" + dir + "': " + std::strerror(errno));
  if (fs.f_type != kCgroup2Magic)
    throw Fatal("'" + dir + "' is not a cgroup v2 directory (on hybrid hosts cgroup2 is "
                "mounted at /sys/fs/cgroup/unified)");
  struct stat st{};
  if (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    throw Fatal("cgroup '" + dir + "' is not a directory");
  return st.st_ino;
}

class StatusLine {
 public:
  explicit StatusLine(bool enabled) : enabled_(enabled) {}
  ~StatusLine() {
    if (drawn_) std::fputs("\r\033[K", stderr);
  }
  void draw(int64_t elapsed_ms, const DecoderCounters& counters, const BpfStats& stats) {
    if (!enabled_) return;
    std::fprintf(stderr, "\r\033[K[armorer] %.1fs  events %llu  files %zu  processes %llu  lost %llu",
                 elapsed_ms / 1000.0, static_cast<unsigned long long>(counters.events),
                 counters.files.size(), static_cast<unsigned long long>(counters.processes),
                 static_cast<unsigned long long>(stats.lost));
    drawn_ = true;
  }

 private:
  bool enabled_;
  bool drawn_ = false;
};

}  // namespace

int64_t unix_time_ms() { return clock_ms(CLOCK_REALTIME); }

std::string LearnTarget::describe() const {
  switch (kind) {
    case Kind::command: {
      std::string text = "command:";
      for (const auto& arg : command) text += " " + arg;
      return text;
    }
    case Kind::pid: return "pid: " + std::to_string(pid);
    case Kind::cgroup: return "cgroup: " + cgroup_dir;
    case Kind::container: return "container: " + container;
  }
  return "unknown";
}

LearnResult run_learn_session(const LearnOptions& options, const BatchSink& sink) {
  const LearnTarget& target = options.target;
  BpfRecorderOptions bpf;
  bpf.ring_buffer_bytes = options.ring_buffer_bytes;
  bpf.max_processes = options.max_processes;
  bpf.dedup_entries = options.dedup_entries;
  std::unique_ptr<GatedChild> child;
  std::vector<pid_t> seed_pids;
  std::string cgroup_procs;
  std::string target_root = "/";  // where the target's files are, for the decoder
  switch (target.kind) {
    case LearnTarget::Kind::command:
      child = std::make_unique<GatedChild>(target.command);  // checks the command exists first
      break;
    case LearnTarget::Kind::pid:
      seed_pids = process_and_descendants(target.pid);  // throws if the pid does not exist
      break;
    case LearnTarget::Kind::cgroup:
      bpf.target.mode = BpfTarget::Mode::cgroup;
      bpf.target.cgroup_id = cgroup_id_of(target.cgroup_dir);
      cgroup_procs = target.cgroup_dir + "/cgroup.procs";
      break;
    case LearnTarget::Kind::container: {
      // The container's cgroup, but only from each process's exec on: the runtime's own init
      // (runc opening /proc/self/fd, ...) runs in the cgroup before the entrypoint's exec.
      ContainerInfo container = resolve_container(target.container);
      bpf.target.mode = BpfTarget::Mode::cgroup;
      bpf.target.cgroup_id = cgroup_id_of(container.cgroup_dir);
      bpf.target.require_exec = true;
      cgroup_procs = container.cgroup_dir + "/cgroup.procs";
      seed_pids = workload_processes(cgroup_procs);  // a running container's processes
      target_root = "/proc/" + std::to_string(container.init_pid) + "/root";
      break;
    }
  }

  LearnResult result;
  result.started_ms = unix_time_ms();
  EventDecoder decoder(result.started_ms - clock_ms(CLOCK_BOOTTIME), target_root);
  std::unique_ptr<BpfRecorder> recorder;
  int64_t last_flush = clock_ms(CLOCK_MONOTONIC);
  auto flush = [&] {
    BpfStats stats = recorder->stats();
    sink(decoder.take_batch(), stats);
    last_flush = clock_ms(CLOCK_MONOTONIC);
    return stats;
  };
  // One poll reads everything waiting, and a burst can keep it reading: the batch is written
  // from inside the read once it is full, so memory stays bounded whatever the event rate.
  constexpr size_t kMaxPending = 4096;
  // This thread reads the ring buffer at the lowest CPU priority while the buffer is less than a
  // quarter full, so that on a busy machine it reads when a CPU is free rather than taking one
  // from the workload; past a quarter it runs at normal priority until the backlog is below a
  // sixteenth (file-heavy workload on 2 CPUs: 0.740 -> 0.718 s, docs/performance.md).
  ThreadPriority consumer(gettid());
  auto pace = [&] {
    const uint64_t backlog = recorder->backlog_bytes(), ring = recorder->ring_bytes();
    if (backlog > ring / 4) consumer.set_low(false);
    else if (backlog < ring / 16) consumer.set_low(true);
  };
  recorder = BpfRecorder::start(bpf, [&](const armorer_event& event, size_t size) {
    decoder.handle(event, size);
    if (decoder.pending() >= kMaxPending) {
      flush();
      pace();
    }
  });
  result.setup = recorder->setup();
  for (pid_t pid : seed_pids) recorder->follow(pid);
  if (target.kind == LearnTarget::Kind::pid) recorder->wake_on_exit(target.pid);

  StopSignals signals;
  // A container's runtime init is in its cgroup before `runc start`: seen now, its end is the
  // container's even when the whole container runs before the first liveness check.
  bool saw_cgroup_member = !cgroup_procs.empty() && cgroup_has_processes(cgroup_procs);
  if (!options.ready_file.empty()) {
    std::ofstream ready(options.ready_file);
    ready << getpid() << "\n";
    if (!ready) throw Fatal("cannot write the ready file '" + options.ready_file + "'");
  }
  if (child) {
    recorder->follow(child->pid(), /*await_exec=*/true);
    recorder->wake_on_exit(child->pid());
    child->release();
  }

  StatusLine status(options.live_status);
  last_flush = clock_ms(CLOCK_MONOTONIC);
  const int64_t start = last_flush;

  auto target_alive = [&] {
    if (child) {
      child->poll_exit();
      return recorder->has_tasks();
    }
    if (target.kind == LearnTarget::Kind::pid) return recorder->has_tasks();
    bool members = cgroup_has_processes(cgroup_procs);
    // A member that came and went between two checks was still seen: its events arrived.
    saw_cgroup_member |= members || decoder.counters().processes > 0;
    return members || !saw_cgroup_member;
  };
  // Asking whether the target lives walks every bucket of the in-kernel task map (or reads
  // cgroup.procs); done after every wake-up it was the recorder's largest user-space cost on
  // busy workloads (docs/performance.md). So it is asked when idle, soon after a process
  // exit, and otherwise every kLivenessCheckMs.
  constexpr int64_t kExitCheckMs = 10, kLivenessCheckMs = 50;
  int64_t last_liveness_check = start;
  uint64_t exits_checked = 0;
  while (true) {
    pace();
    int handled = recorder->poll(100);
    int64_t now = clock_ms(CLOCK_MONOTONIC);
    if (int signo = signals.received()) {
      result.interrupted = true;
      if (child) child->signal(signo);
      break;
    }
    if (options.duration_seconds > 0 && now - start >= options.duration_seconds * 1000) break;
    int64_t since_check = now - last_liveness_check;
    bool new_exits = decoder.counters().exits != exits_checked;
    if (handled == 0 || since_check >= kLivenessCheckMs || (new_exits && since_check >= kExitCheckMs)) {
      last_liveness_check = now;
      exits_checked = decoder.counters().exits;
      if (!target_alive()) break;
    }
    if (now - last_flush >= options.flush_interval_ms) {
      BpfStats stats = flush();
      status.draw(now - start, decoder.counters(), stats);
    }
  }
  consumer.set_low(false);  // what is left is read at once: the recording is ending
  recorder->drain();
  recorder->report_syscalls_in_progress();
  result.kernel = flush();
  if (child) {
    // Stopped by a signal: the command got it too; one that ignores it is killed after a
    // grace period rather than left running unrecorded.
    for (int waited = 0; result.interrupted && !child->poll_exit() && waited < 50; ++waited)
      usleep(100 * 1000);
    if (result.interrupted && !child->poll_exit()) child->signal(SIGKILL);
    result.exit_status = child->wait_exit();
  }
  result.counters = decoder.counters();
  result.ended_ms = unix_time_ms();
  return result;
}

}  // namespace armorer
