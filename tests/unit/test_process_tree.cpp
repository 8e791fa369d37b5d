#include <doctest/doctest.h>

#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <future>
#include <thread>
#include <vector>

#include "recorder/process_tree.h"

using armorer::syscall_from_proc_text;

TEST_CASE("the call number is read from /proc/PID/task/TID/syscall text") {
  CHECK(syscall_from_proc_text("34 0x0 0x0 0x0 0x0 0x0 0x0 0x7ffd5a0c2e08 0x7f1c4b2e6a4d") == 34);
  CHECK(syscall_from_proc_text("232 0x4 0x7ffd 0x10 0xffffffff 0x0 0x0 0x7ffd 0x7f") == 232);
  CHECK(syscall_from_proc_text("running") == -1);
  CHECK(syscall_from_proc_text("-1 0x7ffd5a0c2e08 0x7f1c4b2e6a4d") == -1);
  CHECK(syscall_from_proc_text("") == -1);
}

TEST_CASE("a thread blocked in a call is found in its process's live state") {
  // A second thread of this process sits in read(2) on a pipe until it is written to.
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  std::promise<void> started;
  std::thread reader([&] {
    started.set_value();
    char byte;
    (void)!read(fds[0], &byte, 1);
  });
  started.get_future().wait();
  std::vector<long> calls;
  for (int tries = 0; tries < 200; ++tries) {  // until the thread has entered read(2)
    calls = armorer::syscalls_in_progress(getpid());
    if (std::find(calls.begin(), calls.end(), long{SYS_read}) != calls.end()) break;
    usleep(5000);
  }
  CHECK(std::find(calls.begin(), calls.end(), long{SYS_read}) != calls.end());
  CHECK(std::is_sorted(calls.begin(), calls.end()));
  (void)!write(fds[1], "x", 1);
  reader.join();
  close(fds[0]);
  close(fds[1]);
  CHECK(armorer::syscalls_in_progress(999999999).empty());
}
