#include <cstdio>
#include <set>
#include <tuple>

#include "analyzer/analyzer.h"
#include "cli/commands.h"
#include "cli/output_file.h"
#include "core/error.h"
#include "emitter/writers.h"
#include "schema/store.h"

namespace armorer::cli {

namespace {

std::string known_profiles(const Store& store) {
  std::string list;
  for (const auto& name : store.profiles()) list += (list.empty() ? "" : ", ") + name;
  return list.empty() ? "the database has no profiles yet" : "known: " + list;
}

void warn_about_runs(const std::vector<Run>& runs) {
  for (const auto& run : runs) {
    if (run.lost_events > 0)
      std::fprintf(stderr, "armorer: warning: run %lld lost %llu events; the profile may be incomplete\n",
                   static_cast<long long>(run.id), static_cast<unsigned long long>(run.lost_events));
    if (run.status == "running")
      std::fprintf(stderr, "armorer: warning: run %lld did not finish (still recording, or its "
                   "recorder was killed); its committed observations are used\n",
                   static_cast<long long>(run.id));
    else if (run.status != "complete")
      std::fprintf(stderr, "armorer: warning: run %lld is %s; its observations are used as recorded\n",
                   static_cast<long long>(run.id), run.status.c_str());
  }
}

}  // namespace

int emit(const EmitArgs& args) {
  Store store = Store::open(args.db, OpenMode::read_only);
  std::vector<Run> runs = store.runs(args.profile);
  if (runs.empty())
    throw Fatal("unknown profile '" + args.profile + "' in " + args.db + " (" + known_profiles(store) + ")");
  warn_about_runs(runs);
  // One snapshot of observations and the runs behind each, even while `learn` writes.
  ObservationsWithRuns recorded = store.observations_with_runs(args.profile);
  const std::vector<Observation>& observations = recorded.observations;

  AnalyzerOptions analyzer_options;
  analyzer_options.use_abstractions = !args.no_abstractions;
  analyzer_options.observation_runs = recorded.run_ids;
  RuleSet rules = analyze(args.profile, observations, analyzer_options);

  // The profile must allow everything that was recorded, except what the analyzer refused to
  // write (and says so in `# skipped:` comments); any other gap is a bug, never shipped.
  std::set<std::tuple<ObsKind, std::string, std::string, uint32_t, uint32_t>> skipped;
  for (const auto& entry : rules.skipped()) {
    const Observation& o = entry.observation;
    skipped.emplace(o.kind, o.subject, o.object, o.access, o.flags);
  }
  for (const auto& obs : uncovered(rules, observations)) {
    if (skipped.count({obs.kind, obs.subject, obs.object, obs.access, obs.flags})) continue;
    throw Fatal("internal check failed: the generated profile would deny a recorded " +
                std::string(to_string(obs.kind)) + " access to '" + obs.object + "'");
  }
  if (!rules.skipped().empty())
    std::fprintf(stderr, "armorer: warning: %zu recorded accesses could not be written as rules "
                         "(see the '# skipped:' comments in the profile)\n", rules.skipped().size());

  std::string text;
  if (args.format == "ecs") {
    text = write_ecs(rules);
  } else {
    ApparmorOptions options;
    options.complain = args.mode == "complain";
    options.explain = args.explain;
    text = write_apparmor(rules, options);
  }
  write_output(args.output, text);
  return 0;
}

}  // namespace armorer::cli
