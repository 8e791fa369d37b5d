// The analyzer on plain observations: the mapping onto AppArmor rules, /proc ids, the
// abstractions, determinism, and the coverage check that `emit` relies on. The generaliser's
// own rules are in test_generaliser.cpp.
#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "analyzer/analyzer.h"
#include "apparmor/apparmor_names.h"
#include "analyzer/path_generaliser.h"
#include "core/error.h"
#include "observation_fixture.h"

using namespace armorer;
using armorer_test::obs;

// Readable failures: doctest prints {?} for containers it does not know.
template <>
struct doctest::StringMaker<std::vector<std::string>> {
  static String convert(const std::vector<std::string>& lines) {
    std::string text = "{";
    for (const auto& line : lines) text += "\n  \"" + comment_safe(line) + "\"";
    return (text + "}").c_str();
  }
};

namespace {


Observation file(std::string path, uint32_t bits, uint32_t flags = 0) {
  return obs(ObsKind::file, std::move(path), bits, flags);
}

// No abstractions and no base signal rules: exactly the rules the observations ask for.
AnalyzerOptions exact() {
  AnalyzerOptions options;
  options.use_abstractions = false;
  options.base_signals = false;
  return options;
}

std::vector<std::string> lines(const RuleSet& rules) {
  std::vector<std::string> out;
  for (const auto& entry : rules.entries()) out.push_back(render(entry.rule));
  return out;
}

std::vector<std::string> lines_for(const std::vector<Observation>& observations,
                                   const AnalyzerOptions& options = exact()) {
  return lines(analyze("test", observations, options));
}

using Lines = std::vector<std::string>;

}  // namespace

TEST_CASE("each recorded access bit becomes its AppArmor letter") {
  const std::vector<std::pair<uint32_t, std::string>> mapping{
      {access::read, "r"},       {access::write, "w"},      {access::append, "a"},
      {access::create, "w"},     {access::remove, "w"},     {access::rename_src, "rw"},
      {access::rename_dst, "w"}, {access::setattr, "w"},    {access::link, "l"},
      {access::lock, "k"},       {access::mmap_exec, "m"},
  };
  for (const auto& [bit, letter] : mapping) {
    CAPTURE(access_to_string(bit));
    CHECK(lines_for({file("/data/f", bit)}) == Lines{"/data/f " + letter + ","});
  }
  CHECK(lines_for({file("/data/f", access::read | access::lock | access::mmap_exec)}) ==
        Lines{"/data/f rkm,"});
}

TEST_CASE("append and write are never written together: w wins") {
  CHECK(lines_for({file("/log", access::append | access::write)}) == Lines{"/log w,"});
  CHECK(lines_for({file("/log", access::append), file("/log", access::create)}) ==
        Lines{"/log w,"});
  CHECK(lines_for({file("/log", access::append), file("/log", access::read)}) ==
        Lines{"/log ra,"});
}

TEST_CASE("executed files get an exec mode, and keep r when they were also read") {
  CHECK(lines_for({obs(ObsKind::exec, "/usr/bin/cat", access::exec)}) ==
        Lines{"/usr/bin/cat ix,"});
  CHECK(lines_for({obs(ObsKind::exec, "/usr/bin/cat", access::exec),
                   file("/usr/bin/cat", access::read)}) == Lines{"/usr/bin/cat rix,"});
  AnalyzerOptions px = exact();
  px.exec_mode = ExecMode::Px;
  CHECK(lines_for({obs(ObsKind::exec, "/usr/bin/cat", access::exec)}, px) ==
        Lines{"/usr/bin/cat Px,"});
}

TEST_CASE("directories end in '/' and owner is used only when every access had it") {
  CHECK(lines_for({file("/data/dir", access::read, obs_flag::directory)}) ==
        Lines{"/data/dir/ r,"});
  CHECK(lines_for({file("/data/dir/", access::read, obs_flag::directory)}) ==
        Lines{"/data/dir/ r,"});
  CHECK(lines_for({file("/tmp/out", access::write, obs_flag::owner),
                   file("/tmp/out", access::read, obs_flag::owner)}) ==
        Lines{"owner /tmp/out rw,"});
  CHECK(lines_for({file("/tmp/out", access::write, obs_flag::owner),
                   file("/tmp/out", access::read)}) == Lines{"/tmp/out rw,"});
}

TEST_CASE("process and thread ids under /proc become @{pid} and @{tid}") {
  // With the process's (thread's) other information files beside the one it read.
  const std::string own = "{cgroup,cmdline,comm,io,limits,loginuid,maps,mountinfo,mounts,oom_score,oom_score_adj,sched,schedstat,sessionid,smaps,smaps_rollup,stat,statm,status,wchan} r,";
  CHECK(lines_for({file("/proc/1234/status", access::read)}) ==
        Lines{"@{PROC}/@{pid}/status r,",
              "owner @{PROC}/@{pid}/" + own});
  CHECK(lines_for({file("/proc/12/task/34/stat", access::read)}) ==
        Lines{"@{PROC}/@{pid}/task/@{tid}/stat r,",
              "owner @{PROC}/@{pid}/task/@{tid}/" + own});
  CHECK(lines_for({file("/proc/12/fd", access::read, obs_flag::directory)}) ==
        Lines{"@{PROC}/@{pid}/fd/ r,"});

  // Many processes, one rule, with every observation counted in its provenance.
  const RuleSet rules = analyze(
      "test", std::vector{file("/proc/1/status", access::read), file("/proc/4242/status", access::read)},
      exact());
  REQUIRE(rules.entries().size() == 2);
  CHECK(render(rules.entries()[0].rule) == "@{PROC}/@{pid}/status r,");
  CHECK(rules.entries()[0].provenance.observations == 2);
}

TEST_CASE("numbers that are not /proc ids stay exact") {
  const std::vector<std::string> untouched{
      "/procx/12/stat",  // not /proc
      "/data/12/file",   // a short number, seen once
  };
  PathGeneraliser generaliser;
  for (const auto& path : untouched) {
    CAPTURE(path);
    CHECK(generaliser.pattern_for(path) == aare_escape(path));
  }
  const std::vector<std::pair<std::string, std::string>> not_pids{
      {"/proc/self/status", "@{PROC}/self/status"},                // not a number
      {"/proc/thread-self/stat", "@{PROC}/thread-self/stat"},      // not a number
      {"/proc/sys/kernel/pid_max", "@{PROC}/sys/kernel/pid_max"},  // no id component
      {"/proc/0/status", "@{PROC}/0/status"},                      // 0 is no process
      {"/proc/0123/status", "@{PROC}/0123/status"},                // leading zero
      {"/proc/99999999/status", "@{PROC}/99999999/status"},        // beyond @{pid}'s range
      {"/proc/12x/status", "@{PROC}/12x/status"},
  };
  for (const auto& [path, pattern] : not_pids) {
    CAPTURE(path);
    CHECK(generaliser.pattern_for(path) == pattern);
  }
  CHECK(lines_for({file("/proc/12/task/thread/stat", access::read)}) ==
        Lines{"@{PROC}/@{pid}/task/thread/stat r,"});
}

TEST_CASE("paths the recorder could not resolve are skipped, never shortened") {
  const std::vector<Observation> observations{
      file("/very/long/pa", access::read, obs_flag::truncated),
      file("/detached/file", access::write, obs_flag::disconnected),
      file("relative/path", access::read),
  };
  const RuleSet rules = analyze("test", observations, exact());
  CHECK(rules.entries().empty());
  REQUIRE(rules.skipped().size() == 3);
  std::vector<std::string> reasons;
  for (const auto& skipped : rules.skipped()) reasons.push_back(skipped.reason);
  CHECK(std::count(reasons.begin(), reasons.end(), "path was truncated by the recorder") == 1);
  CHECK(std::count(reasons.begin(), reasons.end(), "path is not reachable from the task's root") == 1);
  CHECK(std::count(reasons.begin(), reasons.end(), "path is not absolute") == 1);
  CHECK(uncovered(rules, observations).size() == 3);
}

TEST_CASE("every observation the rules deny is listed as skipped, subject and all") {
  // `emit` matches uncovered() against skipped() fact by fact: none may be folded away.
  std::vector<Observation> observations{
      obs(ObsKind::file, "/cut/na", access::read, obs_flag::truncated, "/usr/bin/a"),
      obs(ObsKind::file, "/cut/na", access::read, obs_flag::truncated, "/usr/bin/b"),
      obs(ObsKind::file, "/cut/na", access::write, obs_flag::truncated, "/usr/bin/a"),
      obs(ObsKind::signal, "term", 0, 0, "/usr/bin/a"),
      file("/etc/hosts", access::read),
  };
  const RuleSet rules = analyze("test", observations, exact());
  const auto denied = uncovered(rules, observations);
  CHECK(denied.size() == 4);
  CHECK(rules.skipped().size() == 4);
  for (const auto& o : denied) {
    CAPTURE(o.object);
    CHECK(std::any_of(rules.skipped().begin(), rules.skipped().end(),
                      [&](const SkippedObservation& s) { return same_fact(s.observation, o); }));
  }
  // The same fact twice is one entry.
  observations.push_back(observations.front());
  CHECK(analyze("test", observations, exact()).skipped().size() == 4);
}

TEST_CASE("capabilities and network accesses") {
  CHECK(lines_for({obs(ObsKind::capability, "net_raw"), obs(ObsKind::capability, "CAP_SETUID"),
                   obs(ObsKind::capability, "21")}) ==
        Lines{"capability net_raw,", "capability setuid,", "capability sys_admin,"});
  CHECK(lines_for({obs(ObsKind::network, "inet stream 6"), obs(ObsKind::network, "2 1 6"),
                   obs(ObsKind::network, "inet6 raw 58"), obs(ObsKind::network, "netlink raw 0")}) ==
        Lines{"network inet stream,", "network inet6 raw,", "network netlink raw,"});

  const RuleSet rules = analyze("test",
                                std::vector{obs(ObsKind::capability, "cap_bogus"),
                                            obs(ObsKind::network, "inet, stream 6"),
                                            obs(ObsKind::network, "inet dccp 33")},
                                exact());
  CHECK(rules.entries().empty());
  CHECK(rules.skipped().size() == 3);
}

TEST_CASE("signals, ptrace, mounts and unix sockets") {
  CHECK(lines_for({obs(ObsKind::signal, "term /usr/bin/worker"),
                   obs(ObsKind::signal, "SIGHUP /usr/bin/worker"),
                   obs(ObsKind::signal, "9 unconfined")}) ==
        Lines{"signal (send) set=(hup, term) peer=/usr/bin/worker,",
              "signal (send) set=(kill) peer=\"unconfined\","});
  CHECK(lines_for({obs(ObsKind::ptrace, "/usr/bin/child")}) ==
        Lines{"ptrace (read, trace) peer=/usr/bin/child,"});
  CHECK(lines_for({obs(ObsKind::mount, "tmpfs tmpfs /mnt/scratch")}) ==
        Lines{"mount fstype=tmpfs \"tmpfs\" -> /mnt/scratch,"});
  CHECK(lines_for({obs(ObsKind::unix_socket, "stream @session-bus"),
                   obs(ObsKind::unix_socket, "dgram none")}) ==
        Lines{"unix type=dgram peer=(addr=none),", "unix type=stream peer=(addr=\"@session-bus\"),"});
  // A socket bound to a path is the file rule of that path.
  CHECK(lines_for({obs(ObsKind::unix_socket, "stream /run/app.sock")}) ==
        Lines{"@{run}/app.sock rw,"});

  // A signal with no peer would need the peer-less rule, which allows every peer.
  const RuleSet rules = analyze("test", std::vector{obs(ObsKind::signal, "term")}, exact());
  CHECK(rules.entries().empty());
  REQUIRE(rules.skipped().size() == 1);
  CHECK(rules.skipped()[0].reason == "signal without a known peer");
}

TEST_CASE("system calls produce no AppArmor rule and are never reported as denied") {
  const std::vector<Observation> observations{obs(ObsKind::syscall, "openat"),
                                              file("/etc/hosts", access::read)};
  const RuleSet rules = analyze("test", observations, exact());
  CHECK(lines(rules) == Lines{"/etc/hosts r,"});
  CHECK(rules.skipped().empty());
  CHECK(uncovered(rules, observations).empty());
}

namespace {

std::vector<Observation> mixed_observations() {
  return {
      file("/etc/passwd", access::read),
      file("/tmp/out", access::write | access::create, obs_flag::owner),
      file("/proc/1234/status", access::read),
      file("/proc/99/status", access::read),
      file("/var/log/app.log", access::append),
      file("/var/log/app.log", access::read),
      file("/etc/passwd", access::read, 0),
      obs(ObsKind::exec, "/usr/bin/cat", access::exec),
      file("/usr/bin/cat", access::read),
      file("/usr/lib/x86_64-linux-gnu/libc.so.6", access::read | access::mmap_exec),
      file("/etc/ld.so.cache", access::read),
      file("/dev/null", access::write),
      obs(ObsKind::capability, "net_raw"),
      obs(ObsKind::capability, "setuid"),
      obs(ObsKind::network, "inet raw 1"),
      obs(ObsKind::signal, "term /usr/bin/worker"),
      obs(ObsKind::signal, "hup /usr/bin/worker"),
      obs(ObsKind::mount, "tmpfs tmpfs /mnt/scratch"),
      obs(ObsKind::syscall, "openat"),
      file("/trunc", access::read, obs_flag::truncated),
  };
}

}  // namespace

TEST_CASE("the same observations in any order give the same rules") {
  auto observations = mixed_observations();
  for (bool abstractions : {false, true}) {
    AnalyzerOptions options;
    options.use_abstractions = abstractions;
    const RuleSet reference = analyze("test", observations, options);
    for (unsigned seed = 1; seed <= 20; ++seed) {
      std::mt19937 random(seed);
      std::shuffle(observations.begin(), observations.end(), random);
      const RuleSet shuffled = analyze("test", observations, options);
      CHECK(lines(shuffled) == lines(reference));
      REQUIRE(shuffled.entries().size() == reference.entries().size());
      for (size_t i = 0; i < shuffled.entries().size(); ++i) {
        const auto& a = shuffled.entries()[i].provenance;
        const auto& b = reference.entries()[i].provenance;
        CHECK(a.observations == b.observations);
        CHECK(a.subjects == b.subjects);
      }
    }
  }
}

TEST_CASE("uncovered() is empty for what the rules were learned from, and only for that") {
  const auto observations = mixed_observations();
  for (bool abstractions : {false, true}) {
    AnalyzerOptions options;
    options.use_abstractions = abstractions;
    const RuleSet rules = analyze("test", observations, options);
    const auto denied = uncovered(rules, observations);
    // Only the truncated path: it was skipped, so the profile denies it.
    REQUIRE(denied.size() == 1);
    CHECK(denied[0].object == "/trunc");

    CHECK(uncovered(rules, std::vector{file("/etc/shadow", access::read)}).size() == 1);
    CHECK(uncovered(rules, std::vector{file("/etc/passwd", access::write)}).size() == 1);
    CHECK(uncovered(rules, std::vector{file("/etc/passwd/", access::read, obs_flag::directory)}).size() == 1);
    CHECK(uncovered(rules, std::vector{file("/var/log/app.log", access::write)}).size() == 1);
    CHECK(uncovered(rules, std::vector{file("/proc/5/status", access::read)}).empty());
    CHECK(uncovered(rules, std::vector{file("/proc/5/environ", access::read)}).size() == 1);
    // `owner /tmp/out` does not allow someone else's /tmp/out.
    CHECK(uncovered(rules, std::vector{file("/tmp/out", access::write)}).size() == 1);
    CHECK(uncovered(rules, std::vector{file("/tmp/out", access::write, obs_flag::owner)}).empty());
    CHECK(uncovered(rules, std::vector{obs(ObsKind::exec, "/usr/bin/cat", access::exec)}).empty());
    CHECK(uncovered(rules, std::vector{obs(ObsKind::exec, "/usr/bin/tac", access::exec)}).size() == 1);
    CHECK(uncovered(rules, std::vector{obs(ObsKind::capability, "sys_admin")}).size() == 1);
    CHECK(uncovered(rules, std::vector{obs(ObsKind::network, "inet stream 6")}).size() == 1);
    CHECK(uncovered(rules, std::vector{obs(ObsKind::signal, "kill /usr/bin/worker")}).size() == 1);
    CHECK(uncovered(rules, std::vector{obs(ObsKind::signal, "term /usr/bin/other")}).size() == 1);
    CHECK(uncovered(rules, std::vector{obs(ObsKind::mount, "tmpfs tmpfs /mnt/other")}).size() == 1);
  }
}

TEST_CASE("abstractions/base replaces explicit rules only for what it is known to allow") {
  const auto observations = mixed_observations();
  AnalyzerOptions options;
  options.abstractions = {"base"};
  const Lines with_base = lines(analyze("test", observations, options));
  CHECK(with_base.front().starts_with("include <abstractions/base>  # stock: 72 rules"));
  for (const auto& line : with_base) {
    CHECK(line.find("libc.so.6") == std::string::npos);
    CHECK(line.find("ld.so.cache") == std::string::npos);
    CHECK(line.find("/dev/null") == std::string::npos);
    CHECK(line.find("peer=\"unconfined\"") == std::string::npos);  // base grants the runtime's signals
  }
  CHECK(std::count(with_base.begin(), with_base.end(), "/etc/passwd r,") == 1);

  // Without abstractions every access is explicit.
  const Lines explicit_only = lines(analyze("test", observations, exact()));
  CHECK(std::count(explicit_only.begin(), explicit_only.end(), "/usr/lib/@{multiarch}/libc.so.6 rm,") == 1);
  CHECK(std::count(explicit_only.begin(), explicit_only.end(), "/etc/ld.so.cache r,") == 1);

  // Nothing the abstraction covers: no include.
  CHECK(lines_for({file("/etc/passwd", access::read)}, options) ==
        Lines{"signal (send, receive) peer=\"test\",", "signal (receive) peer=\"unconfined\",", "/etc/passwd r,"});
  // base gives /dev/null rw, not k: the lock needs its own rule, and base is then not
  // included, so the device nodes beside /dev/null get theirs too.
  options.base_signals = false;
  CHECK(lines_for({file("/dev/null", access::lock)}, options) ==
        Lines{"/dev/full rw,", "/dev/null rwk,", "/dev/random rw,", "/dev/urandom rw,", "/dev/zero rw,"});
}

TEST_CASE("by default base is not used, ssl_certs is, and the runtime may still signal") {
  // base would grant reading all of /usr/lib and writing in ~/.Private: the default profile
  // names the libraries instead.
  const auto observations = mixed_observations();
  const Lines plain = lines(analyze("test", observations, AnalyzerOptions{}));
  CHECK(std::count(plain.begin(), plain.end(), "/usr/lib/@{multiarch}/libc.so.6 rm,") == 1);
  CHECK(std::none_of(plain.begin(), plain.end(), [](const std::string& l) { return l.starts_with("include"); }));
  CHECK(std::count(plain.begin(), plain.end(), "signal (receive) peer=\"unconfined\",") == 1);
  CHECK(std::count(plain.begin(), plain.end(), "signal (send, receive) peer=\"test\",") == 1);

  const std::vector<Observation> tls{file("/etc/ssl/certs/ca-certificates.crt", access::read),
                                     file("/etc/app.conf", access::read)};
  AnalyzerOptions options;
  options.base_signals = false;
  CHECK(lines_for(tls, options) ==
        Lines{"include <abstractions/ssl_certs>  # stock: 25 rules, reading the system's CA certificates",
              "/etc/app.conf r,"});
  // An abstraction never covers writes it does not grant.
  CHECK(lines_for({file("/etc/ssl/certs/new.pem", access::write)}, options) == Lines{"/etc/ssl/certs/new.pem w,"});
  options.abstractions = {"nameservice"};
  CHECK_THROWS_AS(analyze("test", tls, options), Fatal);
}

TEST_CASE("the abstraction entries armorer relies on are in the stock abstractions") {
  for (const std::string_view name : stock_abstraction_names()) {
    CAPTURE(std::string(name));
    std::ifstream in("/etc/apparmor.d/abstractions/" + std::string(name));
    REQUIRE_MESSAGE(in.good(), "/etc/apparmor.d/abstractions is missing (apt install apparmor)");
    std::vector<std::string> stock;
    size_t rules = 0;
    for (std::string line; std::getline(in, line);) {
      std::istringstream words(line);
      std::string word, normalised;
      while (words >> word) normalised += (normalised.empty() ? "" : " ") + word;
      stock.push_back(normalised);
      // What the summary counts: the file's rule lines.
      if (!normalised.empty() && normalised[0] != '#' && !normalised.starts_with("abi ") && normalised.ends_with(","))
        ++rules;
    }
    for (const auto& entry : known_abstraction_entries(name)) {
      const std::string rule = std::string(entry.pattern) + " " + std::string(entry.perms) + ",";
      CAPTURE(rule);
      CHECK(std::find(stock.begin(), stock.end(), rule) != stock.end());
    }
    CHECK(abstraction_rule_count(name) == rules);
    CHECK(abstraction_summary(name).find("stock: " + std::to_string(rules) + " rules") != std::string_view::npos);
  }
  CHECK(known_abstraction_entries("nameservice").empty());
}

TEST_CASE("profile names are validated before anything is built") {
  for (const std::string& good : std::vector<std::string>{"web", "web-app_1.2", "0day", std::string(128, 'a')})
    CHECK_NOTHROW(RuleSet{good});
  for (const std::string& bad : std::vector<std::string>{"", "a b", "x, /** rwx,", "a\"b", "a\nb", "{a,b}", "*", "..",
                                "-x", ".hidden", "a#b", "/usr/bin/x", "ns:name", "hat//x",
                                "unconfined", std::string(129, 'a')}) {
    CAPTURE(comment_safe(bad));
    CHECK_THROWS_AS(RuleSet{bad}, Fatal);
  }
  try {
    RuleSet bad("a\nb");
    FAIL("no exception");
  } catch (const Fatal& error) {
    const std::string message = error.what();
    CHECK(message.find('\n') == std::string::npos);
    CHECK(message.find("invalid profile name") != std::string::npos);
  }
}

TEST_CASE("rules of one kind and target merge; different exec modes conflict") {
  std::string why;
  auto read = FileRule::make("/x", file_perm::r, ExecMode::none, true, false, &why);
  auto exec = FileRule::make("/x", 0, ExecMode::ix, true, false, &why);
  auto other = FileRule::make("/x", 0, ExecMode::Px, false, false, &why);
  REQUIRE(read);
  REQUIRE(exec);
  REQUIRE(other);
  CHECK(read->same_target(*exec));
  read->merge(*exec);
  CHECK(read->render() == "owner /x rix,");
  CHECK_THROWS_AS(read->merge(*other), Fatal);

  auto nothing = FileRule::make("/x", 0, ExecMode::none, false, false, &why);
  CHECK_FALSE(nothing);
  CHECK(why == "rule grants nothing");

  // Rules order by kind, then target: the section order of a profile.
  RuleSet rules("test");
  rules.add(*read, {});
  rules.add(*CapabilityRule::make("chown", nullptr), {});
  rules.add(*NetworkRule::make("inet", "", nullptr), {});
  CHECK(lines(rules) == Lines{"capability chown,", "network inet,", "owner /x rix,"});
}

TEST_CASE("allows() unites permissions across rules, wildcards included, and honours deny") {
  RuleSet rules("test");
  rules.add(*FileRule::make("/srv/*", file_perm::r, ExecMode::none, false, false, nullptr), {});
  rules.add(*FileRule::make("/srv/a", file_perm::w, ExecMode::none, false, false, nullptr), {});
  rules.add(*FileRule::make("/srv/b", file_perm::w, ExecMode::none, false, true, nullptr), {});
  CHECK(rules.allows(file("/srv/a", access::read | access::write)));  // r from *, w from /srv/a
  CHECK(rules.allows(file("/srv/c", access::read)));
  CHECK_FALSE(rules.allows(file("/srv/c", access::write)));
  CHECK_FALSE(rules.allows(file("/srv/a/b", access::read)));  // * stops at '/'
  CHECK(rules.allows(file("/srv/b", access::read)));
  CHECK_FALSE(rules.allows(file("/srv/b", access::append)));  // deny w takes a with it
  // A deny rule on its own covers nothing.
  CHECK_FALSE(covers(rules.entries().back().rule, file("/srv/b", access::write)));
}

TEST_CASE("a guard deny rule is part of the rule set, and allows() honours it") {
  const std::vector<Observation> observations{file("/run/dAb3dEf.sock", access::write),
                                              file("/run/dQw8rTy.sock", access::write)};
  const RuleSet rules = analyze("test", observations, exact());
  CHECK(lines(rules) == Lines{"@{run}/d*.sock w,", "deny @{run}/docker.sock w,"});
  CHECK(uncovered(rules, observations).empty());
  CHECK(rules.allows(file("/run/dZz9zZz.sock", access::write)));
  CHECK_FALSE(rules.allows(file("/run/docker.sock", access::write)));
  CHECK_FALSE(rules.allows(file("/var/run/docker.sock", access::write)));
  // The deny rule tells where it came from: the glob's observations.
  CHECK(rules.entries().back().provenance.observations == 2);
}

TEST_CASE("audit objects: encoded fields, unmounts, pivot_root and learning-time peers") {
  // Fields of space-separated objects are \xHH-encoded (core/object_field.h), "-" when missing.
  CHECK(lines_for({obs(ObsKind::unix_socket, "dgram @webapp\\x20metrics")}) ==
        Lines{"unix type=dgram peer=(addr=\"@webapp metrics\"),"});
  CHECK(lines_for({obs(ObsKind::unix_socket, "stream /run/a\\x20b.sock")}) == Lines{"\"@{run}/a b.sock\" rw,"});
  CHECK(lines_for({obs(ObsKind::mount, "- - /mnt/data/")}) == Lines{"umount /mnt/data/,"});
  CHECK(lines_for({obs(ObsKind::mount, "pivot_root /new/old/ /new/")}) == Lines{"pivot_root oldroot=/new/old/ /new/,"});
  CHECK(lines_for({obs(ObsKind::mount, "remount - /mnt/data/")}) == Lines{"remount /mnt/data/,"});
  // A mount without a type is a bind or move mount, not a pivot_root.
  CHECK(lines_for({obs(ObsKind::mount, "- /var/backups/ /mnt/snapshot/")}) == Lines{"mount /var/backups/ -> /mnt/snapshot/,"});
  CHECK(lines_for({obs(ObsKind::mount, "tmpfs tmpfs /mnt/a\\x20b/")}) ==
        Lines{"mount fstype=tmpfs \"tmpfs\" -> \"/mnt/a b/\","});
  const RuleSet bad = analyze("test", std::vector{obs(ObsKind::mount, "- - -"), obs(ObsKind::mount, "pivot_root rel /x/"),
                                                  obs(ObsKind::mount, "ext4 - /x/")},
                              exact());
  CHECK(bad.entries().empty());
  CHECK(bad.skipped().size() == 3);

  // With ix the child a complain-mode log calls "PROFILE//null-/usr/bin/convert" is this
  // profile; the rule still covers the recorded label.
  const std::vector<Observation> child{obs(ObsKind::exec, "/usr/bin/convert", access::exec),
                                       obs(ObsKind::signal, "term webapp//null-/usr/bin/convert"),
                                       obs(ObsKind::ptrace, "webapp//null-/usr/bin/convert")};
  const RuleSet ix = analyze("test", child, exact());
  CHECK(lines(ix) == Lines{"signal (send) set=(term) peer=\"test\",", "ptrace (read, trace) peer=\"test\",",
                           "/usr/bin/convert ix,"});
  CHECK(uncovered(ix, child).empty());
  AnalyzerOptions px = exact();
  px.exec_mode = ExecMode::px;
  CHECK(lines(analyze("test", child, px)) == Lines{"signal (send) set=(term) peer=/usr/bin/convert,",
                                                   "ptrace (read, trace) peer=/usr/bin/convert,",
                                                   "/usr/bin/convert px,"});
  // A null- peer for a program the profile never ran stays as recorded.
  const auto stranger = lines_for({obs(ObsKind::signal, "term other//null-/usr/bin/x")});
  REQUIRE(stranger.size() == 1);
  CHECK(stranger[0].find("null-") != std::string::npos);
}
