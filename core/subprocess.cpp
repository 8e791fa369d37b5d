#include "core/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "core/error.h"

extern char** environ;

namespace armorer {

namespace {

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

struct Pipe {
  Pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw Fatal(std::string("cannot create a pipe: ") + std::strerror(errno));
    read_end = std::make_unique<Fd>(fds[0]);
    write_end = std::make_unique<Fd>(fds[1]);
  }
  std::unique_ptr<Fd> read_end, write_end;
};

}  // namespace

ProcessOutput run_captured(const std::vector<std::string>& argv) {
  Pipe out, err;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out.write_end->get(), STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err.write_end->get(), STDERR_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int spawned = ::posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) throw Fatal("cannot run " + argv[0] + ": " + std::strerror(spawned));
  out.write_end->reset();
  err.write_end->reset();

  // Both pipes are drained together: a child that fills one while we block on the other
  // would never finish.
  ProcessOutput result;
  pollfd fds[2] = {{out.read_end->get(), POLLIN, 0}, {err.read_end->get(), POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
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
  while (::waitpid(pid, &result.status, 0) < 0 && errno == EINTR) {
  }
  return result;
}

TempFile::TempFile(std::string_view content, std::string_view name_prefix) {
  const char* dir = std::getenv("TMPDIR");
  path_ = std::string(dir && *dir ? dir : "/tmp") + "/" + std::string(name_prefix) + "-XXXXXX";
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

TempFile::~TempFile() { ::unlink(path_.c_str()); }

}  // namespace armorer
