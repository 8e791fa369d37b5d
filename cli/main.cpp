// armorer: learn least-privilege AppArmor profiles from what a workload really does.
// This file only parses arguments; the work is in the libraries (see cli/commands.h).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "core/error.h"

namespace {

using armorer::cli::CheckArgs;
using armorer::cli::DiffArgs;
using armorer::cli::DoctorArgs;
using armorer::cli::AnalysisArgs;
using armorer::cli::EmitArgs;
using armorer::cli::ExplainArgs;
using armorer::cli::LearnArgs;
using armorer::cli::MergeArgs;
using armorer::cli::ValidateArgs;

void add_learn(CLI::App& app, LearnArgs& args) {
  auto* learn = app.add_subcommand("learn", "Record a workload and store what it did");
  learn->add_option("--db", args.db, "SQLite database to add the run to (created if missing)")->required();
  learn->add_option("--profile", args.profile, "Profile name the run belongs to")->required();
  learn->add_option("--label", args.label, "Free text stored with the run (e.g. a CI job id)");
  auto* pid = learn->add_option("--pid", args.pid, "Record this running process and its descendants");
  auto* cgroup = learn->add_option("--cgroup", args.cgroup, "Record every process of this cgroup v2 directory");
  auto* container = learn->add_option("--container", args.container,
                                      "Record a runc/containerd/Docker container by id or unique prefix");
  auto* audit = learn->add_option("--audit-log", args.audit_log,
                                  "Learn from AppArmor complain-mode audit records (FILE or -)");
  learn->add_option("--aa-profile", args.aa_profile,
                    "AppArmor profile whose records are kept (default: --profile)")->needs(audit);
  learn->add_option("--executable", args.executable,
                    "Program the audit records belong to, when they name none")->needs(audit);
  pid->excludes(cgroup);
  container->excludes(pid)->excludes(cgroup);
  audit->excludes(pid)->excludes(cgroup)->excludes(container);
  learn->add_option("--duration", args.duration, "Stop after this many seconds")->check(CLI::PositiveNumber);
  learn->add_option("--buffer-size", args.buffer_size_mib, "Ring buffer size in MiB (power of two)")
      ->check(CLI::Range(1, 1024));
  learn->add_option("--max-processes", args.max_processes,
                    "Processes followed at once (in-kernel task map entries)")
      ->check(CLI::Range(16u, 4194304u));
  learn->add_option("--dedup-entries", args.dedup_entries,
                    "Facts the kernel remembers as already sent (in-kernel de-duplication map)")
      ->check(CLI::Range(4096u, 16777216u));
  learn->add_option("--ready-file", args.ready_file,
                    "Create this file (holding armorer's pid) once recording has started");
  learn->add_flag("--quiet,-q", args.quiet, "No status line and no summary");
  learn->add_flag("--json", args.json, "Print the run summary as JSON on stdout");
}

// Options that change the learned profile: emit and explain take the same ones.
void add_analysis(CLI::App* command, bool& no_abstractions, std::vector<std::string>& abstractions,
                  std::string& exec_mode) {
  auto* none = command->add_flag("--no-abstractions", no_abstractions, "Never include stock abstractions");
  command->add_option("--abstractions", abstractions,
                      "Stock abstractions that may be included where they cover recorded accesses "
                      "(default: ssl_certs; also known: base)")
      ->delimiter(',')
      ->excludes(none);
  command->add_option("--exec-mode", exec_mode, "How executed programs run: ix (default), px, Px, cx, Cx, pix, cix")
      ->check(CLI::IsMember({"ix", "px", "Px", "cx", "Cx", "pix", "Pix", "cix", "Cix"}));
}

void add_doctor(CLI::App& app, DoctorArgs& args) {
  auto* doctor = app.add_subcommand(
      "doctor", "Check this host before a training run: BTF, BPF, each hook's attach path, AppArmor, auditd "
                "(exit 0 all recorded, 1 with gaps, 2 cannot record)");
  doctor->add_flag("--json", args.json, "Print the report as JSON on stdout");
}

void add_explain(CLI::App& app, ExplainArgs& args) {
  auto* explain = app.add_subcommand("explain", "Say which rule of the learned profile covers a path, and why (exit 1 if none)");
  explain->add_option("--db", args.db, "SQLite database written by `armorer learn`")->required()->check(CLI::ExistingFile);
  explain->add_option("--profile", args.profile, "Profile to explain")->required();
  explain->add_option("PATH", args.path, "Absolute path ('/' suffix for a directory)")->required();
  AnalysisArgs& analysis = args.analysis;
  add_analysis(explain, analysis.no_abstractions, analysis.abstractions, analysis.exec_mode);
}

void add_merge(CLI::App& app, MergeArgs& args) {
  auto* merge = app.add_subcommand("merge", "Add the runs of databases recorded elsewhere (e.g. other machines) to OUT");
  merge->add_option("OUT", args.out, "Database to merge into (created if missing)")->required();
  merge->add_option("IN", args.inputs, "Databases to merge")->required()->check(CLI::ExistingFile);
}

void add_emit(CLI::App& app, EmitArgs& args) {
  auto* emit = app.add_subcommand("emit", "Write the learned profile in a deployable format");
  emit->add_option("--db", args.db, "SQLite database written by `armorer learn` (required unless --bootstrap)");
  emit->add_option("--profile", args.profile, "Profile to emit")->required();
  emit->add_flag("--bootstrap", args.bootstrap,
                 "A rule-less complain-mode profile for a first run under AppArmor, before any data");
  emit->add_option("--format", args.format, "Output format (default: apparmor)")
      ->check(CLI::IsMember({"apparmor", "ecs", "docker", "kubernetes", "seccomp"}));
  emit->add_option("--output,-o", args.output, "Write to this file instead of stdout (a directory with --all-formats)");
  emit->add_option("--mode", args.mode, "AppArmor profile mode")->check(CLI::IsMember({"enforce", "complain"}));
  emit->add_flag("--explain", args.explain, "Comment each rule with the observations behind it");
  add_analysis(emit, args.no_abstractions, args.abstractions, args.exec_mode);
  emit->add_flag("--all-formats", args.all_formats,
                 "Write every format into --output DIR as NAME.apparmor, NAME.ecs.json, NAME.docker.txt, "
                 "NAME.compose.yaml, NAME.k8s.yaml, NAME.spo.yaml, NAME.seccomp.json");
  emit->add_flag("--fargate", args.fargate, "ecs: follow Fargate's limits (only SYS_PTRACE, no dockerSecurityOptions)");
  emit->add_option("--task-definition", args.task_definition, "ecs: merge into this task-definition JSON file")
      ->check(CLI::ExistingFile);
  emit->add_option("--container", args.container, "ecs: the container of --task-definition to merge into");
  emit->add_flag("--compose", args.compose, "docker: a compose security_opt/cap_add/cap_drop snippet");
  emit->add_flag("--crd", args.crd, "kubernetes: a security-profiles-operator AppArmorProfile object");
  emit->add_flag("--validate", args.validate, "Compile the profile with apparmor_parser before writing");
}

void add_diff(CLI::App& app, DiffArgs& args) {
  auto* diff = app.add_subcommand("diff", "Show added/removed rules and which widen access (exit 1 if any does)");
  diff->add_option("OLD_NEW", args.files, "Two profile files: OLD NEW")->expected(2)->check(CLI::ExistingFile);
  diff->add_option("--db", args.dbs, "Learn both profiles from databases: --db OLD --db NEW (or one --db with two --run)")
      ->check(CLI::ExistingFile);
  diff->add_option("--run", args.runs, "Compare two runs of one database: --run OLD --run NEW");
  diff->add_option("--profile", args.profile, "Profile to learn from the database(s)");
  diff->add_flag("--markdown", args.markdown, "Markdown for a pull-request comment");
  add_analysis(diff, args.analysis.no_abstractions, args.analysis.abstractions, args.analysis.exec_mode);
}

void add_validate(CLI::App& app, ValidateArgs& args) {
  auto* validate = app.add_subcommand("validate", "Compile profiles offline with apparmor_parser (exit 1 if one fails)");
  validate->add_option("FILE", args.files, "Profile files")->required()->check(CLI::ExistingFile);
}

void add_check(CLI::App& app, CheckArgs& args) {
  auto* check = app.add_subcommand("check", "List the recorded accesses a profile would refuse (exit 1 if any)");
  auto* db = check->add_option("--db", args.db, "SQLite database written by `armorer learn`")
                 ->check(CLI::ExistingFile);
  auto* profile = check->add_option("--profile", args.profile,
                                    "Profile whose recorded accesses are checked (and picked in the file)");
  auto* accesses = check->add_option("--accesses", args.accesses,
                                     "Check these accesses instead: TSV lines KIND<TAB>PERMS<TAB>OBJECT (FILE or -)");
  db->needs(profile);
  db->excludes(accesses);
  check->add_option("PROFILE_FILE", args.profile_file, "AppArmor profile to judge")
      ->required()
      ->check(CLI::ExistingFile);
}

// `armorer learn ... -- CMD ARGS`: everything after the first "--" is the command, verbatim.
std::vector<std::string> split_command(std::vector<std::string>& args) {
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] != "--") continue;
    std::vector<std::string> command(args.begin() + static_cast<long>(i) + 1, args.end());
    args.resize(i);
    return command;
  }
  return {};
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  LearnArgs learn_args;
  EmitArgs emit_args;
  CheckArgs check_args;
  DiffArgs diff_args;
  ValidateArgs validate_args;
  ExplainArgs explain_args;
  MergeArgs merge_args;
  DoctorArgs doctor_args;
  bool has_separator = false;
  for (const auto& arg : args) has_separator |= (arg == "--");
  learn_args.command = split_command(args);

  CLI::App app{"armorer: learn least-privilege AppArmor profiles from what a workload does"};
  app.set_version_flag("--version", std::string("armorer ") + ARMORER_VERSION);
  app.require_subcommand(1);
  add_learn(app, learn_args);
  add_emit(app, emit_args);
  add_check(app, check_args);
  add_diff(app, diff_args);
  add_validate(app, validate_args);
  add_explain(app, explain_args);
  add_merge(app, merge_args);
  add_doctor(app, doctor_args);

  try {
    std::vector<std::string> reversed(args.rbegin(), args.rend());
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    std::fputs(app.help().c_str(), stdout);
    return 0;
  } catch (const CLI::CallForVersion&) {
    std::printf("armorer %s\n", ARMORER_VERSION);
    return 0;
  } catch (const CLI::ExtrasError& error) {
    std::fprintf(stderr, "armorer: usage error: %s (a command to record goes after --: "
                 "armorer learn --db FILE --profile NAME -- COMMAND [ARG...])\n", error.what());
    return armorer::kExitUsage;
  } catch (const CLI::ParseError& error) {
    std::fprintf(stderr, "armorer: usage error: %s (see armorer --help)\n", error.what());
    return armorer::kExitUsage;
  }

  try {
    if (app.got_subcommand("learn")) {
      auto* learn = app.get_subcommand("learn");
      int targets = (learn_args.pid ? 1 : 0) + (learn_args.cgroup.empty() ? 0 : 1) +
                    (learn_args.container.empty() ? 0 : 1) + (learn_args.audit_log.empty() ? 0 : 1) +
                    (has_separator ? 1 : 0);
      if (targets == 0)
        throw armorer::Fatal("learn needs a target: -- COMMAND [ARG...], --pid PID, --cgroup DIR, "
                             "--container ID or --audit-log FILE", armorer::kExitUsage);
      if (targets > 1)
        throw armorer::Fatal("learn takes exactly one target: -- COMMAND, --pid, --cgroup, --container "
                             "or --audit-log",
                             armorer::kExitUsage);
      if (has_separator && learn_args.command.empty())
        throw armorer::Fatal("no command after --", armorer::kExitUsage);
      (void)learn;
      if (!learn_args.audit_log.empty()) return armorer::cli::learn_from_audit_log(learn_args);
      return armorer::cli::learn(learn_args);
    }
    if (app.got_subcommand("emit")) {
      if (has_separator || !learn_args.command.empty())
        throw armorer::Fatal("emit takes no command after --", armorer::kExitUsage);
      if (emit_args.bootstrap != emit_args.db.empty())
        throw armorer::Fatal(emit_args.bootstrap ? "--bootstrap writes a profile without data: drop --db"
                                                 : "--db is required", armorer::kExitUsage);
      return armorer::cli::emit(emit_args);
    }
    if (app.got_subcommand("diff") || app.got_subcommand("validate")) {
      if (has_separator || !learn_args.command.empty())
        throw armorer::Fatal("diff and validate take no command after --", armorer::kExitUsage);
      return app.got_subcommand("diff") ? armorer::cli::diff(diff_args) : armorer::cli::validate(validate_args);
    }
    if (app.got_subcommand("explain") || app.got_subcommand("merge")) {
      if (has_separator || !learn_args.command.empty())
        throw armorer::Fatal("explain and merge take no command after --", armorer::kExitUsage);
      return app.got_subcommand("explain") ? armorer::cli::explain(explain_args) : armorer::cli::merge(merge_args);
    }
    if (app.got_subcommand("doctor")) {
      if (has_separator || !learn_args.command.empty())
        throw armorer::Fatal("doctor takes no command after --", armorer::kExitUsage);
      return armorer::cli::doctor(doctor_args);
    }
    if (app.got_subcommand("check")) {
      if (has_separator || !learn_args.command.empty())
        throw armorer::Fatal("check takes no command after --", armorer::kExitUsage);
      if (check_args.db.empty() == check_args.accesses.empty())
        throw armorer::Fatal("check needs the accesses to judge: --db FILE --profile NAME, or --accesses TSV",
                             armorer::kExitUsage);
      return armorer::cli::check(check_args);
    }
  } catch (const armorer::Fatal& error) {
    std::fprintf(stderr, "armorer: %s%s\n",
                 error.exit_code() == armorer::kExitUsage ? "usage error: " : "error: ", error.what());
    return error.exit_code();
  } catch (const std::exception& error) {
    std::fprintf(stderr, "armorer: error: %s\n", error.what());
    return armorer::kExitFailure;
  }
  return 0;
}
