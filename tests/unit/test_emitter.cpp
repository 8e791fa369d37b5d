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
#include "analyzer/apparmor_names.h"
#include "core/error.h"
#include "emitter/writers.h"

using namespace armorer;
namespace fs = std::filesystem;

namespace {

const char* const kFeatures = "/usr/share/apparmor-features/features";

Observation obs(ObsKind kind, std::string object, uint32_t bits = 0, uint32_t flags = 0,
                std::string subject = "/usr/bin/app", uint64_t count = 1) {
  Observation o;
  o.kind = kind;
  o.subject = std::move(subject);
  o.object = std::move(object);
  o.access = bits;
  o.flags = flags;
  o.count = count;
  return o;
}

bool parser_check_disabled() {
  const char* value = std::getenv("ARMORER_NO_APPARMOR_PARSER");
  return value && std::string(value) == "1";
}

std::optional<fs::path> find_apparmor_parser() {
  std::vector<std::string> dirs{"/usr/sbin", "/sbin"};
  if (const char* path = std::getenv("PATH")) {
    std::istringstream in(path);
    for (std::string dir; std::getline(in, dir, ':');) dirs.push_back(dir);
  }
  for (const auto& dir : dirs) {
    const fs::path candidate = fs::path(dir) / "apparmor_parser";
    if (!dir.empty() && ::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return std::nullopt;
}

struct ParserRun {
  int exit_code = -1;
  std::string output;
};

ParserRun run_apparmor_parser(const fs::path& parser, const std::string& profile) {
  char name[] = "/tmp/armorer-profile-XXXXXX";
  const int fd = ::mkstemp(name);
  REQUIRE(fd >= 0);
  ::close(fd);
  { std::ofstream(name, std::ios::binary) << profile; }
  const std::string command =
      "'" + parser.string() + "' -Q -K -M " + kFeatures + " '" + name + "' 2>&1";
  ParserRun run;
  if (FILE* pipe = ::popen(command.c_str(), "r")) {
    char buffer[4096];
    for (size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) run.output.append(buffer, n);
    const int status = ::pclose(pipe);
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  ::unlink(name);
  return run;
}

// Fails loudly when the parser is missing: a profile nobody compiled proves nothing.
void check_compiles(const std::string& profile) {
  if (parser_check_disabled()) {
    MESSAGE("ARMORER_NO_APPARMOR_PARSER=1: profile not compiled");
    return;
  }
  const auto parser = find_apparmor_parser();
  REQUIRE_MESSAGE(parser.has_value(),
                  "apparmor_parser not found: install apparmor, or set ARMORER_NO_APPARMOR_PARSER=1");
  REQUIRE_MESSAGE(fs::exists(kFeatures), kFeatures << " is missing (apt install apparmor)");
  const ParserRun run = run_apparmor_parser(*parser, profile);
  CAPTURE(profile);
  CHECK_MESSAGE(run.exit_code == 0, "apparmor_parser: " << run.output);
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// ARMORER_UPDATE_GOLDEN=1 rewrites the golden file instead of comparing: review the diff.
void check_golden(const std::string& actual, const std::string& name) {
  const fs::path path = fs::path(ARMORER_SOURCE_DIR) / "tests" / "golden" / name;
  if (const char* update = std::getenv("ARMORER_UPDATE_GOLDEN"); update && std::string(update) == "1") {
    std::ofstream(path, std::ios::binary) << actual;
    MESSAGE("rewrote " << path.string());
    return;
  }
  REQUIRE_MESSAGE(fs::exists(path), path.string() << " is missing");
  CHECK(actual == read_file(path));
}

std::vector<Observation> golden_observations() {
  return {
      obs(ObsKind::capability, "net_raw", 0, 0, "/usr/bin/ping"),
      obs(ObsKind::capability, "setuid", 0, 0, "/usr/bin/app"),
      obs(ObsKind::network, "inet raw 1", 0, 0, "/usr/bin/ping", 4),
      obs(ObsKind::network, "2 1 6"),
      obs(ObsKind::network, "inet6 dgram 17"),
      obs(ObsKind::signal, "term /usr/bin/worker"),
      obs(ObsKind::signal, "SIGHUP /usr/bin/worker", 0, 0, "/usr/bin/app", 2),
      obs(ObsKind::ptrace, "/usr/bin/child"),
      obs(ObsKind::mount, "tmpfs tmpfs /mnt/scratch"),
      obs(ObsKind::unix_socket, "stream @session-bus"),
      obs(ObsKind::unix_socket, "dgram /run/app.sock"),
      obs(ObsKind::exec, "/usr/bin/cat", access::exec, 0, "/bin/sh"),
      obs(ObsKind::exec, "/bin/sh", access::exec, 0, "/usr/bin/app"),
      obs(ObsKind::file, "/etc/passwd", access::read, 0, "/usr/bin/cat", 3),
      obs(ObsKind::file, "/etc/passwd", access::read, 0, "/usr/bin/app"),
      obs(ObsKind::file, "/tmp/out", access::write | access::create, obs_flag::owner),
      obs(ObsKind::file, "/var/log/app.log", access::append),
      obs(ObsKind::file, "/data", access::read, obs_flag::directory),
      obs(ObsKind::file, "/run/lock/app.lock", access::write | access::lock),
      obs(ObsKind::file, "/proc/1234/status", access::read),
      obs(ObsKind::file, "/proc/77/task/78/stat", access::read),
      obs(ObsKind::file, "/usr/lib/x86_64-linux-gnu/libc.so.6", access::read | access::mmap_exec),
      obs(ObsKind::file, "/etc/ld.so.cache", access::read),
      obs(ObsKind::file, "/dev/null", access::read | access::write),
      obs(ObsKind::file, "/var/cache/very/long/na", access::read, obs_flag::truncated),
      obs(ObsKind::syscall, "openat"),
  };
}

// Each observation seen in run 1; the exec'd shell and /etc/passwd in run 2 as well.
std::vector<std::vector<int64_t>> golden_runs(const std::vector<Observation>& observations) {
  std::vector<std::vector<int64_t>> runs;
  for (const auto& o : observations)
    runs.push_back(o.object == "/bin/sh" || o.object == "/etc/passwd" ? std::vector<int64_t>{1, 2}
                                                                     : std::vector<int64_t>{1});
  return runs;
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// The lines between `profile ... {` and the closing `}`, trimmed.
std::vector<std::string> body_lines(const std::string& profile) {
  std::vector<std::string> body;
  bool inside = false;
  for (const auto& line : split_lines(profile)) {
    if (line.starts_with("profile ")) {
      inside = true;
      continue;
    }
    if (line == "}") inside = false;
    if (!inside) continue;
    const auto start = line.find_first_not_of(' ');
    if (start != std::string::npos) body.push_back(line.substr(start));
  }
  return body;
}

// What apparmor_parser makes of a path token: quotes removed, escapes decoded, and AARE
// metacharacters that arrived escaped kept escaped (the parser's processunquoted rules).
std::string parser_pattern(const std::string& token) {
  std::string_view text = token;
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') text = text.substr(1, text.size() - 2);
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\' || i + 1 == text.size()) {
      out += text[i];
      continue;
    }
    std::optional<int> decoded;
    size_t next = i + 1;
    auto number = [&](int base, size_t max_digits) -> std::optional<int> {
      int value = 0;
      size_t digits = 0;
      while (digits < max_digits && next < text.size()) {
        const int digit = std::isdigit(static_cast<unsigned char>(text[next])) ? text[next] - '0'
                          : std::isxdigit(static_cast<unsigned char>(text[next]))
                              ? std::tolower(static_cast<unsigned char>(text[next])) - 'a' + 10
                              : 99;
        if (digit >= base || value * base + digit > 255) break;
        value = value * base + digit;
        ++next, ++digits;
      }
      return digits ? std::optional<int>(value) : std::nullopt;
    };
    const char c = text[next];
    if (c >= '0' && c <= '7') {
      decoded = number(8, 3);
    } else {
      ++next;
      switch (c) {
        case '\\': decoded = '\\'; break;
        case '"': decoded = '"'; break;
        case 'd': decoded = number(10, 3); break;
        case 'x': decoded = number(16, 2); break;
        case 'a': decoded = '\a'; break;
        case 'e': decoded = 033; break;
        case 'f': decoded = '\f'; break;
        case 'n': decoded = '\n'; break;
        case 'r': decoded = '\r'; break;
        case 't': decoded = '\t'; break;
        default: break;
      }
    }
    if (!decoded) {  // not an escape the parser knows: the backslash stays, for AARE to read
      out += '\\';
      continue;
    }
    if (std::string_view("*?[]{}^,\\").find(static_cast<char>(*decoded)) != std::string_view::npos)
      out += '\\';
    out += static_cast<char>(*decoded);
    i = next - 1;
  }
  return out;
}

struct ParsedFileRule {
  std::string pattern;
  std::string rest;  // everything after the path token
};

ParsedFileRule parse_file_rule(const std::string& line) {
  size_t end = 0;
  if (line.starts_with('"')) {
    end = 1;
    while (end < line.size() && line[end] != '"') end += line[end] == '\\' ? 2 : 1;
    end = std::min(end + 1, line.size());
  } else {
    end = std::min(line.find(' '), line.size());
  }
  return {parser_pattern(line.substr(0, end)), line.substr(end)};
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
    if (line.starts_with('#')) continue;
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
