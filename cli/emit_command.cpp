#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <string_view>
#include <tuple>

#include "analyzer/analyzer.h"
#include "apparmor/apparmor_names.h"
#include "apparmor/apparmor_parser_tool.h"
#include "cli/commands.h"
#include "cli/recorded_access.h"
#include "cli/output_file.h"
#include "core/error.h"
#include "core/subprocess.h"
#include "emitter/profile_validator.h"
#include "emitter/writers.h"
#include "schema/store.h"

namespace armorer::cli {

namespace {

std::string known_profiles(const Store& store) {
  std::string list;
  for (const auto& name : store.profiles()) list += (list.empty() ? "" : ", ") + name;
  return list.empty() ? "the database has no profiles yet" : "known: " + list;
}

void warn(const std::string& line) { std::fprintf(stderr, "armorer: warning: %s\n", line.c_str()); }

// Said once the output is written, so that an error stays the one line it is.
void warn_if_one_run(const std::vector<Run>& runs) {
  if (runs.size() == 1)
    warn("the profile rests on one run: names that change from run to run (work directories, "
         "uploads, caches, temp files) cannot be told from fixed ones, so only those the workload "
         "made or whose shape says so are generalised; record another run before deploying it");
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

// What a run could not record (no hook on its kernel; audit logs hold no system calls) is
// missing from every output that rests on it: said for each kind the format uses ("" = all).
void warn_about_missing_kinds(const std::vector<Run>& runs, const std::string& format) {
  auto used = [&](const std::string& kind) {
    if (format.empty()) return true;
    if (format == "seccomp") return kind == "syscall";
    if (format == "apparmor") return kind != "syscall";
    return kind == "capability";  // ecs, docker, kubernetes: the capability set
  };
  auto facts = [](const std::string& kind) -> std::string {
    if (kind == "capability") return "capability checks";
    if (kind == "syscall") return "system calls";
    if (kind == "file") return "file accesses";
    if (kind == "network") return "sockets";
    return kind + " facts";
  };
  for (const auto& run : runs)
    for (const auto& kind : run.missing_kinds) {
      if (!used(kind)) continue;
      const std::string why = run.source == "audit" ? "an audit log holds none"
                                                    : "its kernel had no hook for them; see `armorer doctor`";
      warn("run " + std::to_string(run.id) + " recorded no " + facts(kind) + " (" + why +
           "): the output denies any the workload needs unless another run recorded them");
    }
}

// Flags that only make sense with one format are refused elsewhere rather than ignored.
void check_flags(const EmitArgs& args, const std::string& format) {
  auto usage = [](const std::string& what) { throw Fatal(what, kExitUsage); };
  if (args.all_formats) {
    if (!args.format.empty()) usage("--all-formats writes every format: leave out --format");
    if (args.output.empty() || args.output == "-") usage("--all-formats needs --output DIR");
    if (!args.task_definition.empty() || args.compose || args.crd)
      usage("--all-formats writes the plain fragments: --task-definition, --compose and --crd go with one --format");
  }
  const bool ecs = format == "ecs" || args.all_formats;
  if (args.fargate && !ecs) usage("--fargate goes with --format ecs");
  if (!args.task_definition.empty() && format != "ecs") usage("--task-definition goes with --format ecs");
  if (args.task_definition.empty() != args.container.empty())
    usage("--task-definition FILE and --container NAME go together");
  if (args.compose && format != "docker") usage("--compose goes with --format docker");
  if (args.crd && format != "kubernetes") usage("--crd goes with --format kubernetes");
}

std::string read_text_file(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Fatal(std::string("cannot read ") + what + " " + comment_safe(path) + ": " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The profile must allow everything that was recorded, except what the analyzer refused to
// write (and says so in `# skipped:` comments); any other gap is a bug, never shipped.
// Returns which observations the profile is written for: a mask, as a copy of a million
// observations costs more than the check itself.
std::vector<bool> check_coverage(const RuleSet& rules, const std::vector<Observation>& observations) {
  // Views into rules.skipped(), which outlives the set.
  using Key = std::tuple<ObsKind, std::string_view, std::string_view, uint32_t, uint32_t>;
  auto key = [](const Observation& o) { return Key{o.kind, o.subject, o.object, o.access, o.flags}; };
  std::set<Key> skipped;
  for (const auto& entry : rules.skipped()) skipped.insert(key(entry.observation));
  for (const auto& obs : uncovered(rules, observations)) {
    if (skipped.count(key(obs))) continue;
    throw Fatal("internal check failed: the generated profile would deny a recorded " +
                std::string(to_string(obs.kind)) + " access to '" + comment_safe(obs.object) + "'");
  }
  if (!rules.skipped().empty())
    std::fprintf(stderr, "armorer: warning: %zu recorded accesses could not be written as rules "
                         "(see the '# skipped:' comments in the profile)\n", rules.skipped().size());
  std::vector<bool> written(observations.size(), true);
  if (!skipped.empty())
    for (size_t i = 0; i < observations.size(); ++i) written[i] = !skipped.count(key(observations[i]));
  return written;
}

// The same check once more on the profile *text*, read back through apparmor_parser -p and the
// independent profile reader that `armorer check` uses: a printing bug cannot ship a profile
// that denies what was recorded. Skipped (with a note) where apparmor_parser is not installed.
void check_profile_text(const RuleSet& rules, const std::vector<Observation>& observations,
                        const std::vector<bool>& written, const ApparmorOptions& options) {
  if (find_apparmor_parser().empty()) {
    warn("apparmor_parser is not installed: the profile text was not read back and checked");
    return;
  }
  const TempFile file(write_apparmor(rules, options), "armorer-emit-check");
  const ProfilePolicy policy = read_profile(file.path(), rules.profile_name());
  // One access at a time, in observation order: the whole list would be a second copy of
  // every recorded path.
  for (size_t i = 0; i < observations.size(); ++i) {
    if (!written[i]) continue;
    const auto access = access_of(observations[i]);
    if (!access) continue;
    const std::string letters = refused(policy, *access);
    if (!letters.empty())
      throw Fatal("internal check failed: the written profile refuses '" + letters + "' on recorded " +
                  access->kind + " '" + comment_safe(access->object) + "'; nothing was written");
  }
}

void validate_profile(const RuleSet& rules, const ApparmorOptions& options) {
  const Validation result = validate_profile_text(write_apparmor(rules, options), rules.profile_name() + ".apparmor");
  if (result.status == Validation::Status::parser_missing)
    warn(result.message + "; the profile was not validated");
  if (result.status == Validation::Status::invalid)
    throw Fatal("apparmor_parser rejected the profile, nothing was written: " + result.message);
}

Emitted emit_one(const EmitArgs& args, const std::string& format, const EmitInput& input,
                 const ApparmorOptions& apparmor) {
  const RuleSet& rules = input.rules;
  if (format == "ecs") {
    const EcsOptions ecs{args.fargate};
    if (args.task_definition.empty()) return write_ecs(rules, ecs);
    const std::string text = read_text_file(args.task_definition, "task definition");
    try {
      return merge_ecs_task_definition(text, args.container, rules, ecs);
    } catch (const Fatal& error) {
      throw Fatal(comment_safe(args.task_definition) + ": " + error.what());
    }
  }
  if (format == "docker") return {args.compose ? write_compose(rules) : write_docker_flags(rules), {}};
  if (format == "kubernetes")
    return {args.crd ? write_spo_profile(rules, apparmor) : write_kubernetes(rules), {}};
  if (format == "seccomp") return write_seccomp(input, SeccompOptions{args.mode == "complain"});
  return {write_apparmor(rules, apparmor), {}};
}

void write_all(const EmitArgs& args, const EmitInput& input, const ApparmorOptions& apparmor) {
  if (::mkdir(args.output.c_str(), 0755) != 0 && errno != EEXIST)
    throw Fatal("cannot create directory " + comment_safe(args.output) + ": " + std::strerror(errno));
  AllFormatsOptions options;
  options.apparmor = apparmor;
  options.ecs.fargate = args.fargate;
  options.seccomp.complain = args.mode == "complain";
  const AllFormats all = write_all_formats(input, options);
  for (const auto& file : all.files) {
    for (const auto& line : file.content.warnings) warn(file.name + ": " + line);
    write_output(args.output + "/" + file.name, file.content.text);
  }
  for (const auto& line : all.not_written) {
    warn("not written: " + line);
    const std::string stale = args.output + "/" + line.substr(0, line.find(": "));
    struct stat st;
    if (::stat(stale.c_str(), &st) == 0)
      warn(comment_safe(stale) + " is left from an earlier emit and no longer matches the profile");
  }
  std::fprintf(stderr, "armorer: wrote %zu files to %s\n", all.files.size(), comment_safe(args.output).c_str());
}

}  // namespace

int emit(const EmitArgs& args) {
  const std::string format = args.format.empty() ? "apparmor" : args.format;
  if (args.bootstrap) {
    if (format != "apparmor" || args.all_formats)
      throw Fatal("--bootstrap writes an AppArmor profile only", kExitUsage);
    write_output(args.output, write_bootstrap_profile(args.profile));
    return 0;
  }
  check_flags(args, format);
  Store store = Store::open(args.db, OpenMode::read_only);
  std::vector<Run> runs = store.runs(args.profile);
  if (runs.empty())
    throw Fatal("unknown profile '" + args.profile + "' in " + args.db + " (" + known_profiles(store) + ")");
  warn_about_runs(runs);
  // One snapshot of observations and the runs behind each, even while `learn` writes.
  ObservationsWithRuns recorded = store.observations_with_runs(args.profile);
  const std::vector<Observation>& observations = recorded.observations;

  AnalyzerOptions options = analyzer_options(AnalysisArgs{args.no_abstractions, args.abstractions, args.exec_mode});
  options.observation_runs = recorded.run_ids;
  RuleSet rules = analyze(args.profile, observations, options);
  const std::vector<bool> written = check_coverage(rules, observations);

  ApparmorOptions apparmor;
  apparmor.complain = args.mode == "complain";
  apparmor.explain = args.explain;
  if (format == "apparmor" || args.all_formats) check_profile_text(rules, observations, written, apparmor);
  if (args.validate) validate_profile(rules, apparmor);
  warn_about_missing_kinds(runs, args.all_formats ? "" : format);

  const EmitInput input{rules, observations};
  if (args.all_formats) {
    write_all(args, input, apparmor);
    warn_if_one_run(runs);
    return 0;
  }
  Emitted emitted = emit_one(args, format, input, apparmor);
  for (const auto& line : emitted.warnings) warn(line);
  write_output(args.output, emitted.text);
  warn_if_one_run(runs);
  return 0;
}

}  // namespace armorer::cli
