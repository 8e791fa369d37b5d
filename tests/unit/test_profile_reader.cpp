// Reading profiles back: the statement splitter, rule meanings (deny wins, owner, variables,
// quoting, exec modes), profile selection, and a real profile written by the emitter read
// through apparmor_parser -p with its includes inlined.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "analyzer/analyzer.h"
#include "apparmor/profile_reader.h"
#include "apparmor/profile_statements.h"
#include "core/error.h"
#include "emitter/writers.h"

using namespace armorer;
using profile_text::Statement;
namespace fs = std::filesystem;

namespace {

FileNeed need(std::string path, uint32_t perms, bool exec = false, bool owner = false) {
  FileNeed n;
  n.path = std::move(path);
  n.perms = perms;
  n.exec = exec;
  n.owner = owner;
  return n;
}

constexpr uint32_t R = file_perm::r, W = file_perm::w, A = file_perm::a, M = file_perm::m,
                   K = file_perm::k, L = file_perm::l;

ProfilePolicy profile(const std::string& body, const std::string& preamble = "") {
  return parse_profile(preamble + "profile test flags=(attach_disconnected) {\n" + body + "}\n", "test");
}

bool parser_available() {
  if (const char* off = std::getenv("ARMORER_NO_APPARMOR_PARSER"); off && std::string(off) == "1") return false;
  return ::access("/usr/sbin/apparmor_parser", X_OK) == 0 || ::access("/sbin/apparmor_parser", X_OK) == 0;
}

struct TempDir {
  fs::path path;
  TempDir() {
    std::string templ = (fs::temp_directory_path() / "armorer-reader.XXXXXX").string();
    REQUIRE(::mkdtemp(templ.data()) != nullptr);
    path = templ;
  }
  ~TempDir() { fs::remove_all(path); }
};

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
}

}  // namespace

TEST_CASE("statements: comments, quotes, alternations, parentheses and multi-line rules") {
  const auto s = profile_text::split_statements(
      "# a comment, with a comma\n"
      "@{DATA} = /srv/a \"/srv/b c\"  # trailing comment\n"
      "@{DATA}+=/srv/d\n"
      "profile p flags=(complain, attach_disconnected) {\n"
      "  /{usr/,}lib{,32}/** mr,\n"
      "  \"/tmp/a, b\" rw, # after\n"
      "  dbus send\n"
      "       bus=system\n"
      "       path=/org/x,\n"
      "  signal (send, receive) peer=unconfined,\n"
      "  /path/with#hash r,\n"
      "}\n");
  REQUIRE(s.size() == 9);
  CHECK(s[0].type == Statement::Type::assignment);
  CHECK(s[0].tokens == std::vector<std::string>{"@{DATA}", "=", "/srv/a", "/srv/b c"});
  CHECK(s[1].tokens == std::vector<std::string>{"@{DATA}", "+=", "/srv/d"});
  CHECK(s[2].type == Statement::Type::block_open);
  CHECK(s[2].tokens == std::vector<std::string>{"profile", "p", "flags=(complain,", "attach_disconnected)"});
  CHECK(s[3].tokens == std::vector<std::string>{"/{usr/,}lib{,32}/**", "mr"});
  CHECK(s[4].tokens == std::vector<std::string>{"\"/tmp/a, b\"", "rw"});
  CHECK(s[5].tokens == std::vector<std::string>{"dbus", "send", "bus=system", "path=/org/x"});
  CHECK(s[5].line == 7);
  CHECK(s[6].tokens.size() == 4);
  CHECK(s[7].tokens == std::vector<std::string>{"/path/with#hash", "r"});
  CHECK(s[8].type == Statement::Type::block_close);
}

TEST_CASE("statements: malformed text is refused with the line") {
  CHECK_THROWS_WITH_AS(profile_text::split_statements("profile p {\n  /a r\n}\n"),
                       doctest::Contains("missing ','"), Fatal);
  CHECK_THROWS_WITH_AS(profile_text::split_statements("profile p {\n  \"/a r,\n}\n"),
                       doctest::Contains("line 2: unterminated quote"), Fatal);
  CHECK_THROWS_AS(profile_text::split_statements("/a r"), Fatal);
}

TEST_CASE("file rules: permissions add up across rules, deny wins whatever the order") {
  const auto p = profile(
      "  deny /etc/shadow r,\n"
      "  /etc/** r,\n"
      "  /etc/passwd w,\n"
      "  deny /etc/group w,\n"
      "  /var/log/app.log a,\n"
      "  /usr/lib/** mr,\n");
  CHECK(p.refused(need("/etc/hosts", R)) == "");
  CHECK(p.refused(need("/etc/shadow", R)) == "r");
  CHECK(p.refused(need("/etc/passwd", R | W)) == "");
  CHECK(p.refused(need("/etc/hosts", R | W)) == "w");
  CHECK(p.refused(need("/etc/passwd", A)) == "");    // w grants appending
  CHECK(p.refused(need("/etc/group", R | A)) == "a");  // and denying w denies it
  CHECK(p.refused(need("/var/log/app.log", A)) == "");
  CHECK(p.refused(need("/var/log/app.log", W)) == "w");  // a does not grant w
  CHECK(p.refused(need("/usr/lib/x/libc.so.6", R | M)) == "");
  CHECK(p.refused(need("/usr/lib/x/libc.so.6", R | M | K | L)) == "lk");
  CHECK(p.refused(need("/etc/", R)) == "r");  // as in the parser, /etc/** is not /etc/ itself
  CHECK(p.refused(need("/etcx", R)) == "r");
}

TEST_CASE("file rules: owner and other qualifiers, also as blocks") {
  const auto p = profile(
      "  owner /tmp/** rw,\n"
      "  other /srv/** r,\n"
      "  audit deny owner { /tmp/secret/** w, }\n"
      "  owner {\n"
      "    /home/*/notes r,\n"
      "  }\n");
  CHECK(p.refused(need("/tmp/x", R | W, false, true)) == "");
  CHECK(p.refused(need("/tmp/x", R | W, false, false)) == "rw");
  CHECK(p.refused(need("/srv/x", R, false, false)) == "");
  CHECK(p.refused(need("/srv/x", R, false, true)) == "r");
  CHECK(p.refused(need("/tmp/secret/k", R | W, false, true)) == "w");
  CHECK(p.refused(need("/home/ann/notes", R, false, true)) == "");
  CHECK(p.refused(need("/home/ann/notes", R, false, false)) == "r");
}

TEST_CASE("file rules: stock tunables and the profile's own variables") {
  const auto p = profile(
      "  @{PROC}/@{pid}/stat r,\n"
      "  owner @{HOME}/.config/app/** rw,\n"
      "  @{DATA}/** r,\n"
      "  @{run}/app.sock rw,\n",
      "@{DATA}=/srv/one /srv/two\n@{DATA}+=\"/srv/three x\"\n");
  CHECK(p.refused(need("/proc/4242/stat", R)) == "");
  CHECK(p.refused(need("/proc/self/stat", R)) == "r");
  CHECK(p.refused(need("/root/.config/app/x", R, false, true)) == "");
  CHECK(p.refused(need("/home/bob/.config/app/x", W, false, true)) == "");
  CHECK(p.refused(need("/srv/two/f", R)) == "");
  CHECK(p.refused(need("/srv/three x/f", R)) == "");
  CHECK(p.refused(need("/srv/four/f", R)) == "r");
  CHECK(p.refused(need("/var/run/app.sock", W)) == "");
  CHECK_THROWS_WITH_AS(profile("  @{NOPE}/x r,\n"), doctest::Contains("undefined variable"), Fatal);
}

TEST_CASE("file rules: quoted names, perms first, exec modes, link and file rules") {
  const auto p = profile(
      "  \"/data/my file, v2\" rw,\n"
      "  \"/data/q\\\"uote\" r,\n"
      "  /data/star\\* r,\n"
      "  r /data/first,\n"
      "  /usr/bin/tool ix,\n"
      "  /usr/bin/other Px -> other,\n"
      "  /usr/bin/{a,b}* cx,\n"
      "  /usr/bin/** r,\n"
      "  deny /usr/bin/bash x,\n"
      "  /usr/bin/bash rix,\n"
      "  link subset /data/link -> /data/**,\n"
      "  file /data/kw r,\n");
  CHECK(p.refused(need("/data/my file, v2", R | W)) == "");
  CHECK(p.refused(need("/data/q\"uote", R)) == "");
  CHECK(p.refused(need("/data/star*", R)) == "");
  CHECK(p.refused(need("/data/starx", R)) == "r");
  CHECK(p.refused(need("/data/first", R)) == "");
  CHECK(p.refused(need("/usr/bin/tool", 0, true)) == "");
  CHECK(p.refused(need("/usr/bin/other", 0, true)) == "");
  CHECK(p.refused(need("/usr/bin/bx", R, true)) == "");
  CHECK(p.refused(need("/usr/bin/ls", R, true)) == "x");
  CHECK(p.refused(need("/usr/bin/bash", R, true)) == "x");
  CHECK(p.refused(need("/data/link", L)) == "");
  CHECK(p.refused(need("/data/kw", R)) == "");
  CHECK(p.file_rules().size() == 12);
}

TEST_CASE("capability and network rules, deny first") {
  const auto p = profile(
      "  capability chown dac_override,\n"
      "  deny capability sys_admin,\n"
      "  network inet stream,\n"
      "  network inet6 udp,\n"
      "  network unix,\n"
      "  deny network unix dgram,\n"
      "  signal (send) peer=unconfined,\n"
      "  ptrace (read),\n"
      "  unix (create),\n");
  CHECK(p.allows_capability("chown"));
  CHECK_FALSE(p.allows_capability("net_raw"));
  CHECK_FALSE(p.allows_capability("sys_admin"));
  CHECK(p.allows_network("inet", "stream"));
  CHECK_FALSE(p.allows_network("inet", "raw"));
  CHECK(p.allows_network("inet6", "dgram"));
  CHECK(p.allows_network("unix", "stream"));
  CHECK_FALSE(p.allows_network("unix", "dgram"));
  CHECK_FALSE(p.allows_network("packet", "raw"));
  CHECK(p.unjudged_kinds() == std::set<std::string>{"ptrace", "signal", "unix"});

  const auto all = profile("  capability,\n  deny capability sys_module,\n  network,\n  deny network inet raw,\n");
  CHECK(all.allows_capability("sys_admin"));
  CHECK_FALSE(all.allows_capability("sys_module"));
  CHECK(all.allows_network("netlink", "raw"));
  CHECK_FALSE(all.allows_network("inet", "raw"));
}

TEST_CASE("profile selection: named profile, only profile, children and hats left out") {
  const std::string text =
      "profile one {\n  /one r,\n  profile child {\n    /child r,\n  }\n  ^hat {\n    /hat r,\n  }\n}\n"
      "profile two flags=(complain) {\n  /two r,\n}\n";
  const auto one = parse_profile(text, "one");
  CHECK(one.name() == "one");
  CHECK(one.refused(need("/one", R)) == "");
  CHECK(one.refused(need("/child", R)) == "r");
  CHECK(one.refused(need("/hat", R)) == "r");
  CHECK_FALSE(one.complain());
  CHECK(parse_profile(text, "two").complain());
  CHECK_THROWS_WITH_AS(parse_profile(text, "three"), doctest::Contains("several profiles (one, two)"), Fatal);
  CHECK_THROWS_WITH_AS(parse_profile(text, ""), doctest::Contains("name one"), Fatal);
  CHECK(parse_profile("/usr/bin/app {\n /x r,\n}\n", "whatever").name() == "/usr/bin/app");
  CHECK_THROWS_WITH_AS(profile("  frobnicate /x,\n"), doctest::Contains("not a rule this reader knows"), Fatal);
  CHECK_THROWS_WITH_AS(profile("  /x rq,\n"), doctest::Contains("not a file permission"), Fatal);
}

TEST_CASE("a profile written by the emitter reads back through apparmor_parser -p") {
  if (!parser_available()) {
    FAIL("apparmor_parser not found: install apparmor, or set ARMORER_NO_APPARMOR_PARSER=1");
    return;
  }
  auto file = [](std::string path, uint32_t bits, uint32_t flags = 0) {
    Observation o;
    o.kind = ObsKind::file;
    o.subject = "/usr/bin/app";
    o.object = std::move(path);
    o.access = bits;
    o.flags = flags;
    return o;
  };
  std::vector<Observation> observations{
      file("/usr/lib/x86_64-linux-gnu/libc.so.6", access::read | access::mmap_exec),
      file("/etc/ld.so.cache", access::read),
      file("/srv/app/data file,1.txt", access::read | access::write, obs_flag::owner),
      file("/tmp/app.lock", access::lock | access::create),
  };
  Observation exec;
  exec.kind = ObsKind::exec;
  exec.subject = "/usr/bin/app";
  exec.object = "/usr/bin/helper";
  exec.access = access::exec;
  observations.push_back(exec);
  Observation cap;
  cap.kind = ObsKind::capability;
  cap.subject = "/usr/bin/app";
  cap.object = "net_bind_service";
  observations.push_back(cap);

  const RuleSet rules = analyze("reader-test", observations, AnalyzerOptions{});
  TempDir dir;
  write_file(dir.path / "reader-test", write_apparmor(rules, ApparmorOptions{}));
  const ProfilePolicy policy = read_profile((dir.path / "reader-test").string(), "reader-test");

  CHECK(policy.name() == "reader-test");
  for (const auto& o : observations) {
    if (auto n = file_need(o)) CHECK_MESSAGE(policy.refused(*n) == "", o.object);
  }
  CHECK(policy.allows_capability("net_bind_service"));
  CHECK_FALSE(policy.allows_capability("sys_admin"));
  CHECK(policy.refused(need("/etc/shadow", R)) == "r");
  CHECK(policy.refused(need("/srv/app/data file,1.txt", R, false, false)) == "r");  // owner rule
  CHECK(policy.refused(need("/usr/bin/bash", R, true)) == "rx");
}

TEST_CASE("includes are inlined by apparmor_parser, tunables included") {
  if (!parser_available()) {
    FAIL("apparmor_parser not found: install apparmor, or set ARMORER_NO_APPARMOR_PARSER=1");
    return;
  }
  TempDir dir;
  write_file(dir.path / "with-base",
             "abi <abi/3.0>,\ninclude <tunables/global>\n\n"
             "profile with-base {\n  include <abstractions/base>\n  deny /dev/full w,\n"
             "  owner @{HOME}/notes r,\n}\n");
  const ProfilePolicy policy = read_profile((dir.path / "with-base").string(), "with-base");
  // Rules that only abstractions/base holds prove that the include was inlined.
  CHECK(policy.refused(need("/usr/lib/x86_64-linux-gnu/libm.so.6", R | M)) == "");
  CHECK(policy.refused(need("/dev/null", R | W)) == "");
  CHECK(policy.refused(need("/proc/4242/maps", R)) == "");  // @{PROC}/@{pid} from the tunables
  CHECK(policy.refused(need("/dev/full", R | W)) == "w");   // our deny beats base's rw
  CHECK(policy.refused(need("/home/ann/notes", R, false, true)) == "");
  CHECK(policy.refused(need("/etc/shadow", R)) == "r");
  CHECK(policy.rule_counts().at("file") > 20);
  CHECK(policy.unjudged_kinds().count("signal") == 1);  // base's signal rules: read, not judged
}

TEST_CASE("preprocess_profile reports the parser's own complaint") {
  if (!parser_available()) {
    FAIL("apparmor_parser not found: install apparmor, or set ARMORER_NO_APPARMOR_PARSER=1");
    return;
  }
  TempDir dir;
  write_file(dir.path / "bad", "profile bad {\n  /a rq,\n}\n");
  CHECK_THROWS_WITH_AS(read_profile((dir.path / "bad").string(), ""),
                       doctest::Contains("apparmor_parser rejected"), Fatal);
  CHECK_THROWS_WITH_AS(read_profile((dir.path / "missing").string(), ""),
                       doctest::Contains("cannot read profile"), Fatal);
}
