// `armorer doctor`: what this host offers before a training run (see recorder/host_report.h).
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "recorder/host_report.h"

namespace armorer::cli {

int doctor(const DoctorArgs& args) {
  const HostReport report = examine_host();
  if (args.json) {
    nlohmann::json checks = nlohmann::json::array(), hooks = nlohmann::json::array();
    for (const HostCheck& check : report.checks)
      checks.push_back({{"name", check.name}, {"status", check.status}, {"detail", check.detail}});
    for (const HookReport& hook : report.hooks)
      hooks.push_back({{"hook", hook.hook},
                       {"gives", hook.gives},
                       {"kinds", hook.kinds},
                       {"required", hook.required},
                       {"path", hook.path},
                       {"program", hook.program},
                       {"verified_insns", hook.verified_insns},
                       {"rejected", hook.rejected}});
    nlohmann::json out = {{"kernel", report.kernel},
                          {"verdict", verdict_name(report.verdict)},
                          {"exit_code", exit_code(report.verdict)},
                          {"summary", report.summary},
                          {"load_seconds", report.load_seconds},
                          {"load_attempts", report.load_attempts},
                          {"verifier_limit", kVerifierInsnLimit},
                          {"hooks", hooks},
                          {"checks", checks}};
    std::printf("%s\n", out.dump(2).c_str());
  } else {
    for (const HostCheck& check : report.checks)
      std::printf("%-5s %-19s %s\n", check.status.c_str(), check.name.c_str(), check.detail.c_str());
    std::printf("\n%s\n", report.summary.c_str());
  }
  return exit_code(report.verdict);
}

}  // namespace armorer::cli
