// Turns raw ring-buffer events into Observations: names subjects, joins and normalises path
// operations, adds the ELF interpreter of each executable, and aggregates repeats until the
// next batch is taken.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/observation.h"

struct armorer_event;

namespace armorer {

struct DecoderCounters {
  uint64_t events = 0;
  uint64_t execs = 0;
  uint64_t processes = 0;  // distinct processes seen (exec or fork)
  uint64_t exits = 0;      // processes seen ending
  // Distinct file objects, by a 64-bit hash of the path: a count, at a tenth of the memory of
  // the paths themselves (a collision among a million paths has odds of about 1 in 10^7).
  std::unordered_set<uint64_t> files;
  std::set<std::string> capabilities;
  std::set<std::string> network;
};

// Joins a directory and a name the way the kernel resolved them, then removes ".", ".." and
// repeated slashes lexically. An absolute name ignores the directory.
std::string join_and_normalise(const std::string& directory, const std::string& name);

class EventDecoder {
 public:
  // boot_to_unix_ms: offset from CLOCK_BOOTTIME to the Unix epoch in milliseconds.
  // target_root: where the target's files are seen from when one of its processes has already
  // left ("/", or a container's /proc/INIT/root); a live process is looked at through its own.
  EventDecoder(int64_t boot_to_unix_ms, std::string target_root = "/");

  void handle(const armorer_event& event, size_t size);

  // Observations gathered since the last call, aggregated, in a stable order.
  std::vector<Observation> take_batch();
  size_t pending() const { return pending_.size(); }

  const DecoderCounters& counters() const { return counters_; }

 private:
  const std::string& subject_path(uint64_t subject) const;
  bool is_directory(pid_t pid, const std::string& path) const;
  void add(Observation observation);
  void on_exec(const armorer_event& event, const std::string& path, const std::string& script);

  int64_t boot_to_unix_ms_;
  std::string target_root_;
  int64_t now_ms_ = 0;
  std::unordered_map<uint64_t, std::string> subjects_;
  std::map<std::tuple<ObsKind, std::string, std::string, uint32_t, uint32_t>, Observation> pending_;
  DecoderCounters counters_;
};

}  // namespace armorer
