// The subcommands of `armorer`: each takes parsed options and returns the process exit code.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace armorer::cli {

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
  bool quiet = false;
  bool json = false;
};

struct EmitArgs {
  std::string db;
  std::string profile;
  std::string format = "apparmor";
  std::string output;  // empty = stdout
  std::string mode = "enforce";
  bool explain = false;
  bool no_abstractions = false;
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
// Lists what profile_file would refuse; 1 when it refuses anything.
int check(const CheckArgs& args);

}  // namespace armorer::cli
