// The CPU priority of one thread (nice is per thread on Linux): the recorder's own threads
// run at the lowest priority while they keep up, so that recording takes CPU time from the
// workload only when it must.
#pragma once

#include <sys/types.h>

namespace armorer {

class ThreadPriority {
 public:
  explicit ThreadPriority(pid_t tid) : tid_(tid) {}
  // Lowest priority (nice 19) or normal (nice 0). Lowering needs no privilege; raising it back
  // needs CAP_SYS_NICE (armorer learn runs as root), and without it the thread stays low.
  void set_low(bool low);
  bool low() const { return low_; }

 private:
  pid_t tid_;
  bool low_ = false;
};

}  // namespace armorer
