// How each kind of fact is recorded on this kernel: the recorder's hooks, the attach paths each
// can take in order of preference, how to tell from the kernel which of them exist, and what is
// lost when a hook has none. `learn`, the run record and `armorer doctor` all read this.
#pragma once

#include <string>
#include <string_view>
#include <vector>

struct btf;

namespace armorer {

enum class AttachPath { tp_btf, fexit, kprobe, none };

std::string_view attach_path_name(AttachPath path);

struct HookCandidate {
  AttachPath path;
  std::string program;  // the BPF program's name (recorder/bpf/*.bpf.c)
  std::string helper;   // a BPF helper it calls that not every kernel has ("find_vma"), or ""
};

struct Hook {
  std::string name;                // the tracepoint or kernel function: "cap_capable"
  std::string gives;               // what it records, for people: "capability checks"
  std::vector<std::string> kinds;  // the observation kinds only it records: "capability"
  bool required = false;           // without it no process can be followed
  std::vector<HookCandidate> candidates;
};

// The recorder's hooks, in a fixed order.
const std::vector<Hook>& recorder_hooks();

// What the kernel offers, read once (BTF, the kprobe PMU); a seam for tests.
struct KernelOffer {
  virtual ~KernelOffer() = default;
  virtual bool has_btf_tracepoint(const std::string& name) const = 0;  // tp_btf/NAME
  virtual bool has_btf_function(const std::string& name) const = 0;    // fexit/NAME
  virtual bool has_kprobes() const = 0;                                // kprobe/NAME
  virtual bool has_helper(const std::string& name) const = 0;          // bpf_NAME()
};

// This host's kernel: /sys/kernel/btf/vmlinux and /sys/bus/event_source/devices/kprobe.
class RunningKernel : public KernelOffer {
 public:
  RunningKernel();
  ~RunningKernel() override;
  bool has_btf_tracepoint(const std::string& name) const override;
  bool has_btf_function(const std::string& name) const override;
  bool has_kprobes() const override;
  bool has_helper(const std::string& name) const override;

 private:
  ::btf* btf_ = nullptr;
};

struct HookChoice {
  const Hook* hook = nullptr;
  size_t candidate = 0;               // index into hook->candidates; == size() means none
  std::vector<std::string> problems;  // per candidate: why it cannot be used, "" if it seems usable
  std::vector<std::string> rejected;  // candidates passed over: "tp_btf: the kernel has no ..."

  AttachPath path() const;
  const std::string* program() const;  // nullptr when none
};

class AttachPlan {
 public:
  // Picks for each hook the first candidate the kernel seems to offer; `disabled` lists hooks
  // ("cap_capable") or single paths ("cap_capable:tp_btf") not to use (ARMORER_DISABLE_HOOKS).
  static AttachPlan choose(const KernelOffer& kernel, const std::vector<std::string>& disabled);
  // The hooks and paths named in ARMORER_DISABLE_HOOKS (comma-separated); throws Fatal on an
  // unknown name, so that a typo does not silently record everything.
  static std::vector<std::string> disabled_from_environment();

  const std::vector<HookChoice>& choices() const { return choices_; }
  // Whether `program` is the chosen candidate of its hook (so it is loaded and attached).
  bool uses(const std::string& program) const;
  // The program failed to load or attach: its hook moves on to the next candidate. Returns
  // false when `program` is not a chosen candidate (the failure is then not the plan's to fix).
  bool reject(const std::string& program, const std::string& why);
  // Every required hook has a path.
  bool can_follow_processes() const;
  // Observation kinds no chosen path records ("capability"), sorted.
  std::vector<std::string> missing_kinds() const;
  // "exec=tp_btf file=tp_btf network=tp_btf syscall=tp_btf capability=fexit": each kind of fact
  // and the path that records it ("none" when nothing does), in a fixed order.
  std::string describe() const;

 private:
  std::vector<HookChoice> choices_;
};

}  // namespace armorer
