// The generaliser's run dimension and the workload's data (issue 13): names that change from
// run to run and names the workload made become patterns, with the reason; and the cases where
// nothing may widen.
#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

#include "analyzer/analyzer.h"
#include "analyzer/path_generaliser.h"
#include "apparmor/aare.h"
#include "emitter/writers.h"
#include "observation_fixture.h"

using namespace armorer;

namespace {

PathUse use(std::string path, uint32_t perms, std::vector<int64_t> runs, bool created = false, bool exec = false) {
  return PathUse{std::move(path), perms, exec, false, std::move(runs), created};
}

struct Result {
  std::map<std::string, std::string> pattern;  // path → pattern
  std::map<std::string, std::string> reason;   // path → why it is wider
};

Result generalise(const std::vector<PathUse>& uses) {
  const auto out = PathGeneraliser().generalise(uses);
  Result result;
  for (size_t i = 0; i < out.paths.size(); ++i) {
    const size_t at = out.path_patterns[i];
    result.pattern[out.paths[i]] = out.patterns[at];
    result.reason[out.paths[i]] = out.reasons[at];
  }
  for (const auto& [path, pattern] : result.pattern) {  // every path matches its own pattern
    CAPTURE(path);
    CAPTURE(pattern);
    auto matcher = Aare::compile(pattern, stock_tunables());
    REQUIRE(matcher);
    CHECK(matcher->matches(path));
  }
  return result;
}

bool matches(const std::string& pattern, const std::string& path) {
  auto matcher = Aare::compile(pattern, stock_tunables());
  return matcher && matcher->matches(path);
}

}  // namespace

TEST_CASE("a per-run work directory and the random names beneath it are variables of the runs") {
  // Two CI jobs: a fresh directory each, an input directory and files of random names in it.
  const auto result = generalise({
      use("/builds/job-k3x9a2/", file_perm::r, {1}),
      use("/builds/job-k3x9a2/m9foru5e/", file_perm::r, {1}),
      use("/builds/job-k3x9a2/m9foru5e/adz1i7ta.txt", file_perm::r, {1}),
      use("/builds/job-p0q7zz/", file_perm::r, {2}),
      use("/builds/job-p0q7zz/oby28jcg/", file_perm::r, {2}),
      use("/builds/job-p0q7zz/oby28jcg/8b5wmhq1.txt", file_perm::r, {2}),
  });
  CHECK(result.pattern.at("/builds/job-k3x9a2/") == "/builds/job-*/");
  CHECK(result.reason.at("/builds/job-k3x9a2/") == "varied in 2 of 2 runs: job-k3x9a2, job-p0q7zz");
  // Below the varying directory the tree varies too: a later run may nest its input deeper or
  // name it otherwise at any level, so it is data all the way down.
  CHECK(result.pattern.at("/builds/job-k3x9a2/m9foru5e/") == "/builds/job-*/**/");
  CHECK(result.pattern.at("/builds/job-k3x9a2/m9foru5e/adz1i7ta.txt") == "/builds/job-*/**");
  CHECK(result.pattern.at("/builds/job-p0q7zz/oby28jcg/8b5wmhq1.txt") == "/builds/job-*/**");
  const std::string& why = result.reason.at("/builds/job-k3x9a2/m9foru5e/adz1i7ta.txt");
  CHECK(why == "varied in 2 of 2 runs: job-k3x9a2, job-p0q7zz; a tree that varied below job-k3x9a2 too");
  CHECK(matches(result.pattern.at("/builds/job-k3x9a2/m9foru5e/adz1i7ta.txt"), "/builds/job-zz/qq/deeper/x.txt"));
  // ... but never outside it.
  CHECK_FALSE(matches(result.pattern.at("/builds/job-k3x9a2/m9foru5e/adz1i7ta.txt"), "/builds/other/x.txt"));
}

TEST_CASE("a name that is the same in every run stays literal, however random it looks") {
  const auto result = generalise({
      use("/srv/app/conf/k8s2jd7x.yaml", file_perm::r, {1, 2}),
      use("/srv/app/conf/", file_perm::r, {1, 2}),
  });
  CHECK(result.pattern.at("/srv/app/conf/k8s2jd7x.yaml") == "/srv/app/conf/k8s2jd7x.yaml");
  CHECK(result.reason.at("/srv/app/conf/k8s2jd7x.yaml").empty());
}

TEST_CASE("runs that did different things in one directory are not one varying name") {
  // Runs 1 and 3 used `made`, run 2 used `w`: `made` is fixed, and `w` alone varies in nothing.
  const auto result = generalise({
      use("/srv/x/made/a", file_perm::r, {1, 3}),
      use("/srv/x/w/b", file_perm::r, {2}),
  });
  CHECK(result.pattern.at("/srv/x/made/a") == "/srv/x/made/a");
  CHECK(result.pattern.at("/srv/x/w/b") == "/srv/x/w/b");
}

TEST_CASE("what the workload made in a directory of its own is data, whatever its name") {
  // One run only: the names cannot tell, but the workload made them.
  const auto result = generalise({
      use("/var/lib/app/", file_perm::r, {1}),
      use("/var/lib/app/shop.sqlite", file_perm::r | file_perm::w, {1}, true),
      use("/var/lib/app/shop.sqlite-journal", file_perm::w, {1}, true),
      use("/var/lib/app/app.conf", file_perm::r, {1}),
  });
  CHECK(result.pattern.at("/var/lib/app/shop.sqlite") == "/var/lib/app/*");
  CHECK(result.pattern.at("/var/lib/app/shop.sqlite-journal") == "/var/lib/app/*");
  CHECK(result.reason.at("/var/lib/app/shop.sqlite").starts_with("created by the workload"));
  // A file it only read keeps its name (the created files' glob grants it nothing more than
  // what the workload did to its own data).
  CHECK(result.pattern.at("/var/lib/app/app.conf") == "/var/lib/app/app.conf");
}

TEST_CASE("nothing is made a glob in shared, system or kernel directories, nor for executables") {
  const auto result = generalise({
      // Made directly in /tmp, a home and /var/tmp: shared with everyone.
      use("/tmp/result.txt", file_perm::w, {1}, true),
      use("/home/u/notes", file_perm::w, {1}, true),
      use("/var/tmp/out.bin", file_perm::w, {1}, true),
      // Names that changed between runs, but in the system's trees.
      use("/etc/app/x1a2b3", file_perm::r, {1}),
      use("/etc/app/q9w8e7", file_perm::r, {2}),
      use("/proc/sys/kernel/aaa", file_perm::r, {1}),
      use("/proc/sys/kernel/bbb", file_perm::r, {2}),
      // A program the workload made and ran.
      use("/srv/w/tool", file_perm::w, {1}, true, true),
      // Different names of each run right in /tmp, with nothing in common: never /tmp/*.
      use("/tmp/alpha", file_perm::r, {1}),
      use("/tmp/omega", file_perm::r, {2}),
  });
  // Each keeps its own name (the home and /proc become their tunables' variables, which is
  // not about the name).
  for (const char* path : {"/tmp/result.txt", "/home/u/notes", "/var/tmp/out.bin", "/etc/app/x1a2b3",
                           "/etc/app/q9w8e7", "/proc/sys/kernel/aaa", "/srv/w/tool", "/tmp/alpha"}) {
    CAPTURE(path);
    const std::string name = std::string(path).substr(std::string(path).rfind('/'));
    CHECK(result.pattern.at(path).ends_with(name));
    CHECK(result.reason.at(path).empty());
  }
}

TEST_CASE("the workload's data never widens over a sensitive location") {
  // ssh writes known_hosts in ~/.ssh: made by the workload, but a glob there would reach the
  // keys and authorized_keys.
  const auto result = generalise({
      use("/root/.ssh/known_hosts", file_perm::r | file_perm::w, {1}, true),
      use("/root/.ssh/known_hosts.old", file_perm::w, {1}, true),
  });
  for (const auto& [path, pattern] : result.pattern) {
    CAPTURE(pattern);
    CHECK_FALSE(matches(pattern, "/root/.ssh/authorized_keys"));
    CHECK_FALSE(matches(pattern, "/root/.ssh/id_ed25519"));
  }
}

TEST_CASE("emit --explain says why a rule is wider than what was recorded") {
  using armorer_test::obs;
  std::vector<Observation> observations = {
      obs(ObsKind::file, "/srv/jobs/run-a8k2/out.txt", access::write | access::create),
      obs(ObsKind::file, "/srv/jobs/run-z0q9/out.txt", access::write | access::create),
      obs(ObsKind::file, "/dev/null", access::read),
  };
  const std::vector<std::vector<int64_t>> runs = {{1}, {2}, {1, 2}};
  AnalyzerOptions options;
  options.observation_runs = runs;
  ApparmorOptions explain;
  explain.explain = true;
  const std::string profile = write_apparmor(analyze("jobs", observations, options), explain);
  CAPTURE(profile);
  CHECK(profile.find("varied in 2 of 2 runs: run-a8k2, run-z0q9") != std::string::npos);
  CHECK(profile.find("created by the workload: out.txt") != std::string::npos);
  CHECK(profile.find("  # a device that takes and gives nothing, like /dev/null, which the workload used\n"
                     "  /dev/zero rw,\n") != std::string::npos);
}
