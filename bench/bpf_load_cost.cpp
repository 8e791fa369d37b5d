// Per-program verification cost on the running kernel, as JSON lines: the program, its hook
// and attach path, the instructions the verifier processed, and the time to open and load it
// alone. `bench/kernel_table.sh` runs it on every kernel of the test matrix.
#include <cstdio>
#include <exception>
#include <nlohmann/json.hpp>
#include <sys/utsname.h>

#include "core/error.h"
#include "recorder/attach_plan.h"
#include "recorder/bpf_recorder.h"

int main() {
  try {
    const armorer::AttachPlan plan =
        armorer::AttachPlan::choose(armorer::RunningKernel(), armorer::AttachPlan::disabled_from_environment());
    utsname name{};
    uname(&name);
    // A first load warms the kernel's BTF and caches; it is not reported.
    armorer::BpfRecorder::measure_program_loads(plan);
    for (const auto& cost : armorer::BpfRecorder::measure_program_loads(plan)) {
      nlohmann::json line = {{"kernel", name.release},     {"program", cost.program},
                             {"hook", cost.hook},          {"path", cost.path},
                             {"verified_insns", cost.verified_insns},
                             {"load_ms", cost.load_seconds * 1000}, {"loaded", cost.loaded},
                             {"error", cost.error}};
      std::printf("%s\n", line.dump().c_str());
    }
  } catch (const std::exception& error) {
    std::fprintf(stderr, "bpf_load_cost: %s\n", error.what());
    return 1;
  }
  return 0;
}
