// ECS settings: the container-definition fragment, alone or merged into a task definition.
// ordered_json keeps keys in the order ECS documents them (and a given task definition in its
// own order), which reads better in review.
#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "apparmor/apparmor_names.h"
#include "core/error.h"
#include "emitter/capability_list.h"
#include "emitter/writers.h"

namespace armorer {

namespace {

using Json = nlohmann::ordered_json;

// KernelCapabilities "Valid values" of the ECS API reference: the task definition is refused
// with any other name, so newer kernel capabilities (AUDIT_READ, BPF, PERFMON,
// CHECKPOINT_RESTORE) cannot be granted through ECS at all.
constexpr std::array<std::string_view, 37> kEcsCapabilities{
    "AUDIT_CONTROL", "AUDIT_WRITE",   "BLOCK_SUSPEND",    "CHOWN",        "DAC_OVERRIDE",
    "DAC_READ_SEARCH", "FOWNER",      "FSETID",           "IPC_LOCK",     "IPC_OWNER",
    "KILL",          "LEASE",         "LINUX_IMMUTABLE",  "MAC_ADMIN",    "MAC_OVERRIDE",
    "MKNOD",         "NET_ADMIN",     "NET_BIND_SERVICE", "NET_BROADCAST", "NET_RAW",
    "SETFCAP",       "SETGID",        "SETPCAP",          "SETUID",       "SYS_ADMIN",
    "SYS_BOOT",      "SYS_CHROOT",    "SYS_MODULE",       "SYS_NICE",     "SYS_PACCT",
    "SYS_PTRACE",    "SYS_RAWIO",     "SYS_RESOURCE",     "SYS_TIME",     "SYS_TTY_CONFIG",
    "SYSLOG",        "WAKE_ALARM"};

// Fargate (platform 1.4.0+) accepts this one addition and nothing else.
constexpr std::string_view kFargateCapability = "SYS_PTRACE";

struct EcsSettings {
  std::vector<std::string> add;
  std::string security_option;  // empty on Fargate
  std::vector<std::string> warnings;
};

EcsSettings ecs_settings(const RuleSet& rules, const EcsOptions& options) {
  EcsSettings settings;
  for (auto& name : container_capabilities(rules)) {
    const bool known = std::find(kEcsCapabilities.begin(), kEcsCapabilities.end(), name) !=
                       kEcsCapabilities.end();
    if (!known) {
      settings.warnings.push_back("left out capability " + name +
                                  ": ECS does not accept it in linuxParameters.capabilities; "
                                  "the workload used it and will be refused it");
    } else if (options.fargate && name != kFargateCapability) {
      settings.warnings.push_back("left out capability " + name +
                                  ": Fargate allows adding only SYS_PTRACE; the workload used it "
                                  "and will be refused it on Fargate");
    } else {
      settings.add.push_back(std::move(name));
    }
  }
  if (options.fargate) {
    settings.warnings.push_back("left out dockerSecurityOptions [\"apparmor:" + rules.profile_name() +
                                "\"]: Fargate does not support dockerSecurityOptions, so the "
                                "AppArmor profile cannot be applied there");
  } else {
    settings.security_option = "apparmor:" + rules.profile_name();
  }
  return settings;
}

Json capabilities_json(const EcsSettings& settings) {
  Json capabilities;
  capabilities["add"] = settings.add;
  capabilities["drop"] = Json::array({"ALL"});
  return capabilities;
}

std::string dump(const Json& json) { return json.dump(2, ' ', false, Json::error_handler_t::strict) + "\n"; }

std::string names_of(const Json& containers) {
  std::string list;
  for (const auto& container : containers) {
    if (!container.is_object() || !container.contains("name") || !container["name"].is_string()) continue;
    list += (list.empty() ? "" : ", ") + comment_safe(container["name"].get<std::string>());
  }
  return list.empty() ? "it names none" : "it has: " + list;
}

bool requires_fargate(const Json& task) {
  const auto found = task.find("requiresCompatibilities");
  if (found == task.end() || !found->is_array()) return false;
  return std::any_of(found->begin(), found->end(),
                     [](const Json& v) { return v.is_string() && v.get<std::string>() == "FARGATE"; });
}

}  // namespace

Emitted write_ecs(const RuleSet& rules, const EcsOptions& options) {
  EcsSettings settings = ecs_settings(rules, options);
  Json fragment;
  fragment["linuxParameters"]["capabilities"] = capabilities_json(settings);
  if (!settings.security_option.empty())
    fragment["dockerSecurityOptions"] = Json::array({settings.security_option});
  return {dump(fragment), std::move(settings.warnings)};
}

std::string write_ecs(const RuleSet& rules) { return write_ecs(rules, EcsOptions{}).text; }

Emitted merge_ecs_task_definition(std::string_view task_definition, std::string_view container,
                                  const RuleSet& rules, EcsOptions options) {
  Json root;
  try {
    root = Json::parse(task_definition);
  } catch (const Json::parse_error& error) {
    throw Fatal("the task definition is not valid JSON: " + comment_safe(error.what()));
  }
  if (!root.is_object()) throw Fatal("the task definition is not a JSON object");
  // `aws ecs describe-task-definition` wraps the definition; register-task-definition does not.
  Json& task = root.contains("taskDefinition") && root["taskDefinition"].is_object()
                   ? root["taskDefinition"]
                   : root;
  if (!task.contains("containerDefinitions") || !task["containerDefinitions"].is_array())
    throw Fatal("the task definition has no containerDefinitions array");
  Json& containers = task["containerDefinitions"];
  auto target = std::find_if(containers.begin(), containers.end(), [&](const Json& c) {
    return c.is_object() && c.contains("name") && c["name"].is_string() &&
           c["name"].get<std::string>() == container;
  });
  if (target == containers.end())
    throw Fatal("the task definition has no container named '" + comment_safe(container) + "' (" +
                names_of(containers) + ")");

  std::vector<std::string> notes;
  if (!options.fargate && requires_fargate(task)) {
    options.fargate = true;
    notes.push_back("the task definition requires FARGATE: following Fargate's limits");
  }
  EcsSettings settings = ecs_settings(rules, options);
  notes.insert(notes.end(), settings.warnings.begin(), settings.warnings.end());

  Json& definition = *target;
  Json& linux_parameters = definition["linuxParameters"];
  if (linux_parameters.is_null()) linux_parameters = Json::object();
  if (!linux_parameters.is_object()) throw Fatal("linuxParameters of the container is not an object");
  linux_parameters["capabilities"] = capabilities_json(settings);

  Json options_json = definition.contains("dockerSecurityOptions") ? definition["dockerSecurityOptions"]
                                                                   : Json::array();
  if (!options_json.is_array()) throw Fatal("dockerSecurityOptions of the container is not an array");
  Json kept = Json::array();
  for (const auto& option : options_json) {
    const bool apparmor = option.is_string() && option.get<std::string>().starts_with("apparmor:");
    if (apparmor && options.fargate)
      notes.push_back("removed dockerSecurityOptions entry '" + comment_safe(option.get<std::string>()) +
                      "': Fargate refuses it");
    if (!apparmor) kept.push_back(option);
  }
  if (!settings.security_option.empty()) kept.push_back(settings.security_option);
  if (options.fargate && !kept.empty())
    notes.push_back("the container still has dockerSecurityOptions, which Fargate refuses: "
                    "remove them before registering");
  if (kept.empty()) {
    definition.erase("dockerSecurityOptions");
  } else {
    definition["dockerSecurityOptions"] = std::move(kept);
  }
  return {dump(root), std::move(notes)};
}

}  // namespace armorer
