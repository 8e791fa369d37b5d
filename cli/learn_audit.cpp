// `armorer learn --audit-log FILE|-`: the second source of learning data, AppArmor's own
// complain-mode records, stored as a run like an eBPF recording.
#include <sys/utsname.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "core/error.h"
#include "recorder/audit/audit_ingest.h"
#include "recorder/learn_session.h"
#include "schema/store.h"

namespace armorer::cli {

int learn_from_audit_log(const LearnArgs& args) {
  std::ifstream file;
  if (args.audit_log != "-") {
    file.open(args.audit_log, std::ios::binary);
    if (!file) throw Fatal("cannot read audit log '" + args.audit_log + "'");
  }
  std::istream& in = args.audit_log == "-" ? std::cin : file;
  Store store = Store::open(args.db, OpenMode::read_write_create);

  Run run;
  run.profile = args.profile;
  run.source = "audit";
  run.target = "audit-log: " + (args.audit_log == "-" ? std::string("stdin") : args.audit_log) +
               " (AppArmor profile " + (args.aa_profile.empty() ? args.profile : args.aa_profile) + ")";
  run.label = args.label;
  run.started_ms = unix_time_ms();
  run.status = "running";
  // AppArmor logs what it mediates: files, execs, capabilities, sockets; never system calls.
  run.recorded_with = "exec=audit file=audit network=audit capability=audit";
  run.missing_kinds = {"syscall"};
  run.id = store.begin_run(run);

  AuditIngestOptions options;
  options.aa_profile = args.aa_profile.empty() ? args.profile : args.aa_profile;
  options.executable = args.executable;
  uint64_t observations = 0;
  AuditIngestStats stats;
  try {
    stats = ingest_audit_log(in, options, [&](std::vector<Observation>&& batch) {
      observations += batch.size();
      store.add_observations(run.id, batch);
    });
  } catch (...) {
    run.ended_ms = unix_time_ms();
    run.status = "interrupted";
    store.finish_run(run);
    throw;
  }
  run.ended_ms = unix_time_ms();
  run.status = in.bad() ? "interrupted" : "complete";
  run.events = stats.records_kept;
  store.finish_run(run);

  if (args.json) {
    nlohmann::json summary = {{"profile", run.profile},       {"run", run.id},
                              {"source", "audit"},            {"status", run.status},
                              {"lines", stats.lines},         {"records_kept", stats.records_kept},
                              {"observations", observations}, {"other_profiles", stats.other_profiles},
                              {"not_modelled", stats.not_modelled}, {"not_apparmor", stats.not_apparmor},
                              {"malformed", stats.malformed}};
    std::printf("%s\n", summary.dump().c_str());
  }
  if (!args.quiet)
    std::fprintf(stderr,
                 "armorer: profile '%s' run %lld (audit): %llu lines, %llu records kept, "
                 "%llu of other profiles, %llu not AppArmor, %llu malformed\n",
                 run.profile.c_str(), static_cast<long long>(run.id),
                 static_cast<unsigned long long>(stats.lines),
                 static_cast<unsigned long long>(stats.records_kept),
                 static_cast<unsigned long long>(stats.other_profiles),
                 static_cast<unsigned long long>(stats.not_apparmor),
                 static_cast<unsigned long long>(stats.malformed));
  if (stats.records_kept == 0)
    std::fprintf(stderr, "armorer: warning: no record of AppArmor profile '%s' was found\n",
                 options.aa_profile.c_str());
  return 0;
}

}  // namespace armorer::cli
