// RuleSet → the text users deploy. Never reads the database; the same RuleSet always gives
// the same bytes.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "apparmor/rule_set.h"
#include "core/observation.h"

namespace armorer {

struct ApparmorOptions {
  bool complain = false;  // flags=(complain, ...)
  bool explain = false;   // provenance comments above each rule
};

// What a writer may draw on besides the rules: the observations they were made from. The
// seccomp writer needs them, because system calls never become an AppArmor rule.
struct EmitInput {
  const RuleSet& rules;
  std::span<const Observation> observations;
};

// A writer's text, and warnings for stderr (what it had to leave out, and why), one line each:
// JSON and YAML must stay parseable, so such notices never go into the text itself.
struct Emitted {
  std::string text;
  std::vector<std::string> warnings;
};

// An AppArmor 3 profile: `abi <abi/3.0>,`, `include <tunables/global>`,
// `profile NAME flags=(attach_disconnected,mediate_deleted) { ... }`.
std::string write_apparmor(const RuleSet& rules, const ApparmorOptions& options);

struct EcsOptions {
  // Fargate lets a task add only SYS_PTRACE and refuses dockerSecurityOptions altogether.
  bool fargate = false;
};

// The ECS container-definition fragment:
// {"linuxParameters":{"capabilities":{"add":[...],"drop":["ALL"]}},"dockerSecurityOptions":["apparmor:NAME"]}
// pretty-printed with a trailing newline. Capabilities ECS does not accept (AUDIT_READ, BPF,
// PERFMON, CHECKPOINT_RESTORE) and, for Fargate, everything Fargate refuses are left out.
Emitted write_ecs(const RuleSet& rules, const EcsOptions& options);
// write_ecs(rules, {}).text
std::string write_ecs(const RuleSet& rules);

// `task_definition` (a register-task-definition JSON, or describe-task-definition output with
// its "taskDefinition" wrapper) with the fragment merged into the container named
// `container`: its capabilities are replaced, earlier "apparmor:" options are replaced, every
// other key is kept in its order. A task definition that requires FARGATE gets Fargate's
// limits. Throws Fatal when the JSON is malformed or has no such container.
Emitted merge_ecs_task_definition(std::string_view task_definition, std::string_view container,
                                  const RuleSet& rules, EcsOptions options);

// One line of `docker run` flags: --security-opt apparmor=NAME --cap-drop ALL --cap-add ...
std::string write_docker_flags(const RuleSet& rules);
// The security_opt / cap_drop / cap_add keys of a docker compose service.
std::string write_compose(const RuleSet& rules);

// A container `securityContext:` (Kubernetes 1.30+): appArmorProfile Localhost NAME,
// capabilities drop ALL / add the recorded ones.
std::string write_kubernetes(const RuleSet& rules);
// A security-profiles-operator AppArmorProfile object whose spec.policy is the profile text.
// Throws Fatal when the profile name is not a valid Kubernetes object name (SPO requires the
// object to be named like the profile inside it).
std::string write_spo_profile(const RuleSet& rules, const ApparmorOptions& options);

struct SeccompOptions {
  bool complain = false;  // SCMP_ACT_LOG instead of SCMP_ACT_ERRNO for what was not recorded
};

// A Docker/OCI seccomp profile allowing the recorded system calls (by name) plus those the
// container runtime makes between loading the filter and exec'ing the entrypoint. Throws Fatal
// when no system call was recorded at all (an audit-log recording has none): such a filter
// would stop the workload.
Emitted write_seccomp(const EmitInput& input, const SeccompOptions& options);
// The runtime's own system calls that write_seccomp always allows, sorted.
std::span<const std::string_view> runtime_syscalls();

struct AllFormatsOptions {
  ApparmorOptions apparmor;
  EcsOptions ecs;
  SeccompOptions seccomp;
};

struct EmittedFile {
  std::string name;  // "NAME.apparmor", "NAME.ecs.json", ...
  Emitted content;
};

struct AllFormats {
  std::vector<EmittedFile> files;
  std::vector<std::string> not_written;  // "NAME.spo.yaml: <why>"
};

// Every format under a stable file name: NAME.apparmor, NAME.ecs.json, NAME.docker.txt,
// NAME.compose.yaml, NAME.k8s.yaml, NAME.spo.yaml, NAME.seccomp.json. A format that cannot be
// written for these rules is listed in not_written instead.
AllFormats write_all_formats(const EmitInput& input, const AllFormatsOptions& options);

// The complain-mode learning profile for a first run before any data exists (emit --bootstrap).
// Throws Fatal (usage) for an invalid profile name.
std::string write_bootstrap_profile(const std::string& profile_name);

}  // namespace armorer
