// `armorer merge OUT.db IN.db...`: the fleet case. Each machine records into its own database;
// merging is a union: every run of every input becomes a new run of OUT (ids renumbered), and
// every observation is added to the runs that saw it, so counts sum and `explain` can still
// say which run (and, through its label, which input) an access came from. An OUT that exists
// is added to.
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <map>

#include "apparmor/apparmor_names.h"
#include "cli/commands.h"
#include "core/error.h"
#include "schema/store.h"

namespace armorer::cli {

namespace {

struct Totals {
  size_t runs = 0, observations = 0, unattributed = 0;
};

// Two names of one file would make the merge read what it is writing.
bool same_file(const std::string& a, const std::string& b) {
  struct stat sa, sb;
  if (::stat(a.c_str(), &sa) != 0 || ::stat(b.c_str(), &sb) != 0) return false;
  return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

std::string origin_label(const Run& run, const std::string& input) {
  const std::string origin = "merged from " + input + " run " + std::to_string(run.id);
  return run.label.empty() ? origin : run.label + " (" + origin + ")";
}

void merge_profile(Store& out, const Store& in, const std::string& input, const std::string& profile,
                   Totals& totals) {
  const ObservationsWithRuns recorded = in.observations_with_runs(profile);
  std::map<int64_t, std::vector<Observation>> by_run;
  for (size_t i = 0; i < recorded.observations.size(); ++i) {
    const auto& ids = recorded.run_ids[i];
    if (ids.empty()) {
      ++totals.unattributed;
      continue;
    }
    // The store keeps each observation's total count; per-run shares are not part of its
    // API. The total goes to the first run that saw it, the others keep the fact (count 0),
    // so the merged totals are exact and every run still lists what it saw.
    for (size_t k = 0; k < ids.size(); ++k) {
      Observation obs = recorded.observations[i];
      if (k > 0) obs.count = 0;
      by_run[ids[k]].push_back(std::move(obs));
    }
  }
  for (Run run : in.runs(profile)) {
    const int64_t old_id = run.id;
    run.label = origin_label(run, input);
    run.id = out.begin_run(run);
    const auto batch = by_run.find(old_id);
    if (batch != by_run.end()) {
      out.add_observations(run.id, batch->second);
      totals.observations += batch->second.size();
    }
    if (run.status == "running") {
      std::fprintf(stderr, "armorer: warning: %s run %lld was still recording; merged as interrupted\n",
                   comment_safe(input).c_str(), static_cast<long long>(old_id));
      run.status = "interrupted";
    }
    out.finish_run(run);
    ++totals.runs;
  }
}

}  // namespace

int merge(const MergeArgs& args) {
  for (const auto& input : args.inputs)
    if (input == args.out || same_file(input, args.out))
      throw Fatal("merge: " + comment_safe(input) + " is also the output database", kExitUsage);
  // Every input is opened (and its schema checked) before OUT is touched.
  std::vector<Store> inputs;
  for (const auto& input : args.inputs) inputs.push_back(Store::open(input, OpenMode::read_only));
  Store out = Store::open(args.out, OpenMode::read_write_create);
  Totals totals;
  for (size_t i = 0; i < inputs.size(); ++i)
    for (const auto& profile : inputs[i].profiles())
      merge_profile(out, inputs[i], args.inputs[i], profile, totals);
  if (totals.unattributed > 0)
    std::fprintf(stderr, "armorer: warning: %zu observations belonged to no run and were not merged\n",
                 totals.unattributed);
  auto count = [](size_t n, const char* word) { return std::to_string(n) + " " + word + (n == 1 ? "" : "s"); };
  std::fprintf(stderr, "armorer: merged %s (%s, counted per run) from %s into %s\n", count(totals.runs, "run").c_str(),
               count(totals.observations, "observation").c_str(), count(inputs.size(), "database").c_str(),
               comment_safe(args.out).c_str());
  return 0;
}

}  // namespace armorer::cli
