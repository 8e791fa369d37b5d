// AARE matching, tunables, escaping and profile tokens. The expectations were measured with
// apparmor_parser 3.0.8 (-D rule-exprs / -D dfa-states); test_aare_differential.cpp checks the
// same ground at scale against the parser itself.
#include <doctest/doctest.h>

#include <chrono>
#include <random>
#include <string>
#include <vector>

#include "apparmor/aare.h"

using namespace armorer;

namespace {

Aare must_compile(std::string_view pattern, const Variables& vars = {}) {
  std::string error;
  auto aare = Aare::compile(pattern, vars, &error);
  INFO("pattern: ", std::string(pattern), " error: ", error);
  REQUIRE(aare.has_value());
  return std::move(*aare);
}

std::string compile_error(std::string_view pattern, const Variables& vars = {}) {
  std::string error;
  auto aare = Aare::compile(pattern, vars, &error);
  CHECK_FALSE(aare.has_value());
  return error;
}

void check_matches(std::string_view pattern, std::initializer_list<const char*> yes,
                   std::initializer_list<const char*> no, const Variables& vars = {}) {
  const Aare aare = must_compile(pattern, vars);
  for (const char* path : yes) {
    INFO(std::string(pattern), " should match ", std::string(path));
    CHECK(aare.matches(path));
  }
  for (const char* path : no) {
    INFO(std::string(pattern), " should not match ", std::string(path));
    CHECK_FALSE(aare.matches(path));
  }
}

}  // namespace

TEST_CASE("a literal pattern matches exactly itself") {
  check_matches("/etc/passwd", {"/etc/passwd"},
                {"/etc/passw", "/etc/passwd2", "/etc/passwd/", "/etc/Passwd", "", "etc/passwd"});
  check_matches("/usr/lib/libc.so.6", {"/usr/lib/libc.so.6"}, {"/usr/lib/libcXso.6"});
  check_matches("/a/../b", {"/a/../b"}, {"/b", "/a/b"});  // no path resolution in patterns
  check_matches("/a/$x^y(z)|+", {"/a/$x^y(z)|+"}, {"/a/x"});
}

TEST_CASE("* stays inside one component and is never empty when it is the whole component") {
  check_matches("/a/*", {"/a/b", "/a/.hidden", "/a/b c"}, {"/a/", "/a/b/c", "/a/b/", "/a"});
  check_matches("/a/*/", {"/a/b/"}, {"/a//", "/a/b", "/a/b/c/"});
  check_matches("/a/*b", {"/a/b", "/a/xb", "/a/xyzb"}, {"/a/x/b", "/a/bx"});
  check_matches("/a/x*", {"/a/x", "/a/xy"}, {"/a/x/y", "/a/"});
  check_matches("/a/*.so", {"/a/x.so", "/a/.so"}, {"/a/x.so/y", "/a/x/y.so"});
}

TEST_CASE("** crosses components and is never empty when it is the whole component") {
  check_matches("/a/**", {"/a/b", "/a/b/c", "/a/b/", "/a/b/c/d/e"}, {"/a/", "/a", "/b/c"});
  check_matches("/a**", {"/a", "/ab", "/a/b/c", "/a/"}, {"/b"});
  check_matches("/a/**/x", {"/a/b/x", "/a/b/c/x"}, {"/a/x", "/a//x"});
  check_matches("/a/**.conf", {"/a/b.conf", "/a/b/c.conf", "/a/.conf"}, {"/a/b.conf/x"});
  check_matches("/**", {"/a", "/a/b/"}, {"/"});
}

TEST_CASE("? is exactly one character other than '/'") {
  check_matches("/a/?", {"/a/b", "/a/."}, {"/a/", "/a//", "/a/bc"});
  check_matches("/a/b?c", {"/a/bxc"}, {"/a/b/c", "/a/bc"});
}

TEST_CASE("character classes, ranges and negation") {
  check_matches("/tty[0-9]", {"/tty0", "/tty9"}, {"/ttya", "/tty", "/tty10"});
  check_matches("/x[abc]", {"/xa", "/xc"}, {"/xd", "/x"});
  check_matches("/x[z-a]", {"/xm"}, {"/x-"});  // the parser swaps reversed bounds
  check_matches("/x[-a]", {"/x-", "/xa"}, {"/xb"});
  check_matches("/x[^a-c]", {"/xd", "/x/"}, {"/xa", "/xb", "/x"});  // [^..] may match '/'
  check_matches("/x[^^a]", {"/xb"}, {"/x^", "/xa"});
  check_matches("/x[a^]", {"/xa", "/x^"}, {"/xb"});
  check_matches("/x[{},]", {"/x{", "/x}", "/x,"}, {"/xa"});
}

TEST_CASE("alternations, nested and with empty branches") {
  check_matches("/a/{b,c}", {"/a/b", "/a/c"}, {"/a/d", "/a/bc", "/a/"});
  check_matches("/a/{x,y{z,w}}/q", {"/a/x/q", "/a/yz/q", "/a/yw/q"}, {"/a/y/q", "/a/xz/q"});
  check_matches("/usr/lib{,32,64}/x", {"/usr/lib/x", "/usr/lib32/x", "/usr/lib64/x"},
                {"/usr/lib6/x"});
  check_matches("/a/{b/c,d}/e", {"/a/b/c/e", "/a/d/e"}, {"/a/b/e"});
  check_matches("/a/{*.so,**.py}", {"/a/x.so", "/a/b/c.py"}, {"/a/b/c.so"});
}

TEST_CASE("escapes make metacharacters literal") {
  check_matches(R"(/a/\*)", {"/a/*"}, {"/a/b"});
  check_matches(R"(/a/\{b\,c\})", {"/a/{b,c}"}, {"/a/b"});
  check_matches(R"(/a/\[x\]\?)", {"/a/[x]?"}, {"/a/x"});
  check_matches(R"(/a/\\)", {"/a/\\"}, {"/a/"});
  check_matches(R"(/a/\x41\101\d65)", {"/a/AAA"}, {"/a/x41"});
  check_matches(R"(/a/\n)", {"/a/\n"}, {"/a/n"});
  check_matches(R"(/a/\q)", {"/a/q"}, {"/a/\\q"});  // a needless escape is dropped
  const Aare nul = must_compile(R"(/a/\000)");
  CHECK(nul.matches(std::string_view("/a/\0", 4)));
  CHECK_FALSE(nul.matches("/a/"));
}

TEST_CASE("the parser's quirks are reproduced, not corrected") {
  // Inside [ ] the parser still expands * and ?: [*a] becomes ([\0/\[^]*)a\].
  check_matches("/x/[*a]", {"/x/a]", "/x/[^/a]"}, {"/x/a", "/x/*"});
  // An escaped '^' inside a class still negates it.
  check_matches(R"(/x/[\^a])", {"/x/b", "/x/^"}, {"/x/a"});
  // Runs of slashes fold, except a leading "//".
  check_matches("/a//b///c", {"/a/b/c"}, {"/a//b///c"});
  check_matches("//a", {"//a"}, {"/a"});
  // An escaped slash is not folded.
  check_matches(R"(/a/\/b)", {"/a//b"}, {"/a/b"});
}

TEST_CASE("a pattern ending in '/' matches directories only") {
  check_matches("/var/log/", {"/var/log/"}, {"/var/log"});
  check_matches("/var/{log,tmp}/", {"/var/log/", "/var/tmp/"}, {"/var/log"});
}

TEST_CASE("variables expand like apparmor_parser's") {
  const Variables vars = {{"one", {"/a"}},
                          {"two", {"x", "y/z"}},
                          {"nested", {"@{two}.d", "q"}},
                          {"dirs", {"/p/", "/q/"}},
                          {"glob", {"*"}},
                          {"self", {"@{self}"}}};
  check_matches("@{one}/f", {"/a/f"}, {"/a"}, vars);
  check_matches("/b/@{two}", {"/b/x", "/b/y/z"}, {"/b/y"}, vars);
  check_matches("/b/@{nested}", {"/b/x.d", "/b/y/z.d", "/b/q"}, {"/b/x"}, vars);
  // Several values next to '/' lose their own slashes there, as @{HOME} does.
  check_matches("@{dirs}/f", {"/p/f", "/q/f"}, {"/p//f"}, vars);
  check_matches("/b/@{glob}", {"/b/c"}, {"/b/"}, vars);
  // "\@{" is not a variable but still an alternation (and "{one}" has no ','); "@\{" is text.
  CHECK_FALSE(compile_error(R"(/b/\@{one})", vars).empty());
  check_matches(R"(/b/@\{one\})", {"/b/@{one}"}, {"/b/a"}, vars);
  check_matches("/b/@x", {"/b/@x"}, {}, vars);
  CHECK(compile_error("/b/@{missing}", vars).find("undefined variable @{missing}") !=
        std::string::npos);
  CHECK(compile_error("/b/@{self}", vars).find("refers to itself") != std::string::npos);
  CHECK_FALSE(compile_error("/b/@{}", vars).empty());
}

TEST_CASE("malformed patterns give one-line errors") {
  for (const char* bad : {"/a/{b", "/a/b}", "/a/[b", "/a/b]", "/a/{b}", "/a/{}", "/a/b\\",
                          "/a/[]", "/a/[a-]", "/a/[a--]", "/a/{[},]}"}) {
    const std::string error = compile_error(bad);
    INFO(std::string(bad));
    CHECK_FALSE(error.empty());
    CHECK(error.find('\n') == std::string::npos);
  }
  CHECK(compile_error("/a/\n{").find('\n') == std::string::npos);
  // apparmor_parser 3.0.8 loops forever on four empty alternatives: refused, three are fine.
  for (const char* hangs : {"/{,,,}", "/a{,x,,,}b", "/{{,},{,}}", "/{,{,,}}"}) {
    CHECK(compile_error(hangs).find("empty alternatives") != std::string::npos);
  }
  check_matches("/{,,}x{,}{,,}", {"/x"}, {"/"});
  check_matches("/{a,,,}", {"/", "/a"}, {"/b"});
  CHECK_FALSE(Aare::compile(std::string_view("/a/\0b", 5), {}).has_value());
}

TEST_CASE("stock tunables hold AppArmor 3.0's values") {
  const Variables& vars = stock_tunables();
  for (const char* name : {"HOME", "HOMEDIRS", "PROC", "sys", "run", "pid", "pids", "tid", "uid",
                           "multiarch", "etc_ro", "etc_rw", "XDG_DOWNLOAD_DIR",
                           "system_share_dirs", "user_share_dirs", "flatpak_exports_root"}) {
    INFO(std::string(name));
    CHECK(vars.count(name) == 1);
  }
  check_matches("@{HOME}/.bashrc", {"/home/alice/.bashrc", "/root/.bashrc"},
                {"/home/.bashrc", "/home/a/b/.bashrc", "/root//.bashrc"}, vars);
  check_matches("@{PROC}/@{pid}/status", {"/proc/1/status", "/proc/4194304/status"},
                {"/proc/0/status", "/proc/01/status", "/proc/self/status", "/proc/50000000/status"},
                vars);
  check_matches("@{sys}/class/**", {"/sys/class/net/eth0"}, {"/sys/class/"}, vars);
  check_matches("@{run}/x", {"/run/x", "/var/run/x"}, {"/run/y"}, vars);
  check_matches("/usr/lib/@{multiarch}/libc.so.6", {"/usr/lib/x86_64-linux-gnu/libc.so.6"},
                {"/usr/lib/libc.so.6"}, vars);
  check_matches("@{etc_ro}/hosts", {"/etc/hosts", "/usr/etc/hosts"}, {"/etc/x/hosts"}, vars);
  check_matches("/proc/@{uid}", {"/proc/0", "/proc/4294967295"}, {"/proc/00"}, vars);
  check_matches("@{system_share_dirs}/x", {"/usr/share/x", "/usr/local/share/x"}, {}, vars);
  must_compile("@{user_share_dirs}/**", vars);
}

TEST_CASE("copies and moves keep the compiled pattern") {
  Aare a = must_compile("/a/{b,c}");
  Aare b = a;
  CHECK(b.matches("/a/c"));
  CHECK(b.pattern() == "/a/{b,c}");
  Aare c = std::move(a);
  CHECK(c.matches("/a/b"));
  b = must_compile("/x");
  CHECK(b.matches("/x"));
  CHECK_FALSE(b.matches("/a/b"));
}

TEST_CASE("matching takes linear time on patterns that make backtrackers explode") {
  const Aare aare = must_compile("/**a**a**a**a**a**a**a**a**a**a**b");
  const std::string path = "/" + std::string(20000, 'a');
  const auto start = std::chrono::steady_clock::now();
  CHECK_FALSE(aare.matches(path));
  CHECK(aare.matches(path + "b"));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  CHECK(elapsed < std::chrono::seconds(1));
  // A wide pattern (more than 256 positions) uses the heap-backed simulation.
  std::string wide = "/{";
  for (int i = 0; i < 300; ++i) wide += (i ? "," : "") + std::to_string(i) + "*";
  wide += "}";
  const Aare many = must_compile(wide);
  CHECK(many.matches("/299abc"));
  CHECK(many.matches("/0"));
  CHECK_FALSE(many.matches("/x1"));
}

TEST_CASE("arbitrary bytes never crash compile, and tokens keep the lexer's shape") {
  std::mt19937 rng(11);
  const std::string_view alphabet("/\\{}[],*?^@\"#\n a-x\0\xff", 21);
  int compiled = 0, tokens = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string text;
    for (int n = static_cast<int>(rng() % 16); n > 0; --n) {
      text += rng() % 4 ? alphabet[rng() % alphabet.size()] : static_cast<char>(rng() % 256);
    }
    std::string error;
    const auto aare = Aare::compile(text, stock_tunables(), &error);
    if (aare) {
      ++compiled;
      aare->matches(text);
    } else {
      CHECK(error.find('\n') == std::string::npos);
    }
    const auto token = profile_token(text);
    if (!token) continue;
    ++tokens;
    INFO("text: ", text, " token: ", *token);
    REQUIRE_FALSE(token->empty());
    for (const char c : *token) {
      CHECK(static_cast<unsigned char>(c) >= 0x20);  // no raw control byte, no line break
    }
    if (token->front() != '"') {
      // A bare token ends at whitespace, '"', '!' or a ',' that nothing follows.
      CHECK(token->find_first_of(" \t\"!#") == std::string::npos);
      CHECK(token->find(",,") == std::string::npos);
      CHECK(token->back() != ',');
      CHECK(token->back() != '\\');
      continue;
    }
    // Quoted: every inner quote is escaped and no escape runs into the closing quote.
    REQUIRE(token->size() >= 2);
    CHECK(token->back() == '"');
    const std::string_view inner(token->data() + 1, token->size() - 2);
    for (std::size_t k = 0; k < inner.size(); ++k) {
      if (inner[k] == '\\') {
        REQUIRE(k + 1 < inner.size());
        ++k;
      } else {
        CHECK(inner[k] != '"');
      }
    }
  }
  MESSAGE("random texts: 20000, compiled: " << compiled << ", tokens: " << tokens);
  CHECK(compiled > 100);
  CHECK(tokens > 1000);
}
