#include <doctest/doctest.h>

#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "core/error.h"
#include "recorder/attach_plan.h"

using armorer::AttachPath;
using armorer::AttachPlan;
using armorer::Fatal;
using armorer::HookChoice;
using armorer::KernelOffer;

namespace {

// A kernel described by what it offers, as the matrix's kernels do.
struct FakeKernel : KernelOffer {
  std::set<std::string> tracepoints{"sched_process_fork", "sched_process_exec", "sched_process_exit", "sys_exit"};
  std::set<std::string> functions{"cap_capable"};
  bool kprobes = true;
  bool find_vma = true;
  bool has_btf_tracepoint(const std::string& name) const override { return tracepoints.count(name) > 0; }
  bool has_btf_function(const std::string& name) const override { return functions.count(name) > 0; }
  bool has_kprobes() const override { return kprobes; }
  bool has_helper(const std::string& name) const override { return name == "find_vma" && find_vma; }
};

const HookChoice& choice_of(const AttachPlan& plan, const std::string& hook) {
  for (const auto& choice : plan.choices())
    if (choice.hook->name == hook) return choice;
  FAIL("no hook " << hook);
  return plan.choices().front();
}

struct DisabledHooks {  // sets ARMORER_DISABLE_HOOKS for one test
  explicit DisabledHooks(const char* value) { setenv("ARMORER_DISABLE_HOOKS", value, 1); }
  ~DisabledHooks() { unsetenv("ARMORER_DISABLE_HOOKS"); }
};

}  // namespace

TEST_CASE("capability checks come from the tracepoint where the kernel has it (6.18, 7.2)") {
  FakeKernel kernel;
  kernel.tracepoints.insert("cap_capable");
  AttachPlan plan = AttachPlan::choose(kernel, {});
  CHECK(choice_of(plan, "cap_capable").path() == AttachPath::tp_btf);
  CHECK(plan.uses("on_capable"));
  CHECK_FALSE(plan.uses("on_capable_fexit"));
  CHECK(plan.missing_kinds().empty());
  CHECK(plan.describe() == "exec=tp_btf file=tp_btf network=tp_btf syscall=tp_btf capability=tp_btf");
}

TEST_CASE("without the tracepoint (6.1, 6.12) cap_capable() is hooked by fexit, then kprobe") {
  FakeKernel kernel;
  AttachPlan plan = AttachPlan::choose(kernel, {});
  const HookChoice& cap = choice_of(plan, "cap_capable");
  CHECK(cap.path() == AttachPath::fexit);
  REQUIRE(cap.rejected.size() == 1);
  CHECK(cap.rejected[0] == "tp_btf: the kernel has no cap_capable tracepoint");

  // The kernel refuses trampolines (as this project's CI kernel does): the kprobe is next.
  CHECK(plan.reject("on_capable_fexit", "refused at load: Operation not permitted"));
  CHECK(choice_of(plan, "cap_capable").path() == AttachPath::kprobe);
  CHECK(plan.uses("on_capable_kprobe"));
  CHECK(plan.describe() == "exec=tp_btf file=tp_btf network=tp_btf syscall=tp_btf capability=kprobe");

  // And no kprobe either: capabilities are the only gap, the rest is recorded.
  CHECK(plan.reject("on_capable_kprobe", "refused at attach: No such file or directory"));
  CHECK(choice_of(plan, "cap_capable").path() == AttachPath::none);
  CHECK(plan.can_follow_processes());
  CHECK(plan.missing_kinds() == std::vector<std::string>{"capability"});
  CHECK(choice_of(plan, "cap_capable").rejected.back() == "kprobe: refused at attach: No such file or directory");
  CHECK_FALSE(plan.reject("on_capable_kprobe", "again"));  // no longer chosen
}

TEST_CASE("a path the kernel does not offer is passed over without a load") {
  FakeKernel kernel;
  kernel.functions.clear();
  kernel.kprobes = false;
  AttachPlan plan = AttachPlan::choose(kernel, {});
  const HookChoice& cap = choice_of(plan, "cap_capable");
  CHECK(cap.path() == AttachPath::none);
  CHECK(cap.rejected == std::vector<std::string>{
                            "tp_btf: the kernel has no cap_capable tracepoint",
                            "fexit: the kernel's BTF has no function cap_capable",
                            "kprobe: the kernel has no kprobes (CONFIG_KPROBE_EVENTS)"});
  CHECK(plan.describe() == "exec=tp_btf file=tp_btf network=tp_btf syscall=tp_btf capability=none");
}

TEST_CASE("losing sys_exit costs files, sockets and system calls, not the processes") {
  FakeKernel kernel;
  AttachPlan plan = AttachPlan::choose(kernel, {});
  CHECK(plan.reject("on_sys_exit", "refused at load: Argument list too long"));
  CHECK(plan.can_follow_processes());
  CHECK(plan.missing_kinds() == std::vector<std::string>{"file", "network", "syscall"});
}

TEST_CASE("without exec, fork or exit no process can be followed") {
  FakeKernel kernel;
  kernel.tracepoints.erase("sched_process_exec");
  AttachPlan plan = AttachPlan::choose(kernel, {});
  CHECK_FALSE(plan.can_follow_processes());
  CHECK(choice_of(plan, "sched_process_exec").rejected ==
        std::vector<std::string>{"tp_btf (on_exec): the kernel has no sched_process_exec tracepoint",
                                 "tp_btf (on_exec_vma_list): the kernel has no sched_process_exec tracepoint"});
}

TEST_CASE("ARMORER_DISABLE_HOOKS turns off a hook or one of its paths, and refuses typos") {
  FakeKernel kernel;
  kernel.tracepoints.insert("cap_capable");
  {
    DisabledHooks env("cap_capable:tp_btf");
    AttachPlan plan = AttachPlan::choose(kernel, AttachPlan::disabled_from_environment());
    CHECK(choice_of(plan, "cap_capable").path() == AttachPath::fexit);
    CHECK(choice_of(plan, "cap_capable").rejected ==
          std::vector<std::string>{"tp_btf: disabled by ARMORER_DISABLE_HOOKS"});
  }
  {
    DisabledHooks env("cap_capable,sys_exit");
    AttachPlan plan = AttachPlan::choose(kernel, AttachPlan::disabled_from_environment());
    CHECK(plan.missing_kinds() == std::vector<std::string>{"capability", "file", "network", "syscall"});
  }
  {
    DisabledHooks env("cap_capable:fentry");
    CHECK_THROWS_AS(AttachPlan::disabled_from_environment(), Fatal);
  }
  {
    DisabledHooks env("capable");
    CHECK_THROWS_AS(AttachPlan::disabled_from_environment(), Fatal);
  }
}

TEST_CASE("before bpf_find_vma (5.17) exec is taken by the program that walks the VMA list") {
  FakeKernel kernel;
  kernel.find_vma = false;
  AttachPlan plan = AttachPlan::choose(kernel, {});
  const HookChoice& exec = choice_of(plan, "sched_process_exec");
  CHECK(exec.path() == AttachPath::tp_btf);
  CHECK(*exec.program() == "on_exec_vma_list");
  CHECK(exec.rejected == std::vector<std::string>{"tp_btf (on_exec): the kernel has no bpf_find_vma()"});
  CHECK(plan.uses("on_exec_vma_list"));
  CHECK_FALSE(plan.uses("on_exec"));
  CHECK(plan.describe() == "exec=tp_btf file=tp_btf network=tp_btf syscall=tp_btf capability=fexit");

  kernel.find_vma = true;
  CHECK(*choice_of(AttachPlan::choose(kernel, {}), "sched_process_exec").program() == "on_exec");
}
