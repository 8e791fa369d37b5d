// The deployment formats: golden output for each (JSON compared parsed), the documented ECS
// and Fargate shapes, task-definition merging, seccomp, --all-formats and validation.
#include <doctest/doctest.h>

#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analyzer/analyzer.h"
#include "core/error.h"
#include "core/syscall_names.h"
#include "emitter/profile_validator.h"
#include "emitter/writers.h"
#include "tests/unit/test_emitter_support.h"

using namespace armorer;
using namespace emitter_test;
using Json = nlohmann::json;

namespace {

const fs::path kGolden = fs::path(ARMORER_SOURCE_DIR) / "tests" / "golden";

// JSON goldens are compared parsed (key order and spacing are not the contract), and the
// bytes must still end in one newline.
void check_golden_json(const std::string& actual, const std::string& name) {
  CHECK(actual.back() == '\n');
  check_golden(actual, name);
  CHECK(Json::parse(actual) == Json::parse(read_file(kGolden / name)));
}

std::vector<Observation> with_syscalls(std::vector<Observation> observations) {
  for (const char* name : {"openat", "read", "mmap", "clone3", "exit_group", "mmap", "bogus_call", "999"})
    observations.push_back(obs(ObsKind::syscall, name));
  return observations;
}

RuleSet golden_rules() { return analyze("web-app", golden_observations(), AnalyzerOptions{}); }

// Every capability AppArmor 3 knows, by kernel number.
RuleSet all_capabilities() {
  std::vector<Observation> observations;
  for (int number = 0; number <= 40; ++number) observations.push_back(obs(ObsKind::capability, std::to_string(number)));
  return analyze("caps", observations, AnalyzerOptions{});
}

const std::set<std::string> kEcsNames{
    "AUDIT_CONTROL", "AUDIT_WRITE", "BLOCK_SUSPEND", "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER",
    "FSETID", "IPC_LOCK", "IPC_OWNER", "KILL", "LEASE", "LINUX_IMMUTABLE", "MAC_ADMIN", "MAC_OVERRIDE",
    "MKNOD", "NET_ADMIN", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_RAW", "SETFCAP", "SETGID", "SETPCAP",
    "SETUID", "SYS_ADMIN", "SYS_BOOT", "SYS_CHROOT", "SYS_MODULE", "SYS_NICE", "SYS_PACCT", "SYS_PTRACE",
    "SYS_RAWIO", "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "SYSLOG", "WAKE_ALARM"};

// The documented shape of linuxParameters.capabilities: names upper case, without CAP_, from
// the API's list of valid values, and ALL in drop.
void check_ecs_shape(const Json& container) {
  const Json& capabilities = container["linuxParameters"]["capabilities"];
  REQUIRE(capabilities.is_object());
  CHECK(capabilities["drop"] == Json::array({"ALL"}));
  REQUIRE(capabilities["add"].is_array());
  for (const auto& name : capabilities["add"]) {
    const std::string text = name.get<std::string>();
    CAPTURE(text);
    CHECK(kEcsNames.count(text) == 1);
    CHECK_FALSE(text.starts_with("CAP_"));
    CHECK(std::none_of(text.begin(), text.end(), [](char c) { return c >= 'a' && c <= 'z'; }));
  }
}

bool mentions(const std::vector<std::string>& lines, std::string_view text) {
  return std::any_of(lines.begin(), lines.end(), [&](const std::string& l) { return l.find(text) != std::string::npos; });
}

// Sets an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    ::setenv(name, value, 1);
  }
  ~ScopedEnv() {
    if (old_) ::setenv(name_, old_->c_str(), 1);
    else ::unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

}  // namespace

// A small rule set built directly, so that the SPO golden does not follow every change of the
// analyzer's generalisation: a capability, a plain path and one that needs quoting.
RuleSet small_rules() {
  RuleSet rules("web-app");
  rules.add(*CapabilityRule::make("net_raw", nullptr), Provenance{});
  for (const char* path : {"/etc/passwd", "/srv/with space"})
    rules.add(*FileRule::make(aare_escape(path), file_perm::r, ExecMode::none, false, false, nullptr), Provenance{});
  return rules;
}

TEST_CASE("golden docker, compose, kubernetes and security-profiles-operator output") {
  const RuleSet rules = golden_rules();
  check_golden(write_docker_flags(rules), "basic.docker.txt");
  CHECK(write_docker_flags(rules) == "--security-opt apparmor=web-app --cap-drop ALL --cap-add NET_RAW --cap-add SETUID\n");
  check_golden(write_compose(rules), "basic.compose.yaml");
  check_golden(write_kubernetes(rules), "basic.k8s.yaml");
  check_golden(write_spo_profile(small_rules(), ApparmorOptions{}), "basic.spo.yaml");
  const std::string spo = write_spo_profile(rules, ApparmorOptions{});

  // spec.policy holds the very profile `emit --format apparmor` writes, indented once.
  const std::string marker = "  policy: |\n";
  const auto at = spo.find(marker);
  REQUIRE(at != std::string::npos);
  std::string policy;
  for (const auto& line : split_lines(spo.substr(at + marker.size())))
    policy += (line.empty() ? line : line.substr(4)) + "\n";
  CHECK(policy == write_apparmor(rules, ApparmorOptions{}));
  check_compiles(policy);
}

TEST_CASE("golden ECS fragment for Fargate says what it left out") {
  const Emitted fargate = write_ecs(golden_rules(), EcsOptions{true});
  check_golden_json(fargate.text, "basic.ecs-fargate.json");
  const Json json = Json::parse(fargate.text);
  CHECK_FALSE(json.contains("dockerSecurityOptions"));
  CHECK(json["linuxParameters"]["capabilities"]["add"] == Json::array());
  check_ecs_shape(json);
  CHECK(fargate.warnings.size() == 3);
  CHECK(mentions(fargate.warnings, "left out capability NET_RAW: Fargate allows adding only SYS_PTRACE"));
  CHECK(mentions(fargate.warnings, "left out capability SETUID"));
  CHECK(mentions(fargate.warnings, "left out dockerSecurityOptions [\"apparmor:web-app\"]"));
}

TEST_CASE("ECS output has the documented shape for every capability AppArmor knows") {
  const Emitted ec2 = write_ecs(all_capabilities(), EcsOptions{});
  const Json json = Json::parse(ec2.text);
  check_ecs_shape(json);
  CHECK(json["linuxParameters"]["capabilities"]["add"].size() == kEcsNames.size());
  CHECK(json["dockerSecurityOptions"] == Json::array({"apparmor:caps"}));
  // The kernel's newer capabilities cannot be granted through ECS: said, not dropped silently.
  CHECK(ec2.warnings.size() == 4);
  for (const char* name : {"AUDIT_READ", "PERFMON", "BPF", "CHECKPOINT_RESTORE"}) CHECK(mentions(ec2.warnings, name));

  const Emitted fargate = write_ecs(all_capabilities(), EcsOptions{true});
  const Json on_fargate = Json::parse(fargate.text);
  check_ecs_shape(on_fargate);
  CHECK(on_fargate["linuxParameters"]["capabilities"]["add"] == Json::array({"SYS_PTRACE"}));
  CHECK_FALSE(on_fargate.contains("dockerSecurityOptions"));
  CHECK(fargate.warnings.size() == 41 - 1 + 1);  // every other capability, and the security option
  CHECK(write_ecs(all_capabilities()) == ec2.text);
}

TEST_CASE("the fragment merged into a task definition keeps everything else") {
  const std::string input = read_file(kGolden / "taskdef.input.json");
  const Emitted merged = merge_ecs_task_definition(input, "web", golden_rules(), EcsOptions{});
  check_golden_json(merged.text, "taskdef.merged.json");
  const Json json = Json::parse(merged.text);
  const Json& web = json["containerDefinitions"][0];
  check_ecs_shape(web);
  CHECK(web["linuxParameters"]["initProcessEnabled"] == true);
  CHECK(web["dockerSecurityOptions"] == Json::array({"no-new-privileges", "apparmor:web-app"}));
  CHECK(json["containerDefinitions"][1] == Json::parse(input)["containerDefinitions"][1]);
  CHECK(merged.warnings.empty());

  // describe-task-definition output wraps the definition.
  const std::string wrapped = "{\"taskDefinition\": " + input + "}";
  const Json described = Json::parse(merge_ecs_task_definition(wrapped, "web", golden_rules(), EcsOptions{}).text);
  CHECK(described["taskDefinition"] == json);
}

TEST_CASE("a task definition that requires FARGATE gets Fargate's limits") {
  Json input = Json::parse(read_file(kGolden / "taskdef.input.json"));
  input["requiresCompatibilities"] = Json::array({"FARGATE"});
  const Emitted merged = merge_ecs_task_definition(input.dump(), "web", golden_rules(), EcsOptions{});
  const Json json = Json::parse(merged.text);
  const Json& web = json["containerDefinitions"][0];
  CHECK(web["linuxParameters"]["capabilities"]["add"] == Json::array());
  CHECK(web["dockerSecurityOptions"] == Json::array({"no-new-privileges"}));
  CHECK(mentions(merged.warnings, "requires FARGATE"));
  CHECK(mentions(merged.warnings, "removed dockerSecurityOptions entry 'apparmor:old-profile'"));
  CHECK(mentions(merged.warnings, "still has dockerSecurityOptions"));
}

TEST_CASE("merging refuses a missing container or malformed JSON with one line") {
  const std::string input = read_file(kGolden / "taskdef.input.json");
  for (const auto& [text, container, expected] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {input, "db", "no container named 'db' (it has: web, sidecar)"},
           {input, "we\nb", "no container named 'we\\x0ab'"},
           {"{\"family\": ", "web", "not valid JSON"},
           {"[]", "web", "not a JSON object"},
           {"{\"family\": \"x\"}", "web", "no containerDefinitions array"}}) {
    CAPTURE(expected);
    try {
      (void)merge_ecs_task_definition(text, container, golden_rules(), EcsOptions{});
      FAIL("accepted");
    } catch (const Fatal& error) {
      const std::string message = error.what();
      CHECK(message.find(expected) != std::string::npos);
      CHECK(message.find('\n') == std::string::npos);
    }
  }
}

TEST_CASE("kubernetes output without capabilities adds none, and SPO needs a Kubernetes name") {
  const RuleSet quiet = analyze("quiet", std::vector{obs(ObsKind::file, "/etc/hosts", access::read)}, AnalyzerOptions{});
  const std::string k8s = write_kubernetes(quiet);
  CHECK(k8s.find("    localhostProfile: \"quiet\"\n") != std::string::npos);
  CHECK(k8s.ends_with("    drop:\n      - \"ALL\"\n    add: []\n"));
  CHECK(write_compose(quiet).ends_with("cap_add: []\n"));
  CHECK(write_docker_flags(quiet) == "--security-opt apparmor=quiet --cap-drop ALL\n");

  for (const std::string name : {"Web-App", "web_app", "web..app", "x.-y", "x-", "x.", "A"}) {
    CAPTURE(name);
    const RuleSet rules = analyze(name, {}, AnalyzerOptions{});
    CHECK_THROWS_AS(write_spo_profile(rules, ApparmorOptions{}), Fatal);
  }
  for (const char* name : {"web", "web-app.v2", "a", "0.9"})
    CHECK_NOTHROW(write_spo_profile(analyze(name, {}, AnalyzerOptions{}), ApparmorOptions{}));
}

TEST_CASE("golden seccomp profile: recorded names, the runtime's own, nothing else") {
  const auto observations = with_syscalls(golden_observations());
  const RuleSet rules = analyze("web-app", observations, AnalyzerOptions{});
  const Emitted seccomp = write_seccomp(EmitInput{rules, observations}, SeccompOptions{});
  check_golden_json(seccomp.text, "basic.seccomp.json");
  const Json json = Json::parse(seccomp.text);
  CHECK(json["defaultAction"] == "SCMP_ACT_ERRNO");
  CHECK(json["architectures"] == Json::array({"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"}));
  REQUIRE(json["syscalls"].size() == 2);
  CHECK(json["syscalls"][0]["names"] == Json::array({"clone3", "exit_group", "mmap"}));
  std::vector<std::string> runtime;
  for (const auto name : runtime_syscalls()) runtime.emplace_back(name);
  CHECK(json["syscalls"][1]["names"] == Json(runtime));
  CHECK(std::is_sorted(runtime.begin(), runtime.end()));
  for (const auto& name : runtime) CHECK_MESSAGE(syscall_number(name).has_value(), name);
  CHECK(seccomp.warnings.size() == 2);
  CHECK(mentions(seccomp.warnings, "'bogus_call'"));
  CHECK(mentions(seccomp.warnings, "'999'"));

  const Json complain = Json::parse(write_seccomp(EmitInput{rules, observations}, SeccompOptions{true}).text);
  CHECK(complain["defaultAction"] == "SCMP_ACT_LOG");
  CHECK_FALSE(complain.contains("defaultErrnoRet"));
}

TEST_CASE("seccomp refuses a recording without system calls and keeps hostile names out") {
  const auto files_only = std::vector{obs(ObsKind::file, "/etc/hosts", access::read)};
  const RuleSet rules = analyze("audit-only", files_only, AnalyzerOptions{});
  CHECK_THROWS_WITH_AS(write_seccomp(EmitInput{rules, files_only}, SeccompOptions{}),
                       doctest::Contains("no system calls were recorded"), Fatal);

  const auto hostile = std::vector{obs(ObsKind::syscall, "read\"],\"action\":\"SCMP_ACT_ALLOW"),
                                   obs(ObsKind::syscall, "a\nb"), obs(ObsKind::syscall, "uname")};
  const Emitted out = write_seccomp(EmitInput{rules, hostile}, SeccompOptions{});
  const Json json = Json::parse(out.text);
  CHECK(json["syscalls"][0]["names"] == Json::array({"uname"}));
  CHECK(out.warnings.size() == 2);
  for (const auto& line : out.warnings) CHECK(line.find('\n') == std::string::npos);
}

TEST_CASE("--all-formats: stable names, and a format that cannot be written is reported") {
  const auto observations = with_syscalls(golden_observations());
  const RuleSet rules = analyze("web-app", observations, AnalyzerOptions{});
  const AllFormats all = write_all_formats(EmitInput{rules, observations}, AllFormatsOptions{});
  std::vector<std::string> names;
  for (const auto& file : all.files) names.push_back(file.name);
  CHECK(names == std::vector<std::string>{"web-app.apparmor", "web-app.ecs.json", "web-app.docker.txt",
                                          "web-app.compose.yaml", "web-app.k8s.yaml", "web-app.spo.yaml",
                                          "web-app.seccomp.json"});
  CHECK(all.not_written.empty());
  CHECK(all.files[0].content.text == write_apparmor(rules, ApparmorOptions{}));
  CHECK(all.files[6].content.warnings.size() == 2);

  const auto no_syscalls = golden_observations();
  const RuleSet upper = analyze("Web_App", std::vector<Observation>(no_syscalls.begin(), no_syscalls.end() - 1),
                                AnalyzerOptions{});
  const AllFormats partial = write_all_formats(EmitInput{upper, {}}, AllFormatsOptions{});
  CHECK(partial.files.size() == 5);
  REQUIRE(partial.not_written.size() == 2);
  CHECK(partial.not_written[0].starts_with("Web_App.spo.yaml: "));
  CHECK(partial.not_written[1].starts_with("Web_App.seccomp.json: no system calls"));
}

TEST_CASE("validation reports apparmor_parser's message, or that the parser is missing") {
  if (parser_check_disabled()) return;
  const RuleSet rules = golden_rules();
  CHECK(validate_profile_text(write_apparmor(rules, ApparmorOptions{}), "web-app.apparmor").status ==
        Validation::Status::valid);
  const Validation broken = validate_profile_text("profile x {\n  /etc/passwd rr x,\n}\n", "broken.apparmor");
  CHECK(broken.status == Validation::Status::invalid);
  CHECK(broken.message.find("broken.apparmor") != std::string::npos);
  CHECK(broken.message.find("line 2") != std::string::npos);
  CHECK(validate_profile_file("/nonexistent/profile").status == Validation::Status::invalid);

  const ScopedEnv missing("ARMORER_APPARMOR_PARSER", "/nonexistent/apparmor_parser");
  const Validation none = validate_profile_text("profile x {}\n", "x");
  CHECK(none.status == Validation::Status::parser_missing);
  CHECK(none.message.find("apparmor_parser not found") != std::string::npos);
}
