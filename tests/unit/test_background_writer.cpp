#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/error.h"
#include "recorder/background_writer.h"

using namespace armorer;

namespace {

std::vector<Observation> batch_of(const std::string& tag, size_t size) {
  std::vector<Observation> batch(size);
  for (size_t i = 0; i < size; ++i) {
    batch[i].kind = ObsKind::file;
    batch[i].subject = "/usr/bin/" + tag;
    batch[i].object = "/data/" + tag + "/" + std::to_string(i);
  }
  return batch;
}

}  // namespace

TEST_CASE("the writer hands every batch to the sink once, in order, with its stats") {
  std::vector<std::string> written;
  std::vector<uint64_t> events;
  {
    BackgroundWriter writer(
        [&](std::vector<Observation>&& batch, const BpfStats& stats) {
          written.push_back(batch.empty() ? "(empty)" : batch.front().subject);
          events.push_back(stats.events);
        },
        100);
    for (int i = 0; i < 50; ++i) {
      BpfStats stats;
      stats.events = static_cast<uint64_t>(i);
      writer.submit(i % 10 == 9 ? std::vector<Observation>{} : batch_of(std::to_string(i), 3), stats);
    }
    writer.finish();
    CHECK(writer.queued() == 0);
  }
  REQUIRE(written.size() == 50);
  for (int i = 0; i < 50; ++i) {
    CHECK(events[i] == static_cast<uint64_t>(i));
    CHECK(written[i] == (i % 10 == 9 ? "(empty)" : "/usr/bin/" + std::to_string(i)));
  }
}

TEST_CASE("a failure of the sink reaches the caller once, and later batches are not written") {
  std::vector<std::string> written;
  BackgroundWriter writer(
      [&](std::vector<Observation>&& batch, const BpfStats&) {
        if (batch.front().subject == "/usr/bin/bad") throw Fatal("db: disk I/O error");
        written.push_back(batch.front().subject);
      },
      100);
  writer.submit(batch_of("good", 1), {});
  writer.submit(batch_of("bad", 1), {});
  // The error surfaces at a later submit or at finish(), whichever comes first.
  std::string message;
  try {
    for (int i = 0; i < 1000; ++i) {
      writer.submit(batch_of("after", 1), {});
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    writer.finish();
  } catch (const Fatal& e) {
    message = e.what();
  }
  CHECK(message == "db: disk I/O error");
  CHECK(written == std::vector<std::string>{"/usr/bin/good"});
  CHECK_NOTHROW(writer.finish());  // reported once
}

TEST_CASE("memory is bounded: past twice the bound, submit waits for the writer") {
  std::promise<void> gate;
  std::shared_future<void> open = gate.get_future().share();
  std::vector<std::string> written;
  BackgroundWriter writer(
      [&](std::vector<Observation>&& batch, const BpfStats&) {
        open.wait();
        written.push_back(batch.front().subject);
      },
      10);
  writer.submit(batch_of("a", 10), {});  // being written (held at the gate): still counted
  writer.submit(batch_of("b", 10), {});
  CHECK(writer.queued() == 20);
  std::atomic<bool> returned{false};
  std::thread producer([&] {
    writer.submit(batch_of("c", 10), {});
    returned = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  CHECK_FALSE(returned.load());
  gate.set_value();
  producer.join();
  CHECK(returned.load());
  writer.finish();
  CHECK(written == std::vector<std::string>{"/usr/bin/a", "/usr/bin/b", "/usr/bin/c"});
}

TEST_CASE("a writer destroyed without finish() still writes what it holds") {
  std::vector<std::string> written;
  {
    BackgroundWriter writer(
        [&](std::vector<Observation>&& batch, const BpfStats&) { written.push_back(batch.front().subject); },
        100);
    writer.submit(batch_of("kept", 2), {});
    writer.submit(batch_of("also", 2), {});
  }
  CHECK(written == std::vector<std::string>{"/usr/bin/kept", "/usr/bin/also"});
}
