#include "recorder/host_report.h"

#include <dirent.h>
#include <sys/utsname.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "core/subprocess.h"
#include "recorder/bpf_recorder.h"

namespace armorer {

namespace {

std::string first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

bool exists(const std::string& path) {
  std::error_code error;
  return std::filesystem::exists(path, error);
}

bool mounted(const std::string& type) {
  std::ifstream mounts("/proc/self/mounts");
  std::string device, point, fstype, rest;
  while (mounts >> device >> point >> fstype && std::getline(mounts, rest))
    if (fstype == type) return true;
  return false;
}

bool process_running(const std::string& comm) {
  DIR* proc = opendir("/proc");
  if (!proc) return false;
  bool found = false;
  while (dirent* entry = readdir(proc)) {
    if (!std::all_of(entry->d_name, entry->d_name + std::strlen(entry->d_name), ::isdigit)) continue;
    if (first_line(std::string("/proc/") + entry->d_name + "/comm") == comm) {
      found = true;
      break;
    }
  }
  closedir(proc);
  return found;
}

std::string joined(const std::vector<std::string>& items, const char* separator) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : separator) + item;
  return out;
}

std::string with_commas(uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

void check_apparmor(HostReport& report) {
  const bool enabled = first_line("/sys/module/apparmor/parameters/enabled") == "Y";
  std::string detail;
  if (!enabled) {
    detail = "not enabled in this kernel: profiles can be learned and emitted here, but not enforced or verified";
  } else if (!exists("/sys/kernel/security/apparmor")) {
    detail = "enabled, but securityfs is not mounted (mount -t securityfs securityfs /sys/kernel/security)";
  } else {
    std::vector<std::string> features;
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator("/sys/kernel/security/apparmor/features", error))
      features.push_back(entry.path().filename().string());
    std::sort(features.begin(), features.end());
    detail = "enabled; kernel features: " + (features.empty() ? std::string("unknown") : joined(features, " "));
  }
  for (const char* parser : {"/sbin/apparmor_parser", "/usr/sbin/apparmor_parser"}) {
    if (!exists(parser)) continue;
    ProcessOutput version = run_captured({parser, "-V"});
    std::string line = version.out.substr(0, version.out.find('\n'));
    detail += "; " + (line.empty() ? std::string(parser) : line);
    break;
  }
  report.checks.push_back({"AppArmor", "info", detail});
  const bool auditd = process_running("auditd");
  report.checks.push_back(
      {"auditd", "info",
       auditd ? "running: AppArmor's records go to its log (/var/log/audit/audit.log)"
              : "not running: AppArmor's records go to the kernel log (dmesg, journalctl -k)"});
}

void check_recorder(HostReport& report) {
  try {
    BpfRecorder::check_environment();
  } catch (const Fatal& error) {
    report.checks.push_back({"BPF", "fail", error.what()});
    report.summary = std::string("eBPF recording cannot work here: ") + error.what();
    return;
  }
  report.checks.push_back({"BTF", "ok", "/sys/kernel/btf/vmlinux"});
  BpfRecorderOptions options;
  options.verifier_stats = true;
  options.ring_buffer_bytes = 16u << 20;  // learn's default
  std::unique_ptr<BpfRecorder> recorder;
  try {
    recorder = BpfRecorder::start(options, [](const armorer_event&, size_t) {});
  } catch (const Fatal& error) {
    report.checks.push_back({"BPF", "fail", error.what()});
    report.summary = std::string("eBPF recording cannot work here: ") + error.what();
    return;
  }
  const RecorderSetup& setup = recorder->setup();
  report.load_seconds = setup.load_seconds;
  report.load_attempts = setup.attempts;
  const ProgramLoad* largest = nullptr;
  for (const HookChoice& choice : setup.plan.choices()) {
    HookReport hook{choice.hook->name, choice.hook->gives, choice.hook->kinds, choice.hook->required,
                    std::string(attach_path_name(choice.path())), choice.program() ? *choice.program() : "",
                    0, choice.rejected};
    for (const ProgramLoad& load : setup.programs) {
      if (load.program != hook.program) continue;
      hook.verified_insns = load.verified_insns;
      if (!largest || load.verified_insns > largest->verified_insns) largest = &load;
    }
    std::string detail = choice.hook->gives + ": ";
    if (choice.path() == AttachPath::none) {
      detail += "NOT recorded (" + joined(choice.rejected, "; ") + ")";
    } else {
      detail += choice.hook->name + " via " + hook.path + " (" + hook.program;
      if (hook.verified_insns) detail += ", " + with_commas(hook.verified_insns) + " instructions verified";
      detail += ")";
      if (!choice.rejected.empty()) detail += "; passed over: " + joined(choice.rejected, "; ");
    }
    report.checks.push_back({choice.hook->name, choice.path() == AttachPath::none ? "gap" : "ok", detail});
    report.hooks.push_back(std::move(hook));
  }
  char timing[160];
  std::snprintf(timing, sizeof(timing), "%zu loaded and attached in %.2f s (%d attempt%s)",
                setup.programs.size(), setup.load_seconds, setup.attempts, setup.attempts == 1 ? "" : "s");
  std::string detail = timing;
  if (largest && largest->verified_insns) {
    char share[64];
    std::snprintf(share, sizeof(share), "%.1f%%", 100.0 * static_cast<double>(largest->verified_insns) / kVerifierInsnLimit);
    detail += "; the largest, " + largest->program + ", verified in " + with_commas(largest->verified_insns) +
              " instructions (" + share + " of the verifier's " + with_commas(kVerifierInsnLimit) + " limit)";
  }
  report.checks.push_back({"programs", "ok", detail});
  report.checks.push_back({"ring buffer", "ok", "16 MiB created (learn --buffer-size sets it)"});
  report.checks.push_back({"tracefs", "info",
                           mounted("tracefs") ? "mounted (not needed: the recorder uses BTF tracepoints)"
                                              : "not mounted; not needed: the recorder uses BTF tracepoints"});
  const std::vector<std::string> missing = setup.plan.missing_kinds();
  if (missing.empty()) {
    report.verdict = HostReport::Verdict::full;
    report.summary = "learning works fully: " + setup.plan.describe();
  } else {
    report.verdict = HostReport::Verdict::gaps;
    report.summary = "learning works with gaps: " + joined(missing, ", ") +
                     " not recorded on this kernel; a profile learned here denies all of them unless runs "
                     "recorded elsewhere add them (" + setup.plan.describe() + ")";
  }
}

}  // namespace

HostReport examine_host() {
  HostReport report;
  utsname name{};
  if (uname(&name) == 0) report.kernel = name.release;
  report.checks.push_back({"kernel", "info", report.kernel + " (" + (uname(&name) == 0 ? name.machine : "?") + ")"});
  check_recorder(report);
  check_apparmor(report);
  return report;
}

int exit_code(HostReport::Verdict verdict) {
  switch (verdict) {
    case HostReport::Verdict::full: return 0;
    case HostReport::Verdict::gaps: return 1;
    case HostReport::Verdict::unusable: break;
  }
  return 2;
}

std::string_view verdict_name(HostReport::Verdict verdict) {
  switch (verdict) {
    case HostReport::Verdict::full: return "full";
    case HostReport::Verdict::gaps: return "gaps";
    case HostReport::Verdict::unusable: break;
  }
  return "unusable";
}

}  // namespace armorer
