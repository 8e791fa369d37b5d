// `armorer diff`: exit 1 means "access widened", so every other failure (an unreadable file,
// an unknown profile) exits 2, as diff(1) does for trouble: a CI gate never mistakes a broken
// input for a reviewed change, nor the reverse.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "analyzer/analyzer.h"
#include "apparmor/apparmor_names.h"
#include "cli/commands.h"
#include "cli/output_file.h"
#include "core/error.h"
#include "emitter/profile_diff.h"
#include "emitter/writers.h"
#include "schema/store.h"

namespace armorer::cli {

namespace {

constexpr int kExitTrouble = 2;

std::string read_profile_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Fatal("cannot read " + comment_safe(path) + ": " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The profile as `armorer emit` would write it from this database, optionally from one run's
// observations only.
std::string learned_profile(const std::string& db, const std::string& profile, std::optional<int64_t> run,
                            const AnalysisArgs& analysis) {
  Store store = Store::open(db, OpenMode::read_only);
  const std::vector<Run> runs = store.runs(profile);
  if (runs.empty()) throw Fatal("no profile '" + comment_safe(profile) + "' in " + comment_safe(db));
  ObservationsWithRuns recorded = store.observations_with_runs(profile);
  if (run) {
    if (std::none_of(runs.begin(), runs.end(), [&](const Run& r) { return r.id == *run; }))
      throw Fatal("run " + std::to_string(*run) + " in " + comment_safe(db) + " is not a run of profile " +
                  comment_safe(profile));
    ObservationsWithRuns only;
    for (std::size_t i = 0; i < recorded.observations.size(); ++i) {
      const auto& ids = recorded.run_ids[i];
      if (std::find(ids.begin(), ids.end(), *run) == ids.end()) continue;
      only.observations.push_back(recorded.observations[i]);
      only.run_ids.push_back({*run});
    }
    recorded = std::move(only);
  }
  AnalyzerOptions options = analyzer_options(analysis);
  options.observation_runs = recorded.run_ids;
  return write_apparmor(analyze(profile, recorded.observations, options), ApparmorOptions{});
}

struct Inputs {
  std::string old_text, new_text;
  DiffLabels labels;
};

Inputs read_inputs(const DiffArgs& args) {
  auto usage = [](const std::string& what) { throw Fatal(what, kExitUsage); };
  const bool files = !args.files.empty();
  if (files && (!args.dbs.empty() || !args.runs.empty() || !args.profile.empty()))
    usage("diff takes two profile files, or --db/--run with --profile, not both");
  if (files) {
    if (args.files.size() != 2) usage("diff takes two profile files: OLD NEW");
    return {read_profile_file(args.files[0]), read_profile_file(args.files[1]), {args.files[0], args.files[1]}};
  }
  if (args.profile.empty()) usage("diff needs OLD NEW profile files, or --profile NAME with --db/--run");
  if (args.dbs.size() == 2 && args.runs.empty())
    return {learned_profile(args.dbs[0], args.profile, std::nullopt, args.analysis),
            learned_profile(args.dbs[1], args.profile, std::nullopt, args.analysis),
            {args.dbs[0] + " (" + args.profile + ")", args.dbs[1] + " (" + args.profile + ")"}};
  if (args.dbs.size() == 1 && args.runs.size() == 2) {
    auto label = [&](int64_t run) { return "run " + std::to_string(run) + " of " + args.profile; };
    return {learned_profile(args.dbs[0], args.profile, args.runs[0], args.analysis),
            learned_profile(args.dbs[0], args.profile, args.runs[1], args.analysis),
            {label(args.runs[0]), label(args.runs[1])}};
  }
  usage("diff compares two databases (--db OLD --db NEW) or two runs of one (--db FILE --run OLD --run NEW)");
  return {};
}

}  // namespace

int diff(const DiffArgs& args) {
  Inputs inputs;
  ProfileDiff result;
  try {
    inputs = read_inputs(args);
    result = diff_profiles(inputs.old_text, inputs.new_text);
  } catch (const Fatal& error) {
    if (error.exit_code() == kExitUsage) throw;
    std::fprintf(stderr, "armorer: error: %s\n", error.what());
    return kExitTrouble;
  }
  write_output("", args.markdown ? format_diff_markdown(result, inputs.labels)
                                 : format_diff_text(result, inputs.labels));
  return result.widens() ? kExitFailure : 0;
}

}  // namespace armorer::cli
