// Helpers shared by the emitter tests (test_emitter*.cpp): observations, golden files, the
// offline apparmor_parser check, and an independent reading of file-rule tokens.
#pragma once

#include <doctest/doctest.h>

#include <unistd.h>
#include <sys/wait.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "core/observation.h"
#include "observation_fixture.h"

namespace emitter_test {

using namespace armorer;
using armorer_test::obs;
namespace fs = std::filesystem;

inline const char* const kFeatures = "/usr/share/apparmor-features/features";


inline bool parser_check_disabled() {
  const char* value = std::getenv("ARMORER_NO_APPARMOR_PARSER");
  return value && std::string(value) == "1";
}

inline std::optional<fs::path> find_apparmor_parser() {
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

inline ParserRun run_apparmor_parser(const fs::path& parser, const std::string& profile) {
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
inline void check_compiles(const std::string& profile) {
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

inline std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// ARMORER_UPDATE_GOLDEN=1 rewrites the golden file instead of comparing: review the diff.
inline void check_golden(const std::string& actual, const std::string& name) {
  const fs::path path = fs::path(ARMORER_SOURCE_DIR) / "tests" / "golden" / name;
  if (const char* update = std::getenv("ARMORER_UPDATE_GOLDEN"); update && std::string(update) == "1") {
    std::ofstream(path, std::ios::binary) << actual;
    MESSAGE("rewrote " << path.string());
    return;
  }
  REQUIRE_MESSAGE(fs::exists(path), path.string() << " is missing");
  CHECK(actual == read_file(path));
}

inline std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// The lines between `profile ... {` and the closing `}`, trimmed.
inline std::vector<std::string> body_lines(const std::string& profile) {
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
inline std::string parser_pattern(const std::string& token) {
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

inline ParsedFileRule parse_file_rule(const std::string& line) {
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

// The observations behind the golden outputs: one or more of every kind, a hostile-free mix.
inline std::vector<Observation> golden_observations() {
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

}  // namespace emitter_test
