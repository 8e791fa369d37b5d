#include "emitter/profile_validator.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <vector>

#include "analyzer/apparmor_names.h"
#include "core/error.h"

extern char** environ;

namespace armorer {

namespace {

constexpr const char* kFeatures = "/usr/share/apparmor-features/features";

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

// Removes the file when it goes out of scope.
class TempFile {
 public:
  explicit TempFile(std::string_view content) {
    const char* dir = std::getenv("TMPDIR");
    path_ = std::string(dir && *dir ? dir : "/tmp") + "/armorer-validate-XXXXXX";
    Fd fd(::mkstemp(path_.data()));
    if (fd.get() < 0) throw Fatal("cannot create a temporary file in " + path_ + ": " + std::strerror(errno));
    for (std::size_t done = 0; done < content.size();) {
      const ssize_t n = ::write(fd.get(), content.data() + done, content.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        const int saved = errno;
        ::unlink(path_.c_str());
        throw Fatal("cannot write " + path_ + ": " + std::strerror(saved));
      }
      done += static_cast<std::size_t>(n);
    }
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() { ::unlink(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string find_parser() {
  if (const char* configured = std::getenv("ARMORER_APPARMOR_PARSER"))
    return ::access(configured, X_OK) == 0 ? configured : "";
  std::vector<std::string> dirs{"/usr/sbin", "/sbin"};
  if (const char* path = std::getenv("PATH")) {
    std::istringstream in(path);
    for (std::string dir; std::getline(in, dir, ':');)
      if (!dir.empty()) dirs.push_back(dir);
  }
  for (const auto& dir : dirs) {
    const std::string candidate = dir + "/apparmor_parser";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

// The line that says what is wrong: the parser may print a warning about its cache first.
std::string parser_message(const std::string& stderr_text) {
  std::istringstream in(stderr_text);
  std::string first;
  for (std::string line; std::getline(in, line);) {
    if (line.find("error") != std::string::npos || line.find("not found") != std::string::npos)
      return line;
    if (first.empty() && !line.empty()) first = line;
  }
  return first.empty() ? "no message" : first;
}

void replace_all(std::string& text, const std::string& from, std::string_view to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
}

struct ParserRun {
  int status = 0;
  std::string errors;
};

ParserRun run_parser(const std::string& parser, const std::string& path) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw Fatal(std::string("cannot create a pipe: ") + std::strerror(errno));
  Fd read_end(fds[0]), write_end(fds[1]);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, write_end.get(), STDERR_FILENO);
  std::vector<std::string> argv{parser, "-Q", "-K"};
  if (::access(kFeatures, R_OK) == 0) argv.insert(argv.end(), {"-M", kFeatures});
  argv.insert(argv.end(), {"--", path});
  std::vector<char*> args;
  for (auto& arg : argv) args.push_back(arg.data());
  args.push_back(nullptr);
  pid_t pid = 0;
  const int spawned = ::posix_spawn(&pid, parser.c_str(), &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) throw Fatal("cannot run " + parser + ": " + std::strerror(spawned));
  write_end.reset();
  ParserRun run;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(read_end.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    run.errors.append(buffer, static_cast<std::size_t>(n));
  }
  while (::waitpid(pid, &run.status, 0) < 0 && errno == EINTR) {
  }
  return run;
}

Validation validate(const std::string& path, const std::string& label) {
  const std::string parser = find_parser();
  if (parser.empty()) {
    const char* configured = std::getenv("ARMORER_APPARMOR_PARSER");
    return {Validation::Status::parser_missing,
            configured ? "apparmor_parser not found at $ARMORER_APPARMOR_PARSER (" + comment_safe(configured) + ")"
                       : "apparmor_parser not found: install the apparmor package to validate profiles"};
  }
  ParserRun run = run_parser(parser, path);
  if (WIFEXITED(run.status) && WEXITSTATUS(run.status) == 0) return {Validation::Status::valid, ""};
  std::string message = parser_message(run.errors);
  if (label != path) replace_all(message, path, label);
  if (!WIFEXITED(run.status)) message = "apparmor_parser was killed by signal " + std::to_string(WTERMSIG(run.status));
  return {Validation::Status::invalid, comment_safe(message)};
}

}  // namespace

Validation validate_profile_file(const std::string& path) { return validate(path, path); }

Validation validate_profile_text(std::string_view text, std::string_view label) {
  TempFile file(text);
  return validate(file.path(), std::string(label));
}

}  // namespace armorer
