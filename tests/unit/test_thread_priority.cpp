#include <doctest/doctest.h>

#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <thread>

#include "recorder/thread_priority.h"

namespace {

int nice_of(pid_t tid) {
  errno = 0;
  return getpriority(PRIO_PROCESS, static_cast<id_t>(tid));
}

}  // namespace

TEST_CASE("a thread's priority goes to nice 19 and back, and only that thread's") {
  std::thread([] {
    const pid_t self = gettid();
    armorer::ThreadPriority priority(self);
    CHECK_FALSE(priority.low());
    priority.set_low(true);
    CHECK(priority.low());
    CHECK(nice_of(self) == 19);
    CHECK(nice_of(getpid()) == 0);  // the main thread is untouched
    priority.set_low(false);
    if (geteuid() == 0) {  // raising it back needs CAP_SYS_NICE
      CHECK_FALSE(priority.low());
      CHECK(nice_of(self) == 0);
    } else {
      CHECK(priority.low());
      CHECK(nice_of(self) == 19);
    }
  }).join();
}
