// A child process that is forked now but execs its command only when released, so that the
// recorder can follow it before its first instruction runs.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace armorer {

// Finds `name` the way execvp would (PATH search unless it contains a '/'); nullopt if there
// is no executable file by that name.
std::optional<std::string> find_executable(const std::string& name);

class GatedChild {
 public:
  // Forks; the child waits for release(). Throws Fatal if the command cannot be found.
  explicit GatedChild(const std::vector<std::string>& command);
  ~GatedChild();
  GatedChild(const GatedChild&) = delete;
  GatedChild& operator=(const GatedChild&) = delete;

  pid_t pid() const { return pid_; }
  // Lets the child exec. Throws Fatal if exec failed (its errno is reported).
  void release();
  // Non-blocking wait; returns the shell-style exit status (128+signal) once it has ended.
  std::optional<int> poll_exit();
  // Blocking wait.
  int wait_exit();
  void signal(int signo) const;

 private:
  pid_t pid_ = -1;
  int gate_fd_ = -1;   // write end: the child execs when it reads a byte
  int error_fd_ = -1;  // read end: the child writes exec's errno here; EOF means exec worked
  std::optional<int> status_;
};

}  // namespace armorer
