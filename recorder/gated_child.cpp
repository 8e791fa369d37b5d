#include "recorder/gated_child.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "core/error.h"

namespace armorer {

namespace {

bool is_executable_file(const std::string& path) {
  struct stat st{};
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(path.c_str(), X_OK) == 0;
}

int shell_status(int raw) {
  if (WIFEXITED(raw)) return WEXITSTATUS(raw);
  if (WIFSIGNALED(raw)) return 128 + WTERMSIG(raw);
  return 1;
}

}  // namespace

std::optional<std::string> find_executable(const std::string& name) {
  if (name.empty()) return std::nullopt;
  if (name.find('/') != std::string::npos)
    return is_executable_file(name) ? std::optional<std::string>(name) : std::nullopt;
  const char* env = std::getenv("PATH");
  std::string path = env ? env : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    std::string dir = path.substr(start, end - start);
    std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    if (is_executable_file(candidate)) return candidate;
    start = end + 1;
  }
  return std::nullopt;
}

GatedChild::GatedChild(const std::vector<std::string>& command) {
  if (command.empty()) throw Fatal("no command given after --", kExitUsage);
  if (!find_executable(command[0]))
    throw Fatal("cannot run '" + command[0] + "': no such executable file (checked PATH)");
  int gate[2], error_pipe[2];
  if (pipe2(gate, O_CLOEXEC) || pipe2(error_pipe, O_CLOEXEC))
    throw Fatal(std::string("cannot create a pipe: ") + std::strerror(errno));
  pid_ = fork();
  if (pid_ < 0) throw Fatal(std::string("cannot fork: ") + std::strerror(errno));
  if (pid_ == 0) {
    close(gate[1]);
    close(error_pipe[0]);
    char go = 0;
    ssize_t n;
    do n = read(gate[0], &go, 1); while (n < 0 && errno == EINTR);
    if (n != 1) _exit(127);  // the recorder gave up before releasing us
    std::vector<char*> argv;
    for (const auto& arg : command) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    execvp(argv[0], argv.data());
    int err = errno;
    (void)!write(error_pipe[1], &err, sizeof(err));
    _exit(127);
  }
  close(gate[0]);
  close(error_pipe[1]);
  gate_fd_ = gate[1];
  error_fd_ = error_pipe[0];
}

GatedChild::~GatedChild() {
  if (gate_fd_ >= 0) close(gate_fd_);  // an unreleased child reads EOF and exits 127
  if (error_fd_ >= 0) close(error_fd_);
  if (pid_ > 0 && !status_) {
    int raw = 0;
    waitpid(pid_, &raw, 0);
  }
}

void GatedChild::release() {
  char go = 1;
  if (write(gate_fd_, &go, 1) != 1) throw Fatal(std::string("cannot start the command: ") + std::strerror(errno));
  close(gate_fd_);
  gate_fd_ = -1;
  int err = 0;
  ssize_t n;
  do n = read(error_fd_, &err, sizeof(err)); while (n < 0 && errno == EINTR);
  close(error_fd_);
  error_fd_ = -1;
  if (n == sizeof(err)) {
    wait_exit();
    throw Fatal(std::string("cannot run the command: ") + std::strerror(err));
  }
}

std::optional<int> GatedChild::poll_exit() {
  if (status_) return status_;
  int raw = 0;
  pid_t r = waitpid(pid_, &raw, WNOHANG);
  if (r == pid_) status_ = shell_status(raw);
  return status_;
}

int GatedChild::wait_exit() {
  while (!status_) {
    int raw = 0;
    pid_t r = waitpid(pid_, &raw, 0);
    if (r == pid_) status_ = shell_status(raw);
    else if (r < 0 && errno != EINTR) status_ = 1;
  }
  return *status_;
}

void GatedChild::signal(int signo) const {
  if (pid_ > 0 && !status_) kill(pid_, signo);
}

}  // namespace armorer
