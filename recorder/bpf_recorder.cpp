#include "recorder/bpf_recorder.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <signal.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "armorer_bpf.skel.h"
#include "bpf/events.h"
#include "core/error.h"
#include "recorder/kernel_symbols.h"
#include "recorder/process_tree.h"

namespace armorer {

namespace {

// libbpf's own messages are kept, not printed: on failure the last one explains the cause.
std::string g_last_libbpf_message;

// ARMORER_BPF_LOG=1 passes libbpf's whole log, verifier output included, to stderr: what a bug
// report about a refused program needs.
int keep_libbpf_message(enum libbpf_print_level level, const char* format, va_list args) {
  static const bool pass_through = std::getenv("ARMORER_BPF_LOG") != nullptr;
  if (pass_through) {
    va_list copy;
    va_copy(copy, args);
    std::vfprintf(stderr, format, copy);
    va_end(copy);
  }
  if (level == LIBBPF_DEBUG) return 0;
  char buffer[1024];
  int n = vsnprintf(buffer, sizeof(buffer), format, args);
  std::string message(buffer, n > 0 ? std::min<size_t>(n, sizeof(buffer) - 1) : 0);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  if (!message.empty()) g_last_libbpf_message = message;
  return 0;
}

constexpr const char* kAlternative =
    "; without eBPF, learn from AppArmor complain-mode logs with `armorer learn --audit-log FILE`";

[[noreturn]] void fail(const std::string& what, int error) {
  std::string message = what + ": " + std::strerror(error);
  if (error == EPERM || error == EACCES)
    message += " (the kernel refused BPF: run as root with CAP_BPF/CAP_PERFMON, and check "
               "kernel.unprivileged_bpf_disabled and lockdown)";
  if (!g_last_libbpf_message.empty()) message += " [libbpf: " + g_last_libbpf_message + "]";
  throw Fatal(message + kAlternative);
}

struct SkeletonDeleter {
  void operator()(armorer_bpf* skel) const { armorer_bpf__destroy(skel); }
};
struct RingBufferDeleter {
  void operator()(ring_buffer* rb) const { ring_buffer__free(rb); }
};

// A read-only view of one page of the ring buffer map: page 0 holds the consumer position,
// page 1 the producer position (the kernel's BPF ring buffer layout).
class RingPositionPage {
 public:
  RingPositionPage(int map_fd, int page) {
    const long size = sysconf(_SC_PAGESIZE);
    void* at = mmap(nullptr, static_cast<size_t>(size), PROT_READ, MAP_SHARED, map_fd, page * size);
    if (at != MAP_FAILED) {
      base_ = at;
      size_ = static_cast<size_t>(size);
    }
  }
  ~RingPositionPage() {
    if (base_) munmap(base_, size_);
  }
  RingPositionPage(const RingPositionPage&) = delete;
  RingPositionPage& operator=(const RingPositionPage&) = delete;
  uint64_t position() const {
    return base_ ? std::atomic_ref(*static_cast<uint64_t*>(base_)).load(std::memory_order_acquire) : 0;
  }

 private:
  void* base_ = nullptr;
  size_t size_ = 0;
};

void set_capability_ranges(armorer_bpf* skel) {
  // cap_capable() returns into security_capable() when AppArmor is asked; *_noaudit callers
  // are checks AppArmor never logs. Without kallsyms every check counts (the analyzer then
  // sees more capabilities than AppArmor would ask for, never fewer).
  auto ranges = kernel_function_ranges({"security_capable", "ns_capable_noaudit",
                                        "has_ns_capability_noaudit", "has_capability_noaudit",
                                        "file_ns_capable", "security_vm_enough_memory_mm",
                                        "cap_vm_enough_memory"});
  auto lsm = ranges.find("security_capable");
  if (lsm == ranges.end()) return;
  skel->rodata->cap_lsm_lo = lsm->second.begin;
  skel->rodata->cap_lsm_hi = lsm->second.end;
  int slot = 0;
  for (const char* name : {"ns_capable_noaudit", "has_ns_capability_noaudit", "has_capability_noaudit"}) {
    auto it = ranges.find(name);
    if (it == ranges.end() || slot >= 4) continue;
    skel->rodata->cap_noaudit_lo[slot] = it->second.begin;
    skel->rodata->cap_noaudit_hi[slot] = it->second.end;
    ++slot;
  }
  slot = 0;
  for (const char* name : {"security_vm_enough_memory_mm", "cap_vm_enough_memory"}) {
    auto it = ranges.find(name);
    if (it == ranges.end()) continue;
    skel->rodata->cap_vmem_lo[slot] = it->second.begin;
    skel->rodata->cap_vmem_hi[slot] = it->second.end;
    ++slot;
  }
}

}  // namespace

struct BpfRecorder::Impl {
  std::unique_ptr<armorer_bpf, SkeletonDeleter> skel;
  std::unique_ptr<ring_buffer, RingBufferDeleter> ring;
  EventHandler handler;
  std::unique_ptr<RingPositionPage> consumer_page, producer_page;
  int tasks_fd = -1;
  int stats_fd = -1;
};

void BpfRecorder::check_environment() {
  if (geteuid() != 0)
    throw Fatal(std::string("recording with eBPF needs root (CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN)") +
                kAlternative);
  if (!std::filesystem::exists("/sys/kernel/btf/vmlinux"))
    throw Fatal(std::string("this kernel has no BTF (/sys/kernel/btf/vmlinux is missing); "
                            "armorer's CO-RE recorder needs CONFIG_DEBUG_INFO_BTF=y") + kAlternative);
}

std::unique_ptr<BpfRecorder> BpfRecorder::start(const BpfRecorderOptions& options, EventHandler handler) {
  libbpf_set_print(keep_libbpf_message);
  check_environment();

  std::unique_ptr<BpfRecorder> recorder(new BpfRecorder());
  auto impl = std::make_unique<Impl>();
  impl->handler = std::move(handler);
  impl->skel.reset(armorer_bpf__open());
  if (!impl->skel) fail("cannot open the BPF programs", errno);
  armorer_bpf* skel = impl->skel.get();

  skel->rodata->self_tgid = static_cast<uint32_t>(getpid());
  skel->rodata->target_mode =
      options.target.mode == BpfTarget::Mode::cgroup ? TARGET_CGROUP : TARGET_PIDS;
  skel->rodata->target_cgroup = options.target.cgroup_id;
  skel->rodata->require_exec = options.target.require_exec ? 1 : 0;
  set_capability_ranges(skel);
  // A wake-up per 1/64 of the buffer: few interrupts, and a woken consumer still has almost the
  // whole buffer ahead of it; the poll timeout bounds how long a trickle of events waits.
  skel->rodata->wakeup_bytes = std::clamp<uint64_t>(options.ring_buffer_bytes / 64, 4096, 256 << 10);
  if (int err = bpf_map__set_max_entries(skel->maps.events, options.ring_buffer_bytes))
    fail("cannot size the ring buffer", -err);
  if (int err = bpf_map__set_max_entries(skel->maps.seen, options.dedup_entries))
    fail("cannot size the de-duplication map", -err);
  if (int err = bpf_map__set_max_entries(skel->maps.seen_fd, std::max(options.dedup_entries / 4, 1024u)))
    fail("cannot size the de-duplication map", -err);
  if (int err = bpf_map__set_max_entries(skel->maps.tasks, options.max_processes))
    fail("cannot size the task map", -err);

  if (int err = armorer_bpf__load(skel)) fail("cannot load the BPF programs", -err);
  if (int err = armorer_bpf__attach(skel))
    fail("cannot attach to the kernel tracepoints (sched_process_*, sys_exit, cap_capable)", -err);

  impl->ring.reset(ring_buffer__new(
      bpf_map__fd(skel->maps.events),
      [](void* ctx, void* data, size_t size) -> int {
        auto* self = static_cast<Impl*>(ctx);
        if (size >= offsetof(armorer_event, data))
          self->handler(*static_cast<const armorer_event*>(data), size);
        return 0;
      },
      impl.get(), nullptr));
  if (!impl->ring) fail("cannot open the ring buffer", errno);
  impl->consumer_page = std::make_unique<RingPositionPage>(bpf_map__fd(skel->maps.events), 0);
  impl->producer_page = std::make_unique<RingPositionPage>(bpf_map__fd(skel->maps.events), 1);
  impl->tasks_fd = bpf_map__fd(skel->maps.tasks);
  impl->stats_fd = bpf_map__fd(skel->maps.stats);
  recorder->impl_ = std::move(impl);
  return recorder;
}

BpfRecorder::~BpfRecorder() = default;

void BpfRecorder::follow(pid_t tgid, bool await_exec) {
  armorer_task fresh{};
  fresh.flags = await_exec ? TASK_AWAIT_EXEC : 0;
  uint32_t key = static_cast<uint32_t>(tgid);
  if (bpf_map_update_elem(impl_->tasks_fd, &key, &fresh, BPF_ANY))
    throw Fatal("cannot follow process " + std::to_string(tgid) + ": " + std::strerror(errno));
}

void BpfRecorder::wake_on_exit(pid_t tgid) {
  impl_->skel->bss->wake_on_exit_of = static_cast<uint32_t>(tgid);
}

int BpfRecorder::poll(int timeout_ms) {
  int n = ring_buffer__poll(impl_->ring.get(), timeout_ms);
  // Events below the wake-up mark wake no one: a timeout is when they are read.
  if (n == 0) n = ring_buffer__consume(impl_->ring.get());
  return n < 0 && n != -EINTR ? 0 : std::max(n, 0);
}

int BpfRecorder::drain() {
  int n = ring_buffer__consume(impl_->ring.get());
  return std::max(n, 0);
}

uint64_t BpfRecorder::backlog_bytes() const {
  return impl_->producer_page->position() - impl_->consumer_page->position();
}

uint64_t BpfRecorder::ring_bytes() const { return bpf_map__max_entries(impl_->skel->maps.events); }

std::vector<uint32_t> BpfRecorder::followed_tgids() const {
  std::vector<uint32_t> keys;
  uint32_t key = 0, next = 0;
  const uint32_t* previous = nullptr;
  while (bpf_map_get_next_key(impl_->tasks_fd, previous, &next) == 0) {
    keys.push_back(next);
    key = next;
    previous = &key;
  }
  return keys;
}

bool BpfRecorder::has_tasks() const {
  // A seeded process may have exited before it was put in the map; its exit never removes
  // it, so entries of processes that no longer exist are dropped here.
  bool any = false;
  for (uint32_t pid : followed_tgids()) {
    if (kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH)
      bpf_map_delete_elem(impl_->tasks_fd, &pid);
    else
      any = true;
  }
  return any;
}

int BpfRecorder::report_syscalls_in_progress() {
  int reported = 0;
  timespec now{};
  clock_gettime(CLOCK_BOOTTIME, &now);
  const uint64_t now_ns =
      static_cast<uint64_t>(now.tv_sec) * 1000000000u + static_cast<uint64_t>(now.tv_nsec);
  for (uint32_t key : followed_tgids()) {
    armorer_task task{};
    // A process never seen making a call has no subject yet: nothing to report it under.
    if (bpf_map_lookup_elem(impl_->tasks_fd, &key, &task) || !task.subject ||
        (task.flags & TASK_AWAIT_EXEC))
      continue;
    for (long nr : syscalls_in_progress(static_cast<pid_t>(key))) {
      if (nr >= 512 || (task.syscalls[nr >> 6] >> (nr & 63) & 1)) continue;
      armorer_event event{};
      event.type = EV_SYSCALL;
      event.pid = key;
      event.subject = task.subject;
      event.ts_ns = now_ns;
      event.a = static_cast<uint32_t>(nr);
      impl_->handler(event, offsetof(armorer_event, data));
      ++reported;
    }
  }
  return reported;
}

BpfStats BpfRecorder::stats() const {
  int cpus = libbpf_num_possible_cpus();
  std::vector<uint64_t> values(cpus > 0 ? cpus : 1);
  auto sum = [&](uint32_t which) {
    uint64_t total = 0;
    if (bpf_map_lookup_elem(impl_->stats_fd, &which, values.data()) == 0)
      for (uint64_t v : values) total += v;
    return total;
  };
  return {sum(STAT_EVENTS), sum(STAT_LOST), sum(STAT_DEDUP_HITS), sum(STAT_TASKS_FULL),
          sum(STAT_CAP_NOISE)};
}

}  // namespace armorer
