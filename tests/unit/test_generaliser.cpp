// The path generaliser, rule by rule: what each one widens, and the cases where it must not.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "apparmor/aare.h"
#include "analyzer/analyzer.h"
#include "analyzer/component_shape.h"
#include "analyzer/path_generaliser.h"
#include "analyzer/path_pieces.h"
#include "analyzer/sensitive_paths.h"
#include "emitter/writers.h"
#include "observation_fixture.h"

using namespace armorer;
using armorer_test::obs;

namespace {

PathUse read(std::string path) { return PathUse{std::move(path), file_perm::r, false, false}; }
PathUse write(std::string path) { return PathUse{std::move(path), file_perm::w, false, true}; }

// path → pattern for a set of uses.
std::map<std::string, std::string> patterns(const std::vector<PathUse>& uses, GeneraliserOptions options = {}) {
  const auto result = PathGeneraliser(options).generalise(uses);
  std::map<std::string, std::string> out;
  for (size_t i = 0; i < result.paths.size(); ++i) out[result.paths[i]] = result.patterns[result.path_patterns[i]];
  return out;
}

std::string alone(const std::string& component) {
  const ComponentShape shape = ComponentShape::of(component);
  return shape.clearly_generated() ? shape_pattern(std::span(&shape, 1)) : aare_escape(component);
}

// Every path matches its own pattern: the promise analyze() relies on.
void check_self_match(const std::map<std::string, std::string>& result) {
  for (const auto& [path, pattern] : result) {
    CAPTURE(path);
    CAPTURE(pattern);
    auto matcher = Aare::compile(pattern, stock_tunables());
    REQUIRE(matcher);
    CHECK(matcher->matches(path));
  }
}

}  // namespace

TEST_CASE("a name seen once is generalised only when its shape is clearly generated") {
  const std::vector<std::pair<std::string, std::string>> generated{
      {"report-1234.txt", "report-[0-9]*.txt"},          // a pid
      {"tmp.Xa9kQ2pLm3", "tmp.*"},                         // mktemp
      {"tmp.abcdefghij", "tmp.*"},                         // mktemp, one case after tmp.
      {"work.Ab3dEf", "work.*"},                           // mktemp template after a name
      {"tmp_obj_XGUMYC", "tmp_obj_*"},                     // git
      {"tmpk2j3_x9q", "tmp*"},                             // python tempfile
      {"3fa9c0d2e1b4a5f6c7d8e9f0a1b2c3d4e5f6a7b8", "[0-9a-f]*"},  // git object, sha1
      {"cache-0123456789abcdef.json", "cache-[0-9a-f]*.json"},
      {"123e4567-e89b-12d3-a456-426614174000.json",
       "[0-9a-f]*-[0-9a-f]*-[0-9a-f]*-[0-9a-f]*-[0-9a-f]*.json"},
      {"session_1700000000", "session_[0-9]*"},            // a timestamp
  };
  for (const auto& [name, pattern] : generated) {
    CAPTURE(name);
    CHECK(alone(name) == pattern);
  }
  const std::vector<std::string> names{
      "foo.cpython-311.pyc",  // 3 digits: a version, not a pid
      "perl-5.36.0",          // dotted version
      "python3.11",
      "libc.so.6",
      "ImageMagick-6",
      "sess_1",
      "Makefile",
      "README.md",
      "config.yaml",
      "com.Example.MyApplication",  // CamelCase words, no digit, no temp prefix
      "template.config",            // "temp" is the start of a word here
      "deadbeef",                   // hex without a digit: a word
      "x86_64-linux-gnu",
      "release-2024.1",             // 4 digits joined to a version
      "abc12345",                   // no separator before the run: a name
  };
  for (const auto& name : names) {
    CAPTURE(name);
    CHECK(alone(name) == aare_escape(name));
  }
}

TEST_CASE("names that varied in one directory become one glob; constant tokens stay literal") {
  const auto result = patterns({
      write("/srv/app/tree-1/part0/file-17484.dat"),
      write("/srv/app/tree-2/part1/file-23.dat"),
      write("/srv/app/in/log-1-0.txt"),
      write("/srv/app/in/log-1-1.txt"),
      write("/srv/app/q/log-7-0.txt"),
      write("/srv/app/q/log-7-1.txt"),
      write("/srv/app/.git/tVOPQVF"),
      write("/srv/app/.git/tQwZSy5"),
  });
  check_self_match(result);
  CHECK(result.at("/srv/app/tree-1/part0/file-17484.dat") == "/srv/app/tree-[0-9]*/part[0-9]*/file-[0-9]*.dat");
  CHECK(result.at("/srv/app/tree-2/part1/file-23.dat") == "/srv/app/tree-[0-9]*/part[0-9]*/file-[0-9]*.dat");
  CHECK(result.at("/srv/app/in/log-1-0.txt") == "/srv/app/in/log-1-[0-9]*.txt");
  CHECK(result.at("/srv/app/q/log-7-1.txt") == "/srv/app/q/log-7-[0-9]*.txt");
  CHECK(result.at("/srv/app/.git/tQwZSy5") == "/srv/app/.git/t*");

  // Not generalised: one sighting of a short number, top-level names, names of different
  // shapes, same-length names that differ like words.
  const auto exact = patterns({read("/srv/app/tree-1/x"), read("/data1/x"), read("/data2/x"),
                               read("/srv/b/a.txt"), read("/srv/b/b.txt"), read("/srv/c/tabcdef"),
                               read("/srv/c/tghijkl")});
  for (const auto& [path, pattern] : exact) {
    CAPTURE(path);
    CHECK(pattern == aare_escape(path));
  }
}

TEST_CASE("git objects: the fan-out directory and the digest") {
  const auto result = patterns({write("/srv/repo/.git/objects/3f/a9c0d2e1b4a5f6c7d8e9f0a1b2c3d4e5f6a7b8"),
                                write("/srv/repo/.git/objects/3f/")});
  CHECK(result.at("/srv/repo/.git/objects/3f/a9c0d2e1b4a5f6c7d8e9f0a1b2c3d4e5f6a7b8") ==
        "/srv/repo/.git/objects/[0-9a-f][0-9a-f]/[0-9a-f]*");
  CHECK(result.at("/srv/repo/.git/objects/3f/") == "/srv/repo/.git/objects/[0-9a-f][0-9a-f]/");
  // Two hex characters elsewhere are a name.
  CHECK(patterns({read("/srv/repo/ab/x")}).at("/srv/repo/ab/x") == "/srv/repo/ab/x");
}

TEST_CASE("system and kernel trees keep their names") {
  const auto result = patterns({
      read("/usr/share/doc/pkg1/copyright"), read("/usr/share/doc/pkg2/copyright"),
      read("/etc/rc0.d/K01x"), read("/etc/rc1.d/K01x"),
      read("/usr/share/app/report-1234.txt"),
      read("/sys/devices/system/cpu/cpu0/online"), read("/sys/devices/system/cpu/cpu1/online"),
      read("/sys/class/net/tmp.Xa9kQ2/x"), read("/dev/pts/3"), read("/proc/77/fd/12"),
      read("/dev/tty12"),
  });
  check_self_match(result);
  for (const char* path : {"/usr/share/doc/pkg1/copyright", "/etc/rc0.d/K01x", "/usr/share/app/report-1234.txt"})
    CHECK(result.at(path) == path);
  // Kernel trees: numbers only, and singles only where the layout is known.
  CHECK(result.at("/sys/devices/system/cpu/cpu0/online") == "@{sys}/devices/system/cpu/cpu[0-9]*/online");
  CHECK(result.at("/sys/class/net/tmp.Xa9kQ2/x") == "@{sys}/class/net/tmp.Xa9kQ2/x");
  CHECK(result.at("/dev/pts/3") == "/dev/pts/[0-9]*");
  CHECK(result.at("/proc/77/fd/12") == "@{PROC}/@{pid}/fd/[0-9]*");
  CHECK(result.at("/dev/tty12") == "/dev/tty12");
}

TEST_CASE("stock variables: proc, sys, run, home, uid, multiarch") {
  const std::vector<std::pair<std::string, std::string>> cases{
      {"/proc/1234/status", "@{PROC}/@{pid}/status"},
      {"/proc/12/task/34/stat", "@{PROC}/@{pid}/task/@{tid}/stat"},
      {"/proc/meminfo", "@{PROC}/meminfo"},
      {"/sys/fs/cgroup/x", "@{sys}/fs/cgroup/x"},
      {"/run/app/app.pid", "@{run}/app/app.pid"},
      {"/var/run/app/app.pid", "@{run}/app/app.pid"},
      {"/run/user/1000/bus", "@{run}/user/@{uid}/bus"},
      {"/root/.gitconfig", "@{HOME}/.gitconfig"},
      {"/usr/lib/x86_64-linux-gnu/libz.so.1", "/usr/lib/@{multiarch}/libz.so.1"},
      {"/lib/x86_64-linux-gnu/libz.so.1", "/lib/@{multiarch}/libz.so.1"},
  };
  PathGeneraliser generaliser;
  for (const auto& [path, pattern] : cases) {
    CAPTURE(path);
    CHECK(generaliser.pattern_for(path) == pattern);
  }
  // Not variables: a file named like a home, a near-miss of /proc, python's dir in /usr/lib.
  for (const char* path : {"/home", "/homeless/x", "/procs/1/x", "/usr/lib/python3/x", "/root"}) {
    CAPTURE(path);
    CHECK(generaliser.pattern_for(path) == aare_escape(path));
  }
  // A home under /home: @{HOME} would also be /root, sensitive as a whole.
  CHECK(generaliser.pattern_for("/home/alice/.config/app/x") == "/home/*/.config/app/x");
  CHECK(join_patterns(path_pieces("/home/alice/.config", false), false) == "@{HOME}/.config");
}

TEST_CASE("versioned libraries keep their major version") {
  PathGeneraliser generaliser;
  CHECK(generaliser.pattern_for("/usr/lib/x86_64-linux-gnu/libssl.so.3.0.2") == "/usr/lib/@{multiarch}/libssl.so.3.*");
  CHECK(generaliser.pattern_for("/opt/app/lib/libMagickCore-6.Q16.so.6.0.0") == "/opt/app/lib/libMagickCore-6.Q16.so.6.*");
  for (const char* path : {"/usr/lib/libc.so.6", "/usr/lib/libfoo.so", "/usr/lib/libfoo.so.1a.2", "/usr/lib/libfoo.so.1."}) {
    CAPTURE(path);
    CHECK(generaliser.pattern_for(path) == path);
  }
}

TEST_CASE("sibling collapse: past a threshold, reads and writes apart, never in shared directories") {
  auto many = [](const std::string& dir, const std::vector<std::string>& names, bool writes) {
    std::vector<PathUse> uses;
    for (const auto& name : names) uses.push_back(writes ? write(dir + name) : read(dir + name));
    return uses;
  };
  const std::vector<std::string> css{"a.css", "b.css", "main.css", "print.css"};
  CHECK(patterns(many("/srv/app/static/", css, false)).at("/srv/app/static/a.css") == "/srv/app/static/*.css");
  CHECK(patterns(many("/srv/app/data/", {"a", "b.json", "c", "d.txt"}, true)).at("/srv/app/data/a") ==
        "/srv/app/data/*");
  // Three are not many.
  CHECK(patterns(many("/srv/app/static/", {"a.css", "b.css", "c.css"}, false)).at("/srv/app/static/a.css") ==
        "/srv/app/static/a.css");
  // Shared directories: the top of the tree, of /var, of homes, /tmp.
  for (const char* dir : {"/tmp/", "/var/lib/", "/srv/", "/root/", "/var/tmp/"}) {
    CAPTURE(dir);
    const auto result = patterns(many(dir, css, true));
    CHECK(result.at(std::string(dir) + "a.css").find('*') == std::string::npos);
  }
  // System directories, for reads too.
  const auto etc = patterns(many("/etc/app/", css, false));
  CHECK(etc.at("/etc/app/a.css") == "/etc/app/a.css");
  // A glob that would give write to a file that was only read is not written.
  auto mixed = many("/srv/app/data/", {"a.txt", "b.txt", "c.txt", "d.txt"}, true);
  mixed.push_back(read("/srv/app/data/config.txt"));
  CHECK(patterns(mixed).at("/srv/app/data/a.txt") == "/srv/app/data/a.txt");
  // Executables never collapse.
  std::vector<PathUse> tools;
  for (const char* name : {"a", "b", "c", "d"}) tools.push_back(PathUse{std::string("/srv/app/bin/") + name, 0, true, false});
  CHECK(patterns(tools).at("/srv/app/bin/a") == "/srv/app/bin/a");
  GeneraliserOptions off;
  off.collapse = false;
  CHECK(patterns(many("/srv/app/static/", css, false), off).at("/srv/app/static/a.css") == "/srv/app/static/a.css");
}

TEST_CASE("time-zone, locale and charset data: one file read stands for the tree") {
  const auto result = patterns({read("/usr/share/zoneinfo/Etc/UTC"), read("/usr/lib/locale/C.utf8/LC_CTYPE"),
                                read("/usr/lib/x86_64-linux-gnu/gconv/gconv-modules.cache"),
                                PathUse{"/usr/lib/x86_64-linux-gnu/gconv/UTF-16.so", file_perm::r | file_perm::m, false, false},
                                read("/usr/share/doc/x/README")});
  CHECK(result.at("/usr/share/zoneinfo/Etc/UTC") == "/usr/share/zoneinfo/**");
  CHECK(result.at("/usr/lib/locale/C.utf8/LC_CTYPE") == "/usr/lib/locale/**");
  CHECK(result.at("/usr/lib/x86_64-linux-gnu/gconv/gconv-modules.cache") == "/usr/lib/@{multiarch}/gconv/**");
  CHECK(result.at("/usr/lib/x86_64-linux-gnu/gconv/UTF-16.so") == "/usr/lib/@{multiarch}/gconv/**.so");
  CHECK(result.at("/usr/share/doc/x/README") == "/usr/share/doc/x/README");
  // Written there: stays exact.
  CHECK(patterns({write("/usr/share/zoneinfo/x")}).at("/usr/share/zoneinfo/x") == "/usr/share/zoneinfo/x");
}

TEST_CASE("interpreter module trees: read-only modules become ROOT/**") {
  const auto result = patterns({read("/usr/share/perl/5.36.0/strict.pm"), read("/usr/share/perl/5.36.0/warnings.pm"),
                                read("/usr/share/perl/5.36.0/File/Temp.pm"),
                                PathUse{"/usr/share/perl/5.36.0/Config.pm", file_perm::r | file_perm::w, false, false}});
  CHECK(result.at("/usr/share/perl/5.36.0/File/Temp.pm") == "/usr/share/perl/5.36.0/**");
  CHECK(result.at("/usr/share/perl/5.36.0/Config.pm") == "/usr/share/perl/5.36.0/Config.pm");
  // Two modules are not a tree; a third-party package is its own root.
  const auto two = patterns({read("/usr/lib/python3.11/json/__init__.py"), read("/usr/lib/python3.11/os.py")});
  CHECK(two.at("/usr/lib/python3.11/os.py") == "/usr/lib/python3.11/os.py");
  const auto package = patterns({read("/usr/lib/python3/dist-packages/yaml/a.py"),
                                 read("/usr/lib/python3/dist-packages/yaml/b.py"),
                                 read("/usr/lib/python3/dist-packages/yaml/c.py")});
  CHECK(package.at("/usr/lib/python3/dist-packages/yaml/a.py") == "/usr/lib/python3/dist-packages/yaml/**");
}

TEST_CASE("the sensitive-path guard: no generalised rule reaches what was not seen") {
  SensitiveGuard guard;
  for (const char* path : {"/etc/shadow", "/etc/sudoers.d/x", "/root/.bashrc", "/home/u/.ssh/id_rsa",
                           "/proc/sys/kernel/core_pattern", "/proc/kcore", "/proc/1/mem", "/boot/vmlinuz",
                           "/sys/kernel/security/apparmor/.load", "/dev/mem", "/var/run/docker.sock",
                           "/run/containerd/containerd.sock"}) {
    CAPTURE(path);
    CHECK(guard.sensitive(path));
  }
  for (const char* path : {"/etc/hosts", "/home/u/.config/x", "/proc/1/status", "/run/app.sock"}) {
    CAPTURE(path);
    CHECK_FALSE(guard.sensitive(path));
  }

  // Right in root's home a generated name stays exact (its start-up files, histories and
  // editors' state live there)...
  CHECK(patterns({read("/root/tmp.Xa9kQ2pLm3")}).at("/root/tmp.Xa9kQ2pLm3") == "/root/tmp.Xa9kQ2pLm3");
  // ...while a workload's own tree deeper down is generalised, as anywhere else: a container
  // running as root keeps its caches in /root/.cache.
  CHECK(patterns({read("/root/.cache/tmp.Xa9kQ2pLm3/x")}).at("/root/.cache/tmp.Xa9kQ2pLm3/x") ==
        "@{HOME}/.cache/tmp.*/x");
  CHECK(patterns({read("/srv/.cache/tmp.Xa9kQ2pLm3/x")}).at("/srv/.cache/tmp.Xa9kQ2pLm3/x") == "/srv/.cache/tmp.*/x");
  // A pid rule would reach /proc/1/environ: that path stays exact.
  CHECK(patterns({read("/proc/4242/environ")}).at("/proc/4242/environ") == "/proc/4242/environ");
  // A start-up file under /home may be read through /home/*, never written that way.
  CHECK(patterns({read("/home/u/.bashrc")}).at("/home/u/.bashrc") == "/home/*/.bashrc");
  CHECK(patterns({write("/home/u/.bashrc")}).at("/home/u/.bashrc") == "/home/u/.bashrc");
  // Root's own dotfile as @{HOME}: /root/.gitconfig was seen, /home/*/.gitconfig is not sensitive.
  CHECK(patterns({read("/root/.gitconfig")}).at("/root/.gitconfig") == "@{HOME}/.gitconfig");
}

TEST_CASE("the guard reports what a broad rule reaches, and whether a deny could take it back") {
  SensitiveGuard guard;
  const std::vector<std::string_view> observed{"/run/app/a.sock"};
  auto reached = [&](const char* pattern, GuardedAccess access) {
    auto matcher = Aare::compile(pattern, stock_tunables());
    REQUIRE(matcher);
    const auto pieces = path_pieces("/run/x", false);
    std::vector<std::string> names;
    for (size_t i : guard.reached(*matcher, access, probe_paths(pieces, false), observed))
      names.emplace_back(sensitive_locations()[i].pattern);
    return names;
  };
  const auto docker = reached("@{run}/*.sock", {file_perm::r | file_perm::w, false});
  CHECK(docker == std::vector<std::string>{"@{run}/docker.sock"});
  CHECK(sensitive_locations()[0].deny);
  // Write-only locations do not concern a read rule.
  CHECK(reached("/etc/cron.d/*", {file_perm::r, false}).empty());
  CHECK(reached("/etc/cron.d/*", {file_perm::w, false}) == std::vector<std::string>{"/etc/cron{tab,.*/,.*/**}"});
  // A deny would take away what was observed: holds_any says so.
  const std::vector<std::string_view> paths{"/run/docker.sock"};
  size_t docker_index = 0;
  while (sensitive_locations()[docker_index].pattern != "@{run}/docker.sock") ++docker_index;
  CHECK(guard.holds_any(docker_index, paths));
}

TEST_CASE("the generaliser's result does not depend on the order of the uses") {
  std::vector<PathUse> uses{read("/srv/a/tree-1/x"), read("/srv/a/tree-2/x"), write("/srv/a/tmp.Xa9kQ2pLm3"),
                            read("/proc/12/stat"), read("/srv/b/1.css"), read("/srv/b/2.css"),
                            read("/srv/b/x.css"), read("/srv/b/y.css"), read("/home/u/.bashrc"),
                            write("/srv/a/tree-1/x")};
  const auto reference = patterns(uses);
  for (int round = 0; round < 10; ++round) {
    std::rotate(uses.begin(), uses.begin() + 3, uses.end());
    std::reverse(uses.begin() + round % 4, uses.end());
    CHECK(patterns(uses) == reference);
  }
}

TEST_CASE("a glob that reaches a deny-able location keeps its breadth with a deny rule") {
  // Two sockets named like mkstemp's, in the runtime directory: d*.sock would also be
  // /run/docker.sock.
  const std::vector<PathUse> uses{write("/run/dAb3dEf.sock"), write("/run/dQw8rTy.sock")};
  const auto result = PathGeneraliser().generalise(uses);
  CHECK(result.pattern_for("/run/dAb3dEf.sock") == "@{run}/d*.sock");
  REQUIRE(result.denies.size() == 1);
  CHECK(result.denies[0].rule.render() == "deny @{run}/docker.sock w,");
  CHECK(result.denies[0].because_of == "@{run}/d*.sock");

  // When the workload used the location itself, a deny would take that away: narrowed.
  std::vector<PathUse> with_docker = uses;
  with_docker.push_back(write("/run/docker.sock"));
  const auto narrowed = PathGeneraliser().generalise(with_docker);
  CHECK(narrowed.denies.empty());
  CHECK(narrowed.pattern_for("/run/dAb3dEf.sock") == "/run/dAb3dEf.sock");
}

namespace {


// Two "runs" of a workload that leaves generated names everywhere.
std::vector<Observation> workload_observations() {
  std::vector<Observation> out;
  for (const std::string seed : {"1", "2"}) {
    const std::string repo = "/srv/work/repo-" + seed;
    out.push_back(obs(ObsKind::file, repo + "/", access::create, obs_flag::directory | obs_flag::owner));
    out.push_back(obs(ObsKind::file, repo + "/.git/objects/" + (seed == "1" ? "3f" : "a0") + "/",
                           access::create, obs_flag::directory));
    out.push_back(obs(ObsKind::file, repo + "/.git/objects/" + (seed == "1" ? "3f/a9c0d2e1b4a5f6c7d8e9f0a1b2c3d4e5f6a7b8"
                                                                                : "a0/0123456789abcdef0123456789abcdef01234567"),
                           access::write | access::create | access::read));
    out.push_back(obs(ObsKind::file, "/tmp/tmp." + std::string(seed == "1" ? "Xa9kQ2pLm3" : "bQ7zLr0pWn") + "/item",
                           access::write));
    out.push_back(obs(ObsKind::file, "/proc/" + std::string(seed == "1" ? "4242" : "977") + "/status", access::read));
    out.push_back(obs(ObsKind::file, "/run/d" + std::string(seed == "1" ? "Ab3dEf" : "Qw8rTy") + ".sock",
                           access::write));
  }
  for (const char* name : {"a.css", "b.css", "c.css", "d.css", "with space.css"})
    out.push_back(obs(ObsKind::file, std::string("/srv/work/static/") + name, access::read));
  out.push_back(obs(ObsKind::file, "/usr/lib/x86_64-linux-gnu/libssl.so.3.0.2", access::read | access::mmap_exec));
  out.push_back(obs(ObsKind::file, "/root/.gitconfig", access::read));
  out.push_back(obs(ObsKind::file, "/home/u/.bashrc", access::read));
  out.push_back(obs(ObsKind::file, "/srv/work/x, /** rwx,", access::read));
  out.push_back(obs(ObsKind::exec, "/usr/bin/git", access::exec));
  out.push_back(obs(ObsKind::mount, "- - /mnt/data/", 0));
  out.push_back(obs(ObsKind::unix_socket, "dgram @app\\x20metrics", 0));
  return out;
}

}  // namespace

TEST_CASE("generalised profiles are byte-identical whatever the order, and compile") {
  auto observations = workload_observations();
  ApparmorOptions explain;
  explain.explain = true;
  const RuleSet reference_rules = analyze("work", observations, AnalyzerOptions{});
  const std::string reference = write_apparmor(reference_rules, explain);
  CHECK(uncovered(reference_rules, observations).empty());
  for (unsigned seed = 1; seed <= 12; ++seed) {
    std::mt19937 random(seed);
    std::shuffle(observations.begin(), observations.end(), random);
    CHECK(write_apparmor(analyze("work", observations, AnalyzerOptions{}), explain) == reference);
  }
  // What the generaliser made of it, as a reviewer reads it.
  // The repositories and their objects are made by the workload: data, whatever their names.
  for (const char* line : {"/srv/work/*/.git/objects/*/* rw,",
                           "/tmp/tmp.*/item w,", "owner /srv/work/*/ w,", "@{PROC}/@{pid}/status r,",
                           "deny @{run}/docker.sock w,", "/usr/lib/@{multiarch}/libssl.so.3.* rm,",
                           "/srv/work/static/*.css r,", "umount /mnt/data/,"})
    CHECK_MESSAGE(reference.find(std::string("  ") + line + "\n") != std::string::npos, line);

  if (std::system("command -v apparmor_parser >/dev/null 2>&1") != 0) {
    MESSAGE("apparmor_parser is not installed: compile check skipped");
    return;
  }
  const std::string path = std::string(ARMORER_BINARY_DIR) + "/test_generaliser.profile";
  std::ofstream(path, std::ios::binary) << reference;
  const std::string command = "apparmor_parser -Q -K -M /usr/share/apparmor-features/features " + path + " 2>&1";
  CHECK_MESSAGE(std::system(command.c_str()) == 0, reference);
  std::remove(path.c_str());
}

TEST_CASE("owner is kept only where ownership says something about the workload") {
  for (const char* path : {"/srv/app/out", "/tmp/x", "/root/.gitconfig", "/proc/42/status", "/dev/shm/sem.x"}) {
    CAPTURE(path);
    CHECK(owner_matters(path));
  }
  for (const char* path : {"/usr/lib/x86_64-linux-gnu/libc.so.6", "/etc/passwd", "/dev/null", "/sys/fs/x",
                           "/proc/filesystems", "/proc/self/status", "/proc/sys/kernel/x", "/lib64/ld.so"}) {
    CAPTURE(path);
    CHECK_FALSE(owner_matters(path));
  }
}
