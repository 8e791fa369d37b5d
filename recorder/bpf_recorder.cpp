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
#include "recorder/libbpf_log.h"
#include "recorder/process_tree.h"

namespace armorer {

namespace {

constexpr const char* kAlternative =
    "; without eBPF, learn from AppArmor complain-mode logs with `armorer learn --audit-log FILE`";

[[noreturn]] void fail(const std::string& what, int error) {
  std::string message = what + ": " + std::strerror(error);
  if (error == EPERM || error == EACCES)
    message += " (the kernel refused BPF: run as root with CAP_BPF/CAP_PERFMON, and check "
               "kernel.unprivileged_bpf_disabled and lockdown)";
  std::string last = libbpf_log::last_message();
  if (!last.empty()) message += " [libbpf: " + last + "]";
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

struct LinkDeleter {
  void operator()(bpf_link* link) const { bpf_link__destroy(link); }
};

// The kernel's own count of instructions it verified for a loaded program: bpf_prog_info from
// 5.16 on, else the "processed N insns" line of a statistics log (BPF_LOG_STATS).
uint64_t verified_insns(const bpf_program* program, const std::vector<char>& stats_log) {
  bpf_prog_info info{};
  uint32_t size = sizeof(info);
  if (bpf_obj_get_info_by_fd(bpf_program__fd(program), &info, &size) == 0 && info.verified_insns)
    return info.verified_insns;
  const char* found = stats_log.empty() ? nullptr : std::strstr(stats_log.data(), "processed ");
  return found ? std::strtoull(found + 10, nullptr, 10) : 0;
}

double seconds_since(const timespec& start) {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<double>(now.tv_sec - start.tv_sec) + static_cast<double>(now.tv_nsec - start.tv_nsec) / 1e9;
}

}  // namespace

struct BpfRecorder::Impl {
  std::unique_ptr<armorer_bpf, SkeletonDeleter> skel;
  std::vector<std::unique_ptr<bpf_link, LinkDeleter>> links;  // destroyed before skel
  std::unique_ptr<ring_buffer, RingBufferDeleter> ring;
  EventHandler handler;
  std::unique_ptr<RingPositionPage> consumer_page, producer_page;
  int tasks_fd = -1;
  int stats_fd = -1;
  RecorderSetup setup;
};

void BpfRecorder::check_environment() {
  AttachPlan::disabled_from_environment();  // a typo there fails before anything is written
  if (geteuid() != 0)
    throw Fatal(std::string("recording with eBPF needs root (CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN)") +
                kAlternative);
  if (!std::filesystem::exists("/sys/kernel/btf/vmlinux"))
    throw Fatal(std::string("this kernel has no BTF (/sys/kernel/btf/vmlinux is missing); "
                            "armorer's CO-RE recorder needs CONFIG_DEBUG_INFO_BTF=y") + kAlternative);
}

namespace {

// Opens the programs and sets what must be set before load: the target, the sizes, and which
// programs the plan uses (the others are not loaded at all: a hook the kernel lacks must not
// stop the rest); with `only`, just that one of them ("" for none: the maps alone). With
// stats_logs, each loaded program gets a statistics log to read its verified-instruction count
// from on kernels that do not report it.
armorer_bpf* open_programs(const BpfRecorderOptions& options, const AttachPlan& plan,
                           std::vector<std::vector<char>>* stats_logs, const std::string* only = nullptr) {
  armorer_bpf* skel = armorer_bpf__open();
  if (!skel) fail("cannot open the BPF programs", errno);
  std::unique_ptr<armorer_bpf, SkeletonDeleter> guard(skel);
  skel->rodata->self_tgid = static_cast<uint32_t>(getpid());
  skel->rodata->target_mode =
      options.target.mode == BpfTarget::Mode::cgroup ? TARGET_CGROUP : TARGET_PIDS;
  skel->rodata->target_cgroup = options.target.cgroup_id;
  skel->rodata->require_exec = options.target.require_exec ? 1 : 0;
  if (plan.uses("on_capable")) set_capability_ranges(skel);
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
  bpf_program* program;
  size_t index = 0;
  bpf_object__for_each_program(program, skel->obj) {
    bool used = plan.uses(bpf_program__name(program)) && (!only || *only == bpf_program__name(program));
    bpf_program__set_autoload(program, used);
    if (used && stats_logs) {
      stats_logs->resize(index + 1);
      (*stats_logs)[index].assign(64 << 10, '\0');
      bpf_program__set_log_buf(program, (*stats_logs)[index].data(), (*stats_logs)[index].size());
      bpf_program__set_log_level(program, 4 /* BPF_LOG_STATS */);
    }
    ++index;
  }
  return guard.release();
}

std::string plan_failure(const AttachPlan& plan) {
  std::string why;
  for (const HookChoice& choice : plan.choices()) {
    if (!choice.hook->required || choice.path() != AttachPath::none) continue;
    why += (why.empty() ? "" : "; ") + choice.hook->name + " (" + choice.hook->gives + "): ";
    for (size_t i = 0; i < choice.rejected.size(); ++i) why += (i ? ", " : "") + choice.rejected[i];
  }
  return "this kernel offers no way to follow processes: " + why;
}

}  // namespace

std::unique_ptr<BpfRecorder> BpfRecorder::start(const BpfRecorderOptions& options, EventHandler handler) {
  libbpf_log::capture();
  check_environment();

  std::unique_ptr<BpfRecorder> recorder(new BpfRecorder());
  auto impl = std::make_unique<Impl>();
  impl->handler = std::move(handler);
  AttachPlan plan = AttachPlan::choose(RunningKernel(), AttachPlan::disabled_from_environment());
  // Each attempt loads what the plan uses; a program the kernel refuses moves its hook to the
  // next attach path (or to none), and the programs are opened and loaded again. Every refusal
  // moves one hook one step, so this ends.
  for (int attempt = 1;; ++attempt) {
    if (!plan.can_follow_processes()) throw Fatal(plan_failure(plan) + kAlternative);
    libbpf_log::clear();
    impl->links.clear();
    impl->skel.reset();
    std::vector<std::vector<char>> stats_logs;
    timespec started{};
    clock_gettime(CLOCK_MONOTONIC, &started);
    impl->skel.reset(open_programs(options, plan, options.verifier_stats ? &stats_logs : nullptr));
    armorer_bpf* skel = impl->skel.get();
    if (int err = armorer_bpf__load(skel)) {
      auto [program, why] = libbpf_log::refused_program();
      if (!program.empty() && plan.reject(program, "refused at load: " + (why.empty() ? std::strerror(-err) : why)))
        continue;
      fail("cannot load the BPF programs", -err);
    }
    double load_seconds = seconds_since(started);
    bool refused = false;
    bpf_program* program;
    std::vector<ProgramLoad> loads;
    size_t index = 0;
    bpf_object__for_each_program(program, skel->obj) {
      size_t at = index++;
      if (!bpf_program__autoload(program)) continue;
      const std::string name = bpf_program__name(program);
      bpf_link* link = bpf_program__attach(program);
      if (!link) {
        int err = errno;
        if (plan.reject(name, std::string("refused at attach: ") + std::strerror(err))) {
          refused = true;
          break;
        }
        fail("cannot attach " + name, err);
      }
      impl->links.emplace_back(link);
      loads.push_back({name, verified_insns(program, at < stats_logs.size() ? stats_logs[at] : std::vector<char>())});
    }
    if (refused) continue;
    impl->setup = {plan, std::move(loads), load_seconds, attempt};
    break;
  }
  armorer_bpf* skel = impl->skel.get();

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

const RecorderSetup& BpfRecorder::setup() const { return impl_->setup; }

std::vector<ProgramLoadCost> BpfRecorder::measure_program_loads(const AttachPlan& plan) {
  libbpf_log::capture();
  check_environment();
  BpfRecorderOptions options;
  options.ring_buffer_bytes = 1u << 20;  // the maps' sizes do not change what is verified
  options.max_processes = 1024;
  options.dedup_entries = 4096;
  std::vector<ProgramLoadCost> costs;
  // First the maps alone, with no program: what every load pays for BTF and maps (the row with
  // an empty program name).
  const std::string none;
  std::vector<std::pair<const HookChoice*, const std::string*>> loads = {{nullptr, &none}};
  for (const HookChoice& choice : plan.choices())
    if (choice.program()) loads.emplace_back(&choice, choice.program());
  for (const auto& [choice, program] : loads) {
    libbpf_log::clear();
    std::vector<std::vector<char>> stats_logs;
    timespec started{};
    clock_gettime(CLOCK_MONOTONIC, &started);
    std::unique_ptr<armorer_bpf, SkeletonDeleter> skel(
        open_programs(options, plan, &stats_logs, program));
    int err = armorer_bpf__load(skel.get());
    ProgramLoadCost cost{*program, choice ? choice->hook->name : "",
                         choice ? std::string(attach_path_name(choice->path())) : "", 0,
                         seconds_since(started), err == 0, err ? libbpf_log::refused_program().second : ""};
    size_t index = 0;
    bpf_program* loaded;
    bpf_object__for_each_program(loaded, skel->obj) {
      if (err == 0 && *program == bpf_program__name(loaded))
        cost.verified_insns = verified_insns(loaded, index < stats_logs.size() ? stats_logs[index] : std::vector<char>());
      ++index;
    }
    costs.push_back(std::move(cost));
  }
  return costs;
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
