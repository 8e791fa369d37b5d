#include "recorder/attach_plan.h"

#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <set>
#include <sstream>

#include "core/error.h"

namespace armorer {

std::string_view attach_path_name(AttachPath path) {
  switch (path) {
    case AttachPath::tp_btf: return "tp_btf";
    case AttachPath::fexit: return "fexit";
    case AttachPath::kprobe: return "kprobe";
    case AttachPath::none: break;
  }
  return "none";
}

// The BTF tracepoints below exist on every kernel with BTF and a BPF ring buffer (5.8+). The
// cap_capable tracepoint is young (not in 6.12, in 6.18); without it, cap_capable() itself is
// hooked, by fexit where the kernel has BPF trampolines (most distribution kernels) or by a
// kprobe.
const std::vector<Hook>& recorder_hooks() {
  static const std::vector<Hook> hooks = {
      {"sched_process_fork", "new processes (who is followed)", {}, true,
       {{AttachPath::tp_btf, "on_fork"}}},
      {"sched_process_exec", "program executions", {"exec"}, true,
       {{AttachPath::tp_btf, "on_exec", "find_vma"},
        {AttachPath::tp_btf, "on_exec_vma_list"}}},
      {"sched_process_exit", "process exits", {}, true,
       {{AttachPath::tp_btf, "on_exit"}}},
      {"sys_exit", "file accesses, sockets and system calls", {"file", "network", "syscall"}, false,
       {{AttachPath::tp_btf, "on_sys_exit"}}},
      {"cap_capable", "capability checks", {"capability"}, false,
       {{AttachPath::tp_btf, "on_capable"},
        {AttachPath::fexit, "on_capable_fexit"},
        {AttachPath::kprobe, "on_capable_kprobe"}}},
  };
  return hooks;
}

RunningKernel::RunningKernel() {
  btf_ = btf__load_vmlinux_btf();
  if (libbpf_get_error(btf_)) btf_ = nullptr;
}

RunningKernel::~RunningKernel() { btf__free(btf_); }

bool RunningKernel::has_btf_tracepoint(const std::string& name) const {
  return btf_ && btf__find_by_name_kind(btf_, ("btf_trace_" + name).c_str(), BTF_KIND_TYPEDEF) >= 0;
}

bool RunningKernel::has_btf_function(const std::string& name) const {
  return btf_ && btf__find_by_name_kind(btf_, name.c_str(), BTF_KIND_FUNC) >= 0;
}

bool RunningKernel::has_helper(const std::string& name) const {
  if (!btf_) return false;
  int id = btf__find_by_name_kind(btf_, "bpf_func_id", BTF_KIND_ENUM);
  if (id < 0) return false;
  const btf_type* type = btf__type_by_id(btf_, id);
  const struct btf_enum* values = btf_enum(type);
  const std::string wanted = "BPF_FUNC_" + name;
  for (int i = 0; i < btf_vlen(type); ++i)
    if (wanted == btf__name_by_offset(btf_, values[i].name_off)) return true;
  return false;
}

bool RunningKernel::has_kprobes() const {
  // libbpf attaches kprobes through the perf PMU (CONFIG_KPROBE_EVENTS).
  return access("/sys/bus/event_source/devices/kprobe/type", R_OK) == 0;
}

AttachPath HookChoice::path() const {
  return candidate < hook->candidates.size() ? hook->candidates[candidate].path : AttachPath::none;
}

const std::string* HookChoice::program() const {
  return candidate < hook->candidates.size() ? &hook->candidates[candidate].program : nullptr;
}

namespace {

// Why the kernel cannot offer this candidate, or "" when it seems to.
std::string unavailable(const KernelOffer& kernel, const Hook& hook, const HookCandidate& candidate) {
  if (!candidate.helper.empty() && !kernel.has_helper(candidate.helper))
    return "the kernel has no bpf_" + candidate.helper + "()";
  switch (candidate.path) {
    case AttachPath::tp_btf:
      return kernel.has_btf_tracepoint(hook.name) ? "" : "the kernel has no " + hook.name + " tracepoint";
    case AttachPath::fexit:
      return kernel.has_btf_function(hook.name) ? "" : "the kernel's BTF has no function " + hook.name;
    case AttachPath::kprobe:
      return kernel.has_kprobes() ? "" : "the kernel has no kprobes (CONFIG_KPROBE_EVENTS)";
    case AttachPath::none: break;
  }
  return "not an attach path";
}

// "fexit", or "tp_btf (on_exec)" where the hook has two candidates on one path.
std::string candidate_name(const Hook& hook, size_t index) {
  const HookCandidate& candidate = hook.candidates[index];
  std::string name(attach_path_name(candidate.path));
  for (size_t i = 0; i < hook.candidates.size(); ++i)
    if (i != index && hook.candidates[i].path == candidate.path) return name + " (" + candidate.program + ")";
  return name;
}

// Moves `choice` to the first candidate from `from` on without a known problem, noting why each
// one passed over cannot be used.
void settle(HookChoice& choice, size_t from) {
  for (choice.candidate = from; choice.candidate < choice.hook->candidates.size(); ++choice.candidate) {
    const std::string& problem = choice.problems[choice.candidate];
    if (problem.empty()) return;
    choice.rejected.push_back(candidate_name(*choice.hook, choice.candidate) + ": " + problem);
  }
}

}  // namespace

AttachPlan AttachPlan::choose(const KernelOffer& kernel, const std::vector<std::string>& disabled) {
  std::set<std::string> off(disabled.begin(), disabled.end());
  AttachPlan plan;
  for (const Hook& hook : recorder_hooks()) {
    HookChoice choice;
    choice.hook = &hook;
    for (const HookCandidate& candidate : hook.candidates) {
      std::string path(attach_path_name(candidate.path));
      bool is_off = off.count(hook.name) || off.count(hook.name + ":" + path);
      choice.problems.push_back(is_off ? "disabled by ARMORER_DISABLE_HOOKS" : unavailable(kernel, hook, candidate));
    }
    settle(choice, 0);
    plan.choices_.push_back(std::move(choice));
  }
  return plan;
}

std::vector<std::string> AttachPlan::disabled_from_environment() {
  std::vector<std::string> names;
  const char* value = std::getenv("ARMORER_DISABLE_HOOKS");
  if (!value) return names;
  std::stringstream list(value);
  std::string item;
  while (std::getline(list, item, ',')) {
    if (item.empty()) continue;
    std::string hook_name = item.substr(0, item.find(':'));
    std::string path = item.find(':') == std::string::npos ? "" : item.substr(item.find(':') + 1);
    auto hook = std::find_if(recorder_hooks().begin(), recorder_hooks().end(),
                             [&](const Hook& h) { return h.name == hook_name; });
    bool known = hook != recorder_hooks().end() &&
                 (path.empty() || std::any_of(hook->candidates.begin(), hook->candidates.end(),
                                              [&](const HookCandidate& c) { return attach_path_name(c.path) == path; }));
    if (!known) {
      std::string hooks;
      for (const Hook& h : recorder_hooks()) hooks += (hooks.empty() ? "" : ", ") + h.name;
      throw Fatal("ARMORER_DISABLE_HOOKS: unknown hook or path '" + item + "' (hooks: " + hooks +
                  "; paths: tp_btf, fexit, kprobe)");
    }
    names.push_back(item);
  }
  return names;
}

bool AttachPlan::uses(const std::string& program) const {
  return std::any_of(choices_.begin(), choices_.end(), [&](const HookChoice& choice) {
    const std::string* chosen = choice.program();
    return chosen && *chosen == program;
  });
}

bool AttachPlan::reject(const std::string& program, const std::string& why) {
  for (HookChoice& choice : choices_) {
    const std::string* chosen = choice.program();
    if (!chosen || *chosen != program) continue;
    choice.problems[choice.candidate] = why;
    settle(choice, choice.candidate);
    return true;
  }
  return false;
}

bool AttachPlan::can_follow_processes() const {
  return std::all_of(choices_.begin(), choices_.end(), [](const HookChoice& choice) {
    return !choice.hook->required || choice.path() != AttachPath::none;
  });
}

std::vector<std::string> AttachPlan::missing_kinds() const {
  std::vector<std::string> kinds;
  for (const HookChoice& choice : choices_)
    if (choice.path() == AttachPath::none) kinds.insert(kinds.end(), choice.hook->kinds.begin(), choice.hook->kinds.end());
  std::sort(kinds.begin(), kinds.end());
  return kinds;
}

std::string AttachPlan::describe() const {
  std::string out;
  for (const HookChoice& choice : choices_)
    for (const std::string& kind : choice.hook->kinds)
      out += (out.empty() ? "" : " ") + kind + "=" + std::string(attach_path_name(choice.path()));
  return out;
}

}  // namespace armorer
