#include "cli/output_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "core/error.h"

namespace armorer::cli {

namespace {

[[noreturn]] void fail(const std::string& path, const char* what) {
  throw Fatal("cannot write '" + path + "': " + what + ": " + std::strerror(errno));
}

bool write_all(int fd, const std::string& content) {
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

void write_output(const std::string& path, const std::string& content) {
  if (path.empty() || path == "-") {
    if (!write_all(STDOUT_FILENO, content)) throw Fatal(std::string("cannot write to stdout: ") + std::strerror(errno));
    return;
  }
  std::string temp = path + ".tmp." + std::to_string(getpid());
  int fd = open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail(path, "create");
  if (!write_all(fd, content) || fsync(fd) != 0) {
    int saved = errno;
    close(fd);
    unlink(temp.c_str());
    errno = saved;
    fail(path, "write");
  }
  close(fd);
  if (rename(temp.c_str(), path.c_str()) != 0) {
    int saved = errno;
    unlink(temp.c_str());
    errno = saved;
    fail(path, "rename");
  }
}

}  // namespace armorer::cli
