// `armorer diff`: which changes widen access, for every rule kind, and the two reports.
#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

#include "analyzer/analyzer.h"
#include "core/error.h"
#include "emitter/pattern_probe.h"
#include "emitter/profile_diff.h"
#include "emitter/writers.h"
#include "tests/unit/test_emitter_support.h"

using namespace armorer;
using namespace emitter_test;

namespace {

// A profile with these lines as its body.
std::string profile(const std::string& body, const std::string& flags = "attach_disconnected") {
  return "abi <abi/3.0>,\ninclude <tunables/global>\n\nprofile web flags=(" + flags + ") {\n" + body + "}\n";
}

// The verdict on one added line of NEW against OLD.
RuleChange added_verdict(const std::string& old_body, const std::string& new_line) {
  const ProfileDiff diff = diff_profiles(profile(old_body), profile(old_body + "  " + new_line + "\n"));
  REQUIRE(diff.removed.empty());
  REQUIRE(diff.added.size() == 1);
  CHECK(diff.added[0].text == new_line);
  return diff.added[0];
}

}  // namespace

TEST_CASE("identical profiles, and the same rules in another order, differ in nothing") {
  const std::string body = "  capability net_raw,\n  /etc/passwd r,\n  network inet stream,\n";
  CHECK(diff_profiles(profile(body), profile(body)).added.empty());
  const ProfileDiff reordered =
      diff_profiles(profile(body), profile("  network inet stream,\n  /etc/passwd r,\n  # comment\n  capability net_raw,\n"));
  CHECK(reordered.added.empty());
  CHECK(reordered.removed.empty());
  CHECK_FALSE(reordered.widens());
}

TEST_CASE("capabilities and network access widen unless the old profile allowed them") {
  CHECK(added_verdict("  capability net_raw,\n", "capability net_admin,").widens);
  CHECK(added_verdict("  capability net_raw,\n", "capability net_admin,").why == "new capability net_admin");
  CHECK_FALSE(added_verdict("  capability,\n", "capability net_admin,").widens);
  CHECK(added_verdict("  capability net_raw,\n", "capability,").widens);

  CHECK(added_verdict("  network inet stream,\n", "network inet raw,").widens);
  CHECK(added_verdict("  network inet6 stream,\n", "network inet stream,").why == "new network access: inet stream");
  CHECK_FALSE(added_verdict("  network inet,\n", "network inet raw,").widens);
  CHECK_FALSE(added_verdict("  network,\n", "network inet6 dgram,").widens);
  CHECK_FALSE(added_verdict("  network inet stream,\n", "network inet tcp,").widens);
}

TEST_CASE("signals and ptrace widen with a new peer or more access") {
  const std::string old_body = "  signal (send) set=(hup, term) peer=/usr/bin/worker,\n";
  CHECK_FALSE(added_verdict(old_body, "signal (send) set=(term) peer=/usr/bin/worker,").widens);
  const RuleChange more = added_verdict(old_body, "signal (send) set=(hup, kill) peer=/usr/bin/worker,");
  CHECK(more.widens);
  CHECK(more.why == "more access to peer /usr/bin/worker");
  CHECK(added_verdict(old_body, "signal (send) set=(term) peer=/usr/bin/other,").why == "new peer /usr/bin/other");
  CHECK(added_verdict(old_body, "signal (send, receive) set=(term) peer=/usr/bin/worker,").widens);
  CHECK_FALSE(added_verdict("  signal,\n", "signal (send) set=(kill) peer=/x,").widens);

  CHECK(added_verdict("  ptrace (read) peer=/usr/bin/child,\n", "ptrace (read, trace) peer=/usr/bin/child,").widens);
  CHECK_FALSE(added_verdict("  ptrace (read, trace) peer=/usr/bin/child,\n", "ptrace (read) peer=/usr/bin/child,").widens);
}

TEST_CASE("file rules: new paths, more permissions, broader patterns, owner and exec modes") {
  CHECK(added_verdict("  /etc/passwd r,\n", "/etc/shadow r,").why == "new path");
  CHECK_FALSE(added_verdict("  /var/log/** w,\n", "/var/log/app.log w,").widens);
  CHECK_FALSE(added_verdict("  /var/log/** w,\n", "/var/log/app.log a,").widens);  // w grants a
  CHECK(added_verdict("  /var/log/** a,\n", "/var/log/app.log w,").widens);
  CHECK(added_verdict("  /var/log/** r,\n", "/var/log/app.log rw,").why == "more permissions on /var/log/app.log: had r");
  CHECK(added_verdict("  owner /tmp/out w,\n", "/tmp/out w,").widens);
  CHECK_FALSE(added_verdict("  /tmp/out w,\n", "owner /tmp/out w,").widens);
  CHECK_FALSE(added_verdict("  /etc/passwd r,\n  /etc/passwd w,\n", "/etc/passwd rw,").widens);  // permissions unite
  CHECK_FALSE(added_verdict("  /usr/lib/** rm,\n", "/usr/lib/x86_64-linux-gnu/*.so* mr,").widens);
  CHECK(added_verdict("  /usr/lib/** r,\n", "/usr/lib/x86_64-linux-gnu/*.so* mr,").widens);
  CHECK(added_verdict("  /data/*.txt r,\n", "/data/** r,").widens);
  CHECK_FALSE(added_verdict("  /data/** r,\n", "/data/*.txt r,").widens);
  // Sampled paths all allowed, but no proof that every path is: counted as widening.
  CHECK(added_verdict("  /proc/*/stat r,\n", "/proc/[0-9]*/stat r,").why ==
        "pattern not provably within the old rules (its sampled paths are)");
  CHECK_FALSE(added_verdict("  @{PROC}/** r,\n", "@{PROC}/@{pid}/stat r,").widens);
  CHECK(added_verdict("  /usr/bin/cat ix,\n", "/usr/bin/cat ux,").widens);
  CHECK(added_verdict("  /usr/bin/cat ix,\n", "/usr/bin/cat Px -> other,").widens);
  CHECK(added_verdict("  \"/srv/with space\" r,\n", "/srv/with\\ space r,").widens == false);  // same path, other spelling
  CHECK(added_verdict("  /srv/\\* r,\n", "/srv/* r,").widens);  // a literal star is not a wildcard
}

TEST_CASE("a changed rule names what changed") {
  const ProfileDiff more = diff_profiles(profile("  /tmp/out w,\n"), profile("  /tmp/out rw,\n"));
  REQUIRE(more.added.size() == 1);
  CHECK(more.added[0].why == "more permissions: w → rw");
  const ProfileDiff exec = diff_profiles(profile("  /usr/bin/cat ix,\n"), profile("  /usr/bin/cat ux,\n"));
  CHECK(exec.added[0].why == "exec mode ix → ux");
  const ProfileDiff owner = diff_profiles(profile("  owner /tmp/out w,\n"), profile("  /tmp/out w,\n"));
  CHECK(owner.added[0].why == "no longer limited to files the process owns");
  const ProfileDiff broader = diff_profiles(profile("  /var/log/app.log w,\n"), profile("  /var/log/*.log w,\n"));
  REQUIRE(broader.added.size() == 1);
  CHECK(broader.added[0].widens);
  CHECK(broader.added[0].why.starts_with("broader pattern: replaces /var/log/app.log and matches more (e.g. /var/log/"));
  CHECK(broader.removed.size() == 1);
  CHECK_FALSE(broader.removed[0].widens);
}

TEST_CASE("deny rules, flags, includes, variables and child profiles") {
  CHECK_FALSE(added_verdict("  /etc/** r,\n", "deny /etc/shadow r,").widens);
  const ProfileDiff undeny = diff_profiles(profile("  /etc/** r,\n  deny /etc/shadow r,\n"), profile("  /etc/** r,\n"));
  REQUIRE(undeny.removed.size() == 1);
  CHECK(undeny.removed[0].widens);
  CHECK(undeny.removed[0].why == "deny rule removed");

  const ProfileDiff complain = diff_profiles(profile(""), profile("", "complain,attach_disconnected"));
  REQUIRE(complain.added.size() == 1);
  CHECK(complain.added[0].text == "flag complain");
  CHECK(complain.added[0].widens);
  CHECK_FALSE(diff_profiles(profile("", "complain"), profile("", "enforce")).widens());

  CHECK(diff_profiles(profile(""), profile("  include <abstractions/nameservice>\n")).added.at(0).widens);
  CHECK(diff_profiles(profile(""), profile("  #include <abstractions/nameservice>\n")).added.at(0).text ==
        "include <abstractions/nameservice>");

  const ProfileDiff vars = diff_profiles("@{DATA}=/srv/a\nprofile web {\n  @{DATA}/** r,\n}\n",
                                         "@{DATA}=/srv/a /srv/b\nprofile web {\n  @{DATA}/** r,\n}\n");
  REQUIRE(vars.added.size() == 1);
  CHECK(vars.added[0].text == "@{DATA} = /srv/b");
  CHECK(vars.added[0].widens);

  const ProfileDiff child = diff_profiles(profile("  /etc/passwd r,\n"),
                                          profile("  /etc/passwd r,\n  profile helper {\n    /etc/passwd r,\n  }\n"));
  REQUIRE(child.added.size() == 2);
  CHECK(child.added[0].text == "profile helper");
  CHECK_FALSE(child.added[0].widens);
  CHECK(child.added[1].scope == "helper");
  CHECK(child.added[1].widens);  // the child had nothing before
}

TEST_CASE("removing rules never widens; adding observations widens exactly by the new rules") {
  const auto all = golden_observations();
  std::mt19937 random(7);
  for (int round = 0; round < 20; ++round) {
    std::vector<Observation> subset;
    for (const auto& o : all)
      if (random() % 3) subset.push_back(o);
    const std::string small = write_apparmor(analyze("web-app", subset, AnalyzerOptions{}), ApparmorOptions{});
    const std::string large = write_apparmor(analyze("web-app", all, AnalyzerOptions{}), ApparmorOptions{});
    const ProfileDiff shrink = diff_profiles(large, small);
    CHECK_FALSE(shrink.widens());
    const ProfileDiff grow = diff_profiles(small, large);
    // A rule may be rewritten when it grows (a signal rule gains a signal): the old line goes.
    for (const auto& change : grow.removed) CHECK_FALSE(change.widens);
    for (const auto& change : grow.added) {
      CAPTURE(change.text);
      // Every added line is a rule the subset did not need: it widens unless another rule
      // already allowed all of it.
      CHECK((change.widens || change.why == "already allowed" || change.kind == RuleKind::profile));
    }
    CHECK(grow.widens() == (grow.added.size() > 0 && std::any_of(grow.added.begin(), grow.added.end(),
                                                                  [](const RuleChange& c) { return c.widens; })));
  }
}

TEST_CASE("reports: plain text and Markdown that hostile rule text cannot break") {
  const std::string old_text = profile("  /etc/passwd r,\n  /tmp/out w,\n");
  const std::string new_text = profile("  /etc/passwd r,\n  /tmp/out rw,\n  \"/srv/a`b|c\\n```\" r,\n  capability net_raw,\n");
  const ProfileDiff diff = diff_profiles(old_text, new_text);
  CHECK(diff.widening_count() == 3);
  const std::string text = format_diff_text(diff, {"old.apparmor", "new.apparmor"});
  CHECK(text.starts_with("armorer diff: old.apparmor -> new.apparmor\n3 rules added, 1 removed; 3 changes widen access\n"));
  CHECK(text.find("\ncapabilities\n  + capability net_raw,\n      ! widens: new capability net_raw\n") != std::string::npos);
  CHECK(text.find("  - /tmp/out w,\n") != std::string::npos);
  CHECK(text.ends_with("Access widened: review the rules marked '!' before merging.\n"));

  const std::string md = format_diff_markdown(diff, {"old`|.apparmor", "new.apparmor"});
  CHECK(md.find("`old''.apparmor`") != std::string::npos);
  CHECK(md.find("| `files` | 2 | 1 | 2 |") != std::string::npos);
  // Inside the fences every line is a diff line: nothing can close a fence or render.
  bool in_fence = false;
  int fences = 0;
  for (const auto& line : split_lines(md)) {
    if (line == "```diff" || line == "```") {
      in_fence = line == "```diff";
      ++fences;
      continue;
    }
    if (in_fence) CHECK((line.starts_with("+ ") || line.starts_with("- ")));
  }
  CHECK(fences == 4);
  CHECK(md.find("+ \"/srv/a`b|c\\n```\" r,  # WIDENS: new path") != std::string::npos);

  const std::string same = format_diff_text(diff_profiles(old_text, old_text), {"a", "b"});
  CHECK(same == "armorer diff: a -> b\nno rule changed\n");
}

TEST_CASE("text that is not a profile is refused with one line") {
  for (const std::string bad : {"profile x {\n  /etc/passwd r\n", "profile x {\n  \"/unterminated r,\n}\n",
                                "profile x {\n  /etc/passwd,\n}\n", "}\n"}) {
    CAPTURE(bad);
    try {
      (void)diff_profiles(bad, profile(""));
      FAIL("accepted");
    } catch (const Fatal& error) {
      CHECK(std::string(error.what()).find('\n') == std::string::npos);
    }
  }
}

TEST_CASE("pattern samples are matched by their pattern and cover its choices") {
  const auto samples = pattern_samples("/var/{log,cache}/**.log", stock_tunables(), 24);
  CHECK(samples.size() >= 4);
  bool log = false, cache = false;
  for (const auto& s : samples) {
    log |= s.starts_with("/var/log/");
    cache |= s.starts_with("/var/cache/");
    CHECK(s.ends_with(".log"));
  }
  CHECK((log && cache));
  CHECK(pattern_samples("@{PROC}/@{pid}/stat", stock_tunables(), 8).size() >= 1);
  CHECK(pattern_literal("/srv/\\*x\\052") == std::optional<std::string>("/srv/*x*"));
  CHECK(pattern_literal("/a//b") == std::optional<std::string>("/a/b"));
  CHECK_FALSE(pattern_literal("/srv/*").has_value());
  CHECK_FALSE(pattern_literal("@{HOME}/x").has_value());
}
