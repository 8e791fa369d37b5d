// Writes the recorder's batches from a thread of its own, at the lowest CPU priority, so that
// the recording's database work does not compete with the workload it records: on a busy
// machine the batches wait in memory (up to a bound) and are written when a CPU is free or
// once the workload has ended. Past the bound the writer runs at normal priority, and past
// twice the bound the recorder waits for it, so memory stays bounded whatever the rate.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "core/observation.h"
#include "recorder/bpf_recorder.h"
#include "recorder/learn_session.h"

namespace armorer {

class BackgroundWriter {
 public:
  // sink runs on the writer thread, one batch at a time, in submission order.
  BackgroundWriter(BatchSink sink, size_t bound_observations);
  BackgroundWriter(const BackgroundWriter&) = delete;
  BackgroundWriter& operator=(const BackgroundWriter&) = delete;
  // Stops the thread; batches not yet written are dropped (call finish() to keep them).
  ~BackgroundWriter();

  // Queues a batch. Rethrows, on the caller's thread, what the sink threw earlier.
  void submit(std::vector<Observation>&& batch, const BpfStats& stats);
  // Writes everything queued (at normal priority: the workload is over), stops the thread,
  // and rethrows what the sink threw.
  void finish();

  size_t queued() const;

 private:
  struct Item {
    std::vector<Observation> batch;
    BpfStats stats;
  };
  void run();
  void rethrow_locked();

  BatchSink sink_;
  const size_t bound_;
  mutable std::mutex mutex_;
  std::condition_variable wake_writer_, wake_producer_;
  std::deque<Item> queue_;
  size_t queued_observations_ = 0;
  bool stopping_ = false;  // finish() or a failure: what is left is written at normal priority
  std::exception_ptr error_;
  std::thread thread_;
};

}  // namespace armorer
