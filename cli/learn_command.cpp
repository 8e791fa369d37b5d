#include <signal.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "core/error.h"
#include "core/profile_name.h"
#include "recorder/background_writer.h"
#include "recorder/gated_child.h"
#include "recorder/learn_session.h"
#include "schema/store.h"

namespace armorer::cli {

namespace {

// Observations the database writer may hold back while the workload keeps the CPUs busy
// (about 200 bytes each); past this it writes at normal priority, past twice this the
// recorder waits for it.
constexpr size_t kDeferredObservations = 8192;

std::string kernel_release() {
  utsname name{};
  return uname(&name) == 0 ? std::string(name.release) : std::string();
}

LearnTarget target_of(const LearnArgs& args) {
  LearnTarget target;
  if (args.pid) {
    target.kind = LearnTarget::Kind::pid;
    target.pid = *args.pid;
  } else if (!args.container.empty()) {
    target.kind = LearnTarget::Kind::container;
    target.container = args.container;
  } else if (!args.cgroup.empty()) {
    target.kind = LearnTarget::Kind::cgroup;
    target.cgroup_dir = args.cgroup;
  } else {
    target.kind = LearnTarget::Kind::command;
    target.command = args.command;
  }
  return target;
}

void print_summary(const LearnArgs& args, const Run& run, const LearnResult& result) {
  if (args.json) {
    nlohmann::json summary = {
        {"profile", run.profile},
        {"run", run.id},
        {"target", run.target},
        {"status", run.status},
        {"events", result.counters.events},
        {"unique_paths", result.counters.files.size()},
        {"capabilities", result.counters.capabilities},
        {"network", result.counters.network},
        {"processes", result.counters.processes},
        {"lost_events", result.kernel.lost},
        {"processes_not_followed", result.kernel.tasks_full},
        {"duration_ms", result.ended_ms - result.started_ms},
    };
    summary["exit_status"] = result.exit_status ? nlohmann::json(*result.exit_status) : nlohmann::json();
    nlohmann::json recorded_with = nlohmann::json::object();
    for (const HookChoice& choice : result.setup.plan.choices())
      for (const std::string& kind : choice.hook->kinds) recorded_with[kind] = attach_path_name(choice.path());
    summary["recorded_with"] = recorded_with;
    summary["not_recorded"] = run.missing_kinds;
    std::printf("%s\n", summary.dump().c_str());
  }
  // A gap is said even with --quiet: a profile learned from this run would deny what the run
  // could not see.
  for (const HookChoice& choice : result.setup.plan.choices()) {
    if (choice.path() != AttachPath::none || choice.hook->kinds.empty()) continue;
    std::string why;
    for (const std::string& rejected : choice.rejected) why += (why.empty() ? "" : "; ") + rejected;
    std::fprintf(stderr,
                 "armorer: WARNING: %s were NOT recorded: this kernel offers no %s hook (%s); a "
                 "profile learned from this run alone denies all of them. `armorer doctor` tells more\n",
                 choice.hook->gives.c_str(), choice.hook->name.c_str(), why.c_str());
  }
  if (args.quiet) return;
  std::string caps;
  for (const auto& cap : result.counters.capabilities) caps += (caps.empty() ? "" : ",") + cap;
  std::fprintf(stderr,
               "armorer: profile '%s' run %lld (%s): %llu events, %zu unique paths, %zu capabilities%s%s%s, "
               "%zu socket kinds, %llu processes, %llu lost events\n",
               run.profile.c_str(), static_cast<long long>(run.id), run.status.c_str(),
               static_cast<unsigned long long>(result.counters.events), result.counters.files.size(),
               result.counters.capabilities.size(), caps.empty() ? "" : " (", caps.c_str(),
               caps.empty() ? "" : ")", result.counters.network.size(),
               static_cast<unsigned long long>(result.counters.processes),
               static_cast<unsigned long long>(result.kernel.lost));
  if (result.kernel.lost > 0)
    std::fprintf(stderr,
                 "armorer: WARNING: the kernel dropped %llu events: this recording is INCOMPLETE; "
                 "rerun with a larger --buffer-size\n",
                 static_cast<unsigned long long>(result.kernel.lost));
  if (result.kernel.tasks_full > 0)
    std::fprintf(stderr,
                 "armorer: WARNING: %llu processes were not followed (task map full): this "
                 "recording is INCOMPLETE; rerun with a larger --max-processes\n",
                 static_cast<unsigned long long>(result.kernel.tasks_full));
}

}  // namespace

int learn(const LearnArgs& args) {
  if (auto problem = profile_name_problem(args.profile)) throw Fatal(*problem, kExitUsage);
  uint32_t buffer = args.buffer_size_mib;
  if (buffer & (buffer - 1)) throw Fatal("--buffer-size must be a power of two (MiB)", kExitUsage);

  // Check the target, then the database, before anything runs or is written: a bad command
  // or DB path must fail without leaving a run behind.
  if (!args.command.empty() && !find_executable(args.command[0]))
    throw Fatal("cannot run '" + args.command[0] + "': no such executable file (checked PATH)");
  BpfRecorder::check_environment();
  if (args.pid && (*args.pid <= 0 || (kill(*args.pid, 0) != 0 && errno == ESRCH)))
    throw Fatal("no process with pid " + std::to_string(*args.pid));
  Store store = Store::open(args.db, OpenMode::read_write_create);
  LearnOptions options;
  options.target = target_of(args);
  options.duration_seconds = args.duration;
  options.ready_file = args.ready_file;
  options.ring_buffer_bytes = buffer << 20;
  options.max_processes = args.max_processes;
  options.dedup_entries = args.dedup_entries;
  options.live_status = !args.quiet && !args.json && isatty(STDERR_FILENO);

  Run run;
  run.profile = args.profile;
  run.source = "ebpf";
  run.target = options.target.describe();
  run.label = args.label;
  run.kernel = kernel_release();
  run.started_ms = unix_time_ms();
  run.status = "running";
  run.id = store.begin_run(run);

  LearnResult result;
  try {
    // The store is used by the writer's thread alone until finish() (or, on an error, the
    // writer's destructor) has returned.
    BackgroundWriter writer(
        [&](std::vector<Observation>&& batch, const BpfStats& stats) {
          if (!batch.empty()) store.add_observations(run.id, batch);
          store.update_run_progress(run.id, stats.events, stats.lost);
        },
        kDeferredObservations);
    result = run_learn_session(options, [&](std::vector<Observation>&& batch, const BpfStats& stats) {
      writer.submit(std::move(batch), stats);
    });
    writer.finish();
  } catch (...) {
    run.ended_ms = unix_time_ms();
    run.status = "interrupted";
    store.finish_run(run);
    throw;
  }
  run.started_ms = result.started_ms;
  run.ended_ms = result.ended_ms;
  run.recorded_with = result.setup.plan.describe();
  run.missing_kinds = result.setup.plan.missing_kinds();
  run.status = result.interrupted ? "interrupted" : "complete";
  run.events = result.kernel.events;
  run.lost_events = result.kernel.lost;
  run.exit_status = result.exit_status;
  store.finish_run(run);
  print_summary(args, run, result);
  if (!args.quiet && store.runs(run.profile).size() == 1)
    std::fprintf(stderr,
                 "armorer: note: this is the first run of profile '%s': record another one (a fresh work "
                 "directory, other data) so that names that change from run to run can be told from "
                 "fixed ones\n",
                 run.profile.c_str());
  return result.exit_status.value_or(0);
}

}  // namespace armorer::cli
