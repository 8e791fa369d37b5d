#include "recorder/thread_priority.h"

#include <sys/resource.h>

namespace armorer {

void ThreadPriority::set_low(bool low) {
  if (low == low_) return;
  if (setpriority(PRIO_PROCESS, static_cast<id_t>(tid_), low ? 19 : 0) == 0) low_ = low;
}

}  // namespace armorer
