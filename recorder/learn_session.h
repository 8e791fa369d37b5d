// One recording: starts the eBPF recorder on a target, streams decoded observations to a sink
// in batches, and stops when the target is gone, the duration is over, or a signal arrives.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/observation.h"
#include "recorder/bpf_recorder.h"
#include "recorder/event_decoder.h"

namespace armorer {

struct LearnTarget {
  enum class Kind { command, pid, cgroup, container } kind = Kind::command;
  std::vector<std::string> command;  // Kind::command
  pid_t pid = 0;                     // Kind::pid
  std::string cgroup_dir;            // Kind::cgroup (a cgroup v2 directory)
  std::string container;             // Kind::container (id or unique prefix)

  std::string describe() const;  // "command: ls -l", "pid: 42", ...
};

struct LearnOptions {
  LearnTarget target;
  double duration_seconds = 0;  // 0 = until the target is gone
  uint32_t ring_buffer_bytes = 16u << 20;
  uint32_t max_processes = 32768;
  uint32_t dedup_entries = 262144;
  bool live_status = false;     // redraw a status line on stderr
  int flush_interval_ms = 500;
  std::string ready_file;       // created once the recorder is attached (for scripts)
};

struct LearnResult {
  std::optional<int> exit_status;  // the command's, for Kind::command
  bool interrupted = false;        // stopped by a signal before the target ended
  BpfStats kernel;
  RecorderSetup setup;  // how each kind of fact was recorded on this kernel
  DecoderCounters counters;
  int64_t started_ms = 0;
  int64_t ended_ms = 0;
};

using BatchSink = std::function<void(std::vector<Observation>&& batch, const BpfStats& stats)>;

// Throws Fatal for a target that cannot be found or a recorder that cannot start; nothing is
// passed to the sink in that case.
LearnResult run_learn_session(const LearnOptions& options, const BatchSink& sink);

int64_t unix_time_ms();

}  // namespace armorer
