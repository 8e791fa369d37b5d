// The SQLite store: runs, and observations aggregated per profile (with per-run counts for
// provenance). Every write batch is one transaction; the DB is in WAL mode so `emit` can read
// while `learn` writes. Errors that make the DB unusable throw armorer::Fatal with one line
// naming the file and the cause; nothing already committed is ever modified on such an error.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/observation.h"

struct sqlite3;

namespace armorer {

enum class OpenMode { read_only, read_write_create };

// A profile's observations and, index for index, the ids of the runs that saw each one.
struct ObservationsWithRuns {
  std::vector<Observation> observations;
  std::vector<std::vector<int64_t>> run_ids;
};

class Store {
 public:
  // Opens (and for read_write_create creates and migrates) the database at `path`.
  static Store open(const std::string& path, OpenMode mode);

  Store(Store&&) noexcept;
  Store& operator=(Store&&) noexcept;
  ~Store();

  int schema_version() const;

  // Inserts a run with status "running"; returns its id.
  int64_t begin_run(const Run& run);
  // Adds observations to `run_id` in one transaction: upserts the profile's aggregated row
  // (count summed, first/last seen widened) and the per-run provenance row.
  void add_observations(int64_t run_id, std::span<const Observation> batch);
  // Updates counters of a run while it is still going (periodic checkpoints).
  void update_run_progress(int64_t run_id, uint64_t events, uint64_t lost_events);
  // Closes a run: ended time, status ("complete" | "interrupted"), counters, exit status.
  void finish_run(const Run& run);

  // Marks runs whose recorder is gone (killed, crashed, machine rebooted) as 'interrupted';
  // read-write opens do this. Returns how many were closed.
  int close_abandoned_runs();

  std::vector<std::string> profiles() const;
  std::vector<Run> runs(std::string_view profile) const;
  // All observations of a profile across its runs, aggregated, in a stable order
  // (kind by name, then subject, object as raw bytes, then access, flags).
  std::vector<Observation> observations(std::string_view profile) const;
  // Run ids that contributed to each observation, same order as observations().
  std::vector<std::vector<int64_t>> observation_runs(std::string_view profile) const;
  // Both of the above from one read snapshot: use this when another process may be adding
  // to the profile, or the two separate reads may not line up.
  ObservationsWithRuns observations_with_runs(std::string_view profile) const;

 private:
  explicit Store(sqlite3* db, std::string path);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace armorer
