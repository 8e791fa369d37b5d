// What this host offers armorer, for `armorer doctor`: whether eBPF recording works here and
// through which attach path each kind of fact is taken (found by loading the real programs, as
// `learn` does), and whether AppArmor can enforce profiles and log what it decides.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace armorer {

struct HostCheck {
  std::string name;    // "BTF", "BPF", "exec", "AppArmor", ...
  std::string status;  // "ok", "gap" (learning works without it), "fail" (learning cannot), "info"
  std::string detail;
};

struct HookReport {
  std::string hook;                // "cap_capable"
  std::string gives;               // "capability checks"
  std::vector<std::string> kinds;  // "capability"
  bool required = false;
  std::string path;                // "tp_btf", "fexit", "kprobe", "none"
  std::string program;             // the BPF program, "" with none
  uint64_t verified_insns = 0;     // 0 if the kernel does not tell
  std::vector<std::string> rejected;  // paths passed over, with the reason
};

struct HostReport {
  enum class Verdict { full, gaps, unusable };
  std::string kernel;  // uname -r
  Verdict verdict = Verdict::unusable;
  std::string summary;  // one line: what works, what is missing, or why nothing can and what to do
  std::vector<HostCheck> checks;
  std::vector<HookReport> hooks;
  double load_seconds = 0;
  int load_attempts = 0;
};

// The verifier's limit on the instructions it will process for one program (5.2+).
inline constexpr uint64_t kVerifierInsnLimit = 1000000;

// Runs every check; never throws for what the host lacks (that is the report).
HostReport examine_host();

// 0: learning works fully; 1: it works with gaps; 2: it cannot work here.
int exit_code(HostReport::Verdict verdict);
std::string_view verdict_name(HostReport::Verdict verdict);

}  // namespace armorer
