// The writers: golden outputs, determinism, hostile names, and every profile the tests emit
// compiled offline by apparmor_parser (the parser must be installed; it is here and in CI).
#include <doctest/doctest.h>

#include <unistd.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analyzer/analyzer.h"
#include "apparmor/apparmor_names.h"
#include "core/error.h"
#include "emitter/writers.h"
#include "tests/unit/test_emitter_support.h"

using namespace armorer;
using namespace emitter_test;
namespace fs = std::filesystem;

namespace {

// Each observation seen in run 1; the exec'd shell and /etc/passwd in run 2 as well.
std::vector<std::vector<int64_t>> golden_runs(const std::vector<Observation>& observations) {
  std::vector<std::vector<int64_t>> runs;
  for (const auto& o : observations)
    runs.push_back(o.object == "/bin/sh" || o.object == "/etc/passwd" ? std::vector<int64_t>{1, 2}
                                                                     : std::vector<int64_t>{1});
  return runs;
}

}  // namespace

TEST_CASE("golden profile and ECS fragment") {
  const auto observations = golden_observations();
  const RuleSet rules = analyze("web-app", observations, AnalyzerOptions{});
  const std::string profile = write_apparmor(rules, ApparmorOptions{});
  check_golden(profile, "basic.apparmor");
  check_compiles(profile);

  const auto runs = golden_runs(observations);
  AnalyzerOptions with_runs;
  with_runs.use_abstractions = false;
  with_runs.observation_runs = runs;
  ApparmorOptions explain;
  explain.explain = true;
  const std::string explained = write_apparmor(analyze("web-app", observations, with_runs), explain);
  check_golden(explained, "explain.apparmor");
  check_compiles(explained);

  const std::string ecs = write_ecs(rules);
  CHECK(ecs.back() == '\n');
  const auto golden_path = fs::path(ARMORER_SOURCE_DIR) / "tests" / "golden" / "basic.ecs.json";
  check_golden(ecs, "basic.ecs.json");
  CHECK(nlohmann::json::parse(ecs) == nlohmann::json::parse(read_file(golden_path)));
  CHECK(nlohmann::json::parse(ecs) == nlohmann::json::parse(R"({
    "linuxParameters": {"capabilities": {"add": ["NET_RAW", "SETUID"], "drop": ["ALL"]}},
    "dockerSecurityOptions": ["apparmor:web-app"]})"));
}

TEST_CASE("the ECS fragment with no capabilities drops them all") {
  const RuleSet rules = analyze("quiet", std::vector{obs(ObsKind::file, "/etc/hosts", access::read)},
                                AnalyzerOptions{});
  const auto ecs = nlohmann::json::parse(write_ecs(rules));
  CHECK(ecs["linuxParameters"]["capabilities"]["add"] == nlohmann::json::array());
  CHECK(ecs["linuxParameters"]["capabilities"]["drop"] == nlohmann::json::array({"ALL"}));
  CHECK(ecs["dockerSecurityOptions"] == nlohmann::json::array({"apparmor:quiet"}));
  CHECK(write_ecs(rules).find("\n  \"linuxParameters\": {") != std::string::npos);  // 2-space indent
}

TEST_CASE("complain mode only changes the flags") {
  const RuleSet rules = analyze("web-app", golden_observations(), AnalyzerOptions{});
  ApparmorOptions complain;
  complain.complain = true;
  const std::string enforcing = write_apparmor(rules, ApparmorOptions{});
  const std::string complaining = write_apparmor(rules, complain);
  CHECK(complaining.find("profile web-app flags=(complain,attach_disconnected,mediate_deleted) {\n") !=
        std::string::npos);
  std::string expected = enforcing;
  const std::string flags = "flags=(attach_disconnected";
  expected.replace(expected.find(flags), flags.size(), "flags=(complain,attach_disconnected");
  CHECK(complaining == expected);
  check_compiles(complaining);
}

TEST_CASE("the same observations in any order give byte-identical output") {
  auto observations = golden_observations();
  const std::string reference = write_apparmor(analyze("web-app", observations, AnalyzerOptions{}),
                                               ApparmorOptions{false, true});
  for (unsigned seed = 1; seed <= 20; ++seed) {
    std::mt19937 random(seed);
    std::shuffle(observations.begin(), observations.end(), random);
    const RuleSet rules = analyze("web-app", observations, AnalyzerOptions{});
    CHECK(write_apparmor(rules, ApparmorOptions{false, true}) == reference);
  }
}

TEST_CASE("an empty rule set is still a valid profile") {
  const std::string profile = write_apparmor(analyze("empty", {}, AnalyzerOptions{}), ApparmorOptions{});
  CHECK(profile.find("from 0 observations of profile empty.") != std::string::npos);
  check_compiles(profile);
}

TEST_CASE("an object skipped for several subjects is one comment line") {
  const std::vector<Observation> observations{
      obs(ObsKind::file, "/cut/na", access::read, obs_flag::truncated, "/usr/bin/a"),
      obs(ObsKind::file, "/cut/na", access::read, obs_flag::truncated, "/usr/bin/b"),
      obs(ObsKind::file, "/cut/other", access::read, obs_flag::truncated, "/usr/bin/b"),
  };
  const RuleSet rules = analyze("cut", observations, AnalyzerOptions{});
  CHECK(rules.skipped().size() == 3);
  const std::string profile = write_apparmor(rules, ApparmorOptions{});
  const auto body = body_lines(profile);
  CHECK(std::count(body.begin(), body.end(), "# skipped: path was truncated by the recorder: file /cut/na") == 1);
  CHECK(std::count(body.begin(), body.end(), "# skipped: path was truncated by the recorder: file /cut/other") == 1);
  check_compiles(profile);
}

TEST_CASE("hostile file names never widen a rule") {
  const std::vector<std::string> names{
      "x, /** rwx,", "a\"b",      "a\nb",       "{a,b}",         "*",       "..",
      "with space",  "#",         "a#b",        "back\\slash",   "q?",      "[ab]",
      "@{HOME}",     "tab\there", "^caret",     "trailing\\",    "\"",      "r,\n/** rwx,\n",
      "\x7f\xff",    "a\\,b",     "**",         "\\052",         "}",       "a\rb"};
  std::vector<Observation> observations;
  std::vector<std::string> literals;
  for (const auto& name : names) {
    literals.push_back("/srv/" + name);
    observations.push_back(obs(ObsKind::file, literals.back(), access::read, 0, "/srv/" + name));
  }
  // Paths a widened rule would let through.
  std::vector<std::string> probes = literals;
  for (const char* probe : {"/srv/x", "/srv/a", "/srv/b", "/srv/ab", "/srv/anything", "/srv/",
                            "/srv/x, /etc/shadow", "/etc/shadow", "/srv/aXb", "/srv/q", "/srv/qq",
                            "/srv/a,b", "/srv/with", "/srv/back", "/srv/.", "/srv/\\", "/srv/r,",
                            "/srv/a\\b", "/srv/a b"})
    probes.push_back(probe);

  const RuleSet rules = analyze("hostile", observations, AnalyzerOptions{});
  ApparmorOptions explain;
  explain.explain = true;  // subjects are hostile too, and land in comments
  const std::string profile = write_apparmor(rules, explain);
  check_compiles(profile);

  size_t rule_lines = 0;
  std::vector<std::string> allowed;
  for (const auto& line : body_lines(profile)) {
    // The runtime's signal rules (analyze() adds them to every profile without base).
    if (line.starts_with('#') || line.starts_with("signal (")) continue;
    CAPTURE(line);
    const ParsedFileRule rule = parse_file_rule(line);
    CHECK(rule.rest == " r,");
    std::string error;
    const auto matcher = Aare::compile(rule.pattern, stock_tunables(), &error);
    REQUIRE_MESSAGE(matcher.has_value(), error);
    std::vector<std::string> matched;
    for (const auto& probe : probes)
      if (matcher->matches(probe)) matched.push_back(probe);
    CAPTURE(rule.pattern);
    REQUIRE(matched.size() == 1);
    CHECK(std::find(literals.begin(), literals.end(), matched[0]) != literals.end());
    allowed.push_back(matched[0]);
    ++rule_lines;
  }
  // Every name is either allowed exactly or listed as skipped; none is both, none twice.
  CHECK(rule_lines + rules.skipped().size() == names.size());
  std::sort(allowed.begin(), allowed.end());
  CHECK(std::adjacent_find(allowed.begin(), allowed.end()) == allowed.end());
  for (const auto& skipped : rules.skipped())
    CHECK(std::find(allowed.begin(), allowed.end(), skipped.observation.object) == allowed.end());
  // And the coverage check agrees with the profile text.
  CHECK(uncovered(rules, observations).size() == rules.skipped().size());
}

TEST_CASE("hostile peers, mount paths and socket addresses stay literal") {
  const std::vector<Observation> observations{
      obs(ObsKind::signal, "term a, /** rwx,"),
      obs(ObsKind::signal, "term peer=(x)"),
      obs(ObsKind::ptrace, "x\n/** rwx,"),
      obs(ObsKind::ptrace, "*"),
      obs(ObsKind::mount, "tmpfs src{a,b} /mnt/x y, /** rwx,"),
      obs(ObsKind::mount, "ext4, /dev/sda /mnt"),
      obs(ObsKind::unix_socket, "stream @bus\"),"),
      obs(ObsKind::unix_socket, "stream @*"),
  };
  const RuleSet rules = analyze("hostile", observations, AnalyzerOptions{});
  const std::string profile = write_apparmor(rules, ApparmorOptions{});
  check_compiles(profile);
  // One line per rule: no name managed to end its line early and start another rule.
  size_t rule_lines = 0;
  for (const auto& line : body_lines(profile)) {
    if (line.starts_with('#')) continue;
    CAPTURE(line);
    CHECK(line.back() == ',');
    ++rule_lines;
  }
  CHECK(rule_lines == rules.entries().size());
  CHECK(rules.entries().size() + rules.skipped().size() >= 6);
  CHECK(uncovered(rules, observations).size() == rules.skipped().size());
  // Each rule covers its own observation and not a wildcard stand-in for it.
  CHECK_FALSE(rules.allows(obs(ObsKind::ptrace, "anything")));
  CHECK(rules.allows(obs(ObsKind::ptrace, "*")));
  CHECK_FALSE(rules.allows(obs(ObsKind::unix_socket, "stream @anything")));
  CHECK_FALSE(rules.allows(obs(ObsKind::signal, "term a")));
  // "ext4," is not a file system type: skipped, not written.
  CHECK(profile.find("fstype=ext4") == std::string::npos);
}

TEST_CASE("invalid profile names are refused with one clear line") {
  for (const std::string name : {"x, /** rwx,", "a\"b", "a\nb", "{a,b}", "*", "..", "a b", "#"}) {
    CAPTURE(comment_safe(name));
    try {
      (void)analyze(name, {}, AnalyzerOptions{});
      FAIL("accepted");
    } catch (const Fatal& error) {
      CHECK(std::string(error.what()).find('\n') == std::string::npos);
      CHECK(error.exit_code() == kExitUsage);
    }
  }
}
