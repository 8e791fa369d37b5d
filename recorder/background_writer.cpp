#include "recorder/background_writer.h"

#include <unistd.h>

#include <utility>

#include "recorder/thread_priority.h"

namespace armorer {

BackgroundWriter::BackgroundWriter(BatchSink sink, size_t bound_observations)
    : sink_(std::move(sink)), bound_(bound_observations), thread_([this] { run(); }) {}

BackgroundWriter::~BackgroundWriter() {
  // Reached on an error elsewhere: still try to keep what was recorded.
  try {
    finish();
  } catch (...) {
  }
}

size_t BackgroundWriter::queued() const {
  std::lock_guard lock(mutex_);
  return queued_observations_;
}

void BackgroundWriter::rethrow_locked() {
  if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
}

void BackgroundWriter::submit(std::vector<Observation>&& batch, const BpfStats& stats) {
  std::unique_lock lock(mutex_);
  rethrow_locked();
  // Past twice the bound the writer already runs at normal priority: wait for it rather than
  // grow. The ring buffer holds the events meanwhile.
  wake_producer_.wait(lock, [&] { return queued_observations_ < 2 * bound_ || error_ || stopping_; });
  rethrow_locked();
  queued_observations_ += batch.size();
  queue_.push_back({std::move(batch), stats});
  wake_writer_.notify_one();
}

void BackgroundWriter::finish() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_writer_.notify_one();
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mutex_);
  rethrow_locked();
}

void BackgroundWriter::run() {
  ThreadPriority priority(gettid());
  std::unique_lock lock(mutex_);
  while (true) {
    wake_writer_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;
    const bool low = !stopping_ && queued_observations_ < bound_;
    Item item = std::move(queue_.front());
    queue_.pop_front();
    const size_t size = item.batch.size();
    lock.unlock();
    priority.set_low(low);
    std::exception_ptr error;
    try {
      sink_(std::move(item.batch), item.stats);
    } catch (...) {
      error = std::current_exception();
    }
    lock.lock();
    queued_observations_ -= size;
    if (error) {
      // Later batches would fail the same way; the caller learns of it at its next submit.
      error_ = error;
      queue_.clear();
      queued_observations_ = 0;
      stopping_ = true;
    }
    wake_producer_.notify_all();
    if (error) return;
  }
}

}  // namespace armorer
