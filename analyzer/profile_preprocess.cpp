// preprocess_profile(): AppArmor's own parser inlines the includes of a profile, so that the
// reader sees exactly the rules the kernel would get.
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "analyzer/apparmor_names.h"
#include "analyzer/profile_reader.h"
#include "core/error.h"

extern char** environ;

namespace armorer {
namespace {

constexpr const char* kFeatures = "/usr/share/apparmor-features/features";

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(other.release()) {}
  Fd& operator=(Fd&& other) noexcept {
    reset(other.release());
    return *this;
  }
  ~Fd() { reset(); }
  int get() const { return fd_; }
  int release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

std::pair<Fd, Fd> make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw Fatal(std::string("cannot create a pipe: ") + std::strerror(errno));
  return {Fd(fds[0]), Fd(fds[1])};
}

std::string parser_path() {
  for (const char* path : {"/usr/sbin/apparmor_parser", "/sbin/apparmor_parser"})
    if (::access(path, X_OK) == 0) return path;
  throw Fatal("apparmor_parser not found (install the apparmor package): it is needed to read a profile");
}

struct Captured {
  std::string out, err;
  int status = 0;
};

Captured run(const std::vector<std::string>& argv) {
  auto [out_read, out_write] = make_pipe();
  auto [err_read, err_write] = make_pipe();
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_write.get(), STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_write.get(), STDERR_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int spawned = ::posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) throw Fatal("cannot run " + argv[0] + ": " + std::strerror(spawned));
  out_write.reset();
  err_write.reset();

  Captured captured;
  pollfd fds[2] = {{out_read.get(), POLLIN, 0}, {err_read.get(), POLLIN, 0}};
  std::string* sinks[2] = {&captured.out, &captured.err};
  int open_streams = 2;
  char buffer[65536];
  while (open_streams > 0) {
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int k = 0; k < 2; ++k) {
      if (fds[k].fd < 0 || !(fds[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const ssize_t n = ::read(fds[k].fd, buffer, sizeof buffer);
      if (n > 0) {
        sinks[k]->append(buffer, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        fds[k].fd = -1;
        --open_streams;
      }
    }
  }
  while (::waitpid(pid, &captured.status, 0) < 0 && errno == EINTR) {
  }
  return captured;
}

std::string first_line(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  return comment_safe(line);
}

}  // namespace

std::string preprocess_profile(const std::string& path) {
  if (::access(path.c_str(), R_OK) != 0)
    throw Fatal("cannot read profile " + comment_safe(path) + ": " + std::strerror(errno));
  std::vector<std::string> argv{parser_path(), "-p"};
  if (::access(kFeatures, R_OK) == 0) argv.insert(argv.end(), {"-M", kFeatures});
  argv.push_back(path.starts_with('-') ? "./" + path : path);  // never read as an option
  Captured result = run(argv);
  if (!WIFEXITED(result.status) || WEXITSTATUS(result.status) != 0) {
    // The parser explains itself on stderr; a cache warning may come first.
    std::string message;
    size_t start = 0;
    while (start < result.err.size()) {
      std::string line = result.err.substr(start, result.err.find('\n', start) - start);
      start += line.size() + 1;
      if (line.find("error") != std::string::npos) {
        message = line;
        break;
      }
      if (message.empty() && !line.empty()) message = line;
    }
    throw Fatal("apparmor_parser rejected " + comment_safe(path) + ": " +
                (message.empty() ? "no message" : first_line(message)));
  }
  return std::move(result.out);
}

}  // namespace armorer
