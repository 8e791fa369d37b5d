// The subcommands of `armorer`: each takes parsed options and returns the process exit code.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analyzer/analyzer.h"

namespace armorer::cli {

// How a profile is learned from a database; emit and explain share it, so that explain
// speaks of the profile emit writes.
struct AnalysisArgs {
  bool no_abstractions = false;
  std::vector<std::string> abstractions;  // empty: the analyzer's default
  std::string exec_mode = "ix";           // how executed programs run: ix, px, cx, ...
};
// Throws Fatal (usage) for an unknown exec mode.
AnalyzerOptions analyzer_options(const AnalysisArgs& args);

struct LearnArgs {
  std::string db;
  std::string profile;
  std::string label;
  std::vector<std::string> command;  // after --
  std::optional<int> pid;
  std::string cgroup;
  std::string container;
  std::string audit_log;   // FILE or "-"
  std::string aa_profile;  // AppArmor profile in the log (default: --profile)
  std::string executable;  // subject for audit records that name no program
  double duration = 0;
  std::string ready_file;
  uint32_t buffer_size_mib = 16;
  uint32_t max_processes = 32768;   // entries of the in-kernel task map
  uint32_t dedup_entries = 262144;  // entries of the in-kernel de-duplication map
  bool quiet = false;
  bool json = false;
};

struct DoctorArgs {
  bool json = false;
};

struct EmitArgs {
  std::string db;
  std::string profile;
  std::string format;  // empty = apparmor (--all-formats refuses an explicit --format)
  std::string output;  // empty = stdout; a directory with all_formats
  std::string mode = "enforce";
  bool explain = false;
  bool no_abstractions = false;
  std::vector<std::string> abstractions;  // see AnalysisArgs
  std::string exec_mode = "ix";
  bool all_formats = false;
  bool fargate = false;          // ecs
  std::string task_definition;   // ecs: merge into this task-definition JSON file ...
  std::string container;         // ... into this container
  bool compose = false;          // docker: a compose snippet instead of `docker run` flags
  bool crd = false;              // kubernetes: a security-profiles-operator AppArmorProfile
  bool validate = false;         // compile the profile with apparmor_parser before writing
  bool bootstrap = false;        // a rule-less complain-mode profile; no database
};

struct DiffArgs {
  std::vector<std::string> files;  // OLD NEW profile files
  std::vector<std::string> dbs;    // or: two databases, or one with two runs
  std::vector<int64_t> runs;
  std::string profile;
  AnalysisArgs analysis;  // how profiles are learned from the database(s), as emit does
  bool markdown = false;
};

struct ValidateArgs {
  std::vector<std::string> files;
};

struct ExplainArgs {
  std::string db;
  std::string profile;
  std::string path;
  AnalysisArgs analysis;
};

struct MergeArgs {
  std::string out;
  std::vector<std::string> inputs;
};

struct CheckArgs {
  std::string db;        // with profile: the recorded accesses of that profile
  std::string profile;   // also picks the profile in profile_file when it holds several
  std::string accesses;  // or: a TSV list of accesses (FILE or "-")
  std::string profile_file;
};

int learn(const LearnArgs& args);
int learn_from_audit_log(const LearnArgs& args);
int emit(const EmitArgs& args);
// Says what this host offers a training run; 0 full, 1 with gaps (named), 2 cannot record.
int doctor(const DoctorArgs& args);
// Prints what changed between two profiles; 1 when access widened, 2 when an input is unusable.
int diff(const DiffArgs& args);
// Compiles each file with apparmor_parser; 1 when any is rejected or the parser is missing.
int validate(const ValidateArgs& args);
// Lists what profile_file would refuse; 1 when it refuses anything.
int check(const CheckArgs& args);
// Says which rule of the learned profile covers a path and why; 1 when none allows it.
int explain(const ExplainArgs& args);
// Adds every run and observation of the inputs to OUT (created if missing).
int merge(const MergeArgs& args);

}  // namespace armorer::cli
