#include "schema/store.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>

#include <optional>

#include "core/error.h"
#include "open_database.h"
#include "sqlite_handle.h"

namespace armorer {

namespace {

// Unsigned counters are stored as SQLite's signed 64-bit integers; values above INT64_MAX
// cannot come from a real run, so the cast is a representation change only.
int64_t to_db(uint64_t value) { return static_cast<int64_t>(value); }
uint64_t from_db(int64_t value) { return static_cast<uint64_t>(value); }

// runs.missing_kinds: observation kinds, comma-separated.
std::string join_kinds(const std::vector<std::string>& kinds) {
  std::string out;
  for (const auto& kind : kinds) out += (out.empty() ? "" : ",") + kind;
  return out;
}

std::vector<std::string> split_kinds(const std::string& text) {
  std::vector<std::string> kinds;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = std::min(text.find(',', start), text.size());
    if (end > start) kinds.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return kinds;
}

// The documented order of observations(): raw bytes of each column (BINARY collation), kind
// by its name. The UNIQUE index on these columns serves it.
constexpr const char* kObservationOrder =
    " ORDER BY o.kind, o.subject, o.object, o.access, o.flags";

}  // namespace

struct Store::Impl {
  explicit Impl(sqlite3* db, std::string path) : conn(db, std::move(path)) {}

  sqlite::Statement& cached(std::optional<sqlite::Statement>& slot, std::string_view sql,
                            std::string_view what) {
    if (!slot) slot.emplace(conn, sql, what);
    return *slot;
  }

  std::string run_profile(int64_t run_id) const {
    sqlite::Statement find(conn, "SELECT profile FROM runs WHERE id = ?1", "cannot read runs");
    if (!find.bind_int(1, run_id).step())
      throw Fatal(conn.path() + ": no run with id " + std::to_string(run_id));
    return find.column_text(0);
  }

  // Observations of a profile with, when asked, the ids of the runs behind each one; one
  // read transaction, so one snapshot even while another process writes.
  ObservationsWithRuns read_observations(std::string_view profile, bool with_runs) const;

  // Declared after conn so that statements are finalized before the connection closes.
  sqlite::Connection conn;
  std::optional<sqlite::Statement> upsert_observation;
  std::optional<sqlite::Statement> upsert_provenance;
  std::optional<sqlite::Statement> stage_observation;
  bool staged = false;
};

namespace {

// Observation id → index in the observations read, sorted by id.
using IdIndex = std::vector<std::pair<int64_t, size_t>>;

// The columns the unique index holds, in its (the documented) order: reading the index alone
// is a third of the cost of also looking each row up in the table.
IdIndex read_keys(const sqlite::Connection& conn, std::string_view profile, std::vector<Observation>& out) {
  sqlite::Statement query(conn,
                          std::string("SELECT o.id, o.kind, o.subject, o.object, o.access, o.flags"
                                      " FROM observations o WHERE o.profile = ?1") +
                              kObservationOrder,
                          "cannot read observations");
  query.bind_text(1, profile);
  IdIndex by_id;
  while (query.step()) {
    Observation obs;
    const std::string kind = query.column_text(1);
    const auto parsed = obs_kind_from_string(kind);
    if (!parsed)
      throw Fatal(conn.path() + ": unknown observation kind '" + kind +
                  "' (written by a newer armorer?)");
    obs.kind = *parsed;
    obs.subject = query.column_text(2);
    obs.object = query.column_text(3);
    obs.access = static_cast<uint32_t>(query.column_int(4));
    obs.flags = static_cast<uint32_t>(query.column_int(5));
    by_id.emplace_back(query.column_int(0), out.size());
    out.push_back(std::move(obs));
  }
  std::sort(by_id.begin(), by_id.end());
  return by_id;
}

// The other columns, in one pass over the table between the profile's first and last id;
// rows of other profiles in that range are passed over.
void read_counts(const sqlite::Connection& conn, const IdIndex& by_id, std::vector<Observation>& out) {
  if (by_id.empty()) return;
  sqlite::Statement query(conn,
                          "SELECT id, count, first_seen_ms, last_seen_ms FROM observations"
                          " WHERE id BETWEEN ?1 AND ?2 ORDER BY id",
                          "cannot read observations");
  query.bind_int(1, by_id.front().first).bind_int(2, by_id.back().first);
  auto next = by_id.begin();
  while (query.step()) {
    const int64_t id = query.column_int(0);
    while (next != by_id.end() && next->first < id) ++next;
    if (next == by_id.end() || next->first != id) continue;
    Observation& obs = out[next->second];
    obs.count = from_db(query.column_int(1));
    obs.first_seen_ms = query.column_int(2);
    obs.last_seen_ms = query.column_int(3);
  }
}

// The provenance by itself, not joined: a join probes observation_runs once per observation
// (about 0.5 s of 1.6 at a million). A run's rows are all its profile's observations
// (add_observations writes both under the run's profile), and they come in id order, so one
// walk over the sorted ids per run places them; run ids stay ascending per observation.
std::vector<std::vector<int64_t>> read_runs(const sqlite::Connection& conn, std::string_view profile,
                                            const IdIndex& by_id) {
  std::vector<std::vector<int64_t>> run_ids(by_id.size());
  sqlite::Statement query(conn,
                          "SELECT r.run_id, r.observation_id FROM observation_runs r"
                          " WHERE r.run_id IN (SELECT id FROM runs WHERE profile = ?1)"
                          " ORDER BY r.run_id, r.observation_id",
                          "cannot read observations");
  query.bind_text(1, profile);
  std::optional<int64_t> current_run;
  auto next = by_id.begin();
  while (query.step()) {
    const int64_t run_id = query.column_int(0), observation_id = query.column_int(1);
    if (run_id != current_run) {
      current_run = run_id;
      next = by_id.begin();
    }
    while (next != by_id.end() && next->first < observation_id) ++next;
    if (next != by_id.end() && next->first == observation_id) run_ids[next->second].push_back(run_id);
  }
  return run_ids;
}

}  // namespace

ObservationsWithRuns Store::Impl::read_observations(std::string_view profile,
                                                    bool with_runs) const {
  sqlite::ReadTransaction snapshot(conn);
  ObservationsWithRuns out;
  const IdIndex by_id = read_keys(conn, profile, out.observations);
  read_counts(conn, by_id, out.observations);
  if (with_runs) out.run_ids = read_runs(conn, profile, by_id);
  return out;
}

namespace {

std::string boot_id() {
  std::ifstream in("/proc/sys/kernel/random/boot_id");
  std::string id;
  std::getline(in, id);
  return id;
}

// A run's recorder is alive when its pid exists and is an armorer process (pids are reused).
bool recorder_alive(pid_t pid) {
  if (pid <= 0) return false;
  if (pid == getpid()) return true;
  if (kill(pid, 0) != 0 && errno == ESRCH) return false;
  std::ifstream comm("/proc/" + std::to_string(pid) + "/comm");
  std::string name;
  std::getline(comm, name);
  return name.rfind("armorer", 0) == 0 || name.rfind("test_", 0) == 0;
}

}  // namespace

Store::Store(sqlite3* db, std::string path) : impl_(std::make_unique<Impl>(db, std::move(path))) {}
Store::Store(Store&&) noexcept = default;
Store& Store::operator=(Store&&) noexcept = default;
Store::~Store() = default;

Store Store::open(const std::string& path, OpenMode mode) {
  auto conn = open_database(path, mode);
  Store store(conn->release(), path);
  if (mode == OpenMode::read_write_create) store.close_abandoned_runs();
  return store;
}

int Store::close_abandoned_runs() {
  sqlite::WriteTransaction tx(impl_->conn);
  std::vector<int64_t> abandoned;
  {
    sqlite::Statement query(impl_->conn,
                            "SELECT id, owner_pid, owner_boot FROM runs WHERE status = 'running'",
                            "cannot read runs");
    const std::string this_boot = boot_id();
    while (query.step()) {
      const int64_t pid = query.column_int(1);
      const std::string boot = query.column_text(2);
      if (boot != this_boot || !recorder_alive(static_cast<pid_t>(pid)))
        abandoned.push_back(query.column_int(0));
    }
  }
  for (int64_t id : abandoned) {
    // The last committed batch tells when the recorder was last heard of.
    sqlite::Statement close(
        impl_->conn,
        "UPDATE runs SET status = 'interrupted', ended_ms = max(started_ms, coalesce("
        " (SELECT max(o.last_seen_ms) FROM observations o JOIN observation_runs r"
        "  ON r.observation_id = o.id WHERE r.run_id = ?1), 0)) WHERE id = ?1",
        "cannot close an abandoned run");
    close.bind_int(1, id);
    close.step();
  }
  tx.commit();
  return static_cast<int>(abandoned.size());
}

int Store::schema_version() const {
  sqlite::Statement query(impl_->conn, "PRAGMA user_version", "cannot read the schema version");
  query.step();
  return static_cast<int>(query.column_int(0));
}

int64_t Store::begin_run(const Run& run) {
  sqlite::Statement insert(
      impl_->conn,
      "INSERT INTO runs (profile, source, target, label, kernel, started_ms, status, events,"
      " lost_events, owner_pid, owner_boot) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'running', ?7, ?8,"
      " ?9, ?10)",
      "cannot record the run");
  insert.bind_text(1, run.profile)
      .bind_text(2, run.source)
      .bind_text(3, run.target)
      .bind_text(4, run.label)
      .bind_text(5, run.kernel)
      .bind_int(6, run.started_ms)
      .bind_int(7, to_db(run.events))
      .bind_int(8, to_db(run.lost_events))
      .bind_int(9, getpid())
      .bind_text(10, boot_id());
  insert.step();
  return sqlite3_last_insert_rowid(impl_->conn.get());
}

void Store::add_observations(int64_t run_id, std::span<const Observation> batch) {
  sqlite::WriteTransaction tx(impl_->conn);
  const std::string profile = impl_->run_profile(run_id);
  // Rows go first into a scratch table with no index, then into observations and their
  // provenance by two set-wise upserts: a per-row upsert with RETURNING cost about 7 us a row
  // (statement start-up and halt twice, an ephemeral table for RETURNING), the recorder's
  // largest cost on workloads that touch many distinct files (docs/performance.md).
  if (!impl_->staged) {
    impl_->conn.exec(
        "CREATE TEMP TABLE IF NOT EXISTS staged_observations (kind TEXT NOT NULL,"
        " subject TEXT NOT NULL, object TEXT NOT NULL, access INTEGER NOT NULL,"
        " flags INTEGER NOT NULL, count INTEGER NOT NULL, first_seen_ms INTEGER NOT NULL,"
        " last_seen_ms INTEGER NOT NULL)",
        "cannot add observations");
    impl_->staged = true;
  }
  auto& stage = impl_->cached(
      impl_->stage_observation,
      "INSERT INTO temp.staged_observations VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
      "cannot add observations");
  for (const Observation& obs : batch) {
    stage.reset();
    stage.bind_text(1, to_string(obs.kind))
        .bind_text(2, obs.subject)
        .bind_text(3, obs.object)
        .bind_int(4, obs.access)
        .bind_int(5, obs.flags)
        .bind_int(6, to_db(obs.count))
        .bind_int(7, obs.first_seen_ms)
        .bind_int(8, obs.last_seen_ms);
    stage.step();
  }
  stage.reset();
  // A first_seen of 0 means "unknown" and must not win the minimum. "WHERE true" tells the
  // parser that ON CONFLICT belongs to the INSERT, not to a join.
  auto& upsert = impl_->cached(
      impl_->upsert_observation,
      "INSERT INTO observations (profile, kind, subject, object, access, flags, count,"
      " first_seen_ms, last_seen_ms) SELECT ?1, kind, subject, object, access, flags, count,"
      " first_seen_ms, last_seen_ms FROM temp.staged_observations WHERE true"
      " ON CONFLICT (profile, kind, subject, object, access, flags) DO UPDATE SET"
      " count = count + excluded.count,"
      " first_seen_ms = CASE WHEN first_seen_ms = 0 THEN excluded.first_seen_ms"
      "   WHEN excluded.first_seen_ms = 0 THEN first_seen_ms"
      "   ELSE min(first_seen_ms, excluded.first_seen_ms) END,"
      " last_seen_ms = max(last_seen_ms, excluded.last_seen_ms)",
      "cannot add observations");
  upsert.reset();
  upsert.bind_text(1, profile);
  upsert.step();
  upsert.reset();
  auto& provenance = impl_->cached(
      impl_->upsert_provenance,
      "INSERT INTO observation_runs (observation_id, run_id, count)"
      " SELECT o.id, ?2, s.count FROM temp.staged_observations s JOIN observations o"
      " ON o.profile = ?1 AND o.kind = s.kind AND o.subject = s.subject AND o.object = s.object"
      " AND o.access = s.access AND o.flags = s.flags WHERE true"
      " ON CONFLICT (observation_id, run_id) DO UPDATE SET count = count + excluded.count",
      "cannot add observations");
  provenance.reset();
  provenance.bind_text(1, profile).bind_int(2, run_id);
  provenance.step();
  provenance.reset();
  impl_->conn.exec("DELETE FROM temp.staged_observations", "cannot add observations");
  tx.commit();
}

void Store::update_run_progress(int64_t run_id, uint64_t events, uint64_t lost_events) {
  sqlite::Statement update(impl_->conn,
                           "UPDATE runs SET events = ?2, lost_events = ?3 WHERE id = ?1",
                           "cannot update the run");
  update.bind_int(1, run_id).bind_int(2, to_db(events)).bind_int(3, to_db(lost_events));
  update.step();
  if (sqlite3_changes(impl_->conn.get()) == 0)
    throw Fatal(impl_->conn.path() + ": no run with id " + std::to_string(run_id));
}

void Store::finish_run(const Run& run) {
  if (run.status != "complete" && run.status != "interrupted")
    throw Fatal(impl_->conn.path() + ": run " + std::to_string(run.id) +
                " cannot finish with status '" + run.status + "'");
  sqlite::Statement update(
      impl_->conn,
      "UPDATE runs SET ended_ms = ?2, status = ?3, events = ?4, lost_events = ?5,"
      " exit_status = ?6, recorded_with = ?7, missing_kinds = ?8 WHERE id = ?1",
      "cannot finish the run");
  update.bind_int(1, run.id)
      .bind_int(2, run.ended_ms)
      .bind_text(3, run.status)
      .bind_int(4, to_db(run.events))
      .bind_int(5, to_db(run.lost_events))
      .bind_text(7, run.recorded_with)
      .bind_text(8, join_kinds(run.missing_kinds));
  if (run.exit_status)
    update.bind_int(6, *run.exit_status);
  else
    update.bind_null(6);
  update.step();
  if (sqlite3_changes(impl_->conn.get()) == 0)
    throw Fatal(impl_->conn.path() + ": no run with id " + std::to_string(run.id));
}

std::vector<std::string> Store::profiles() const {
  sqlite::Statement query(impl_->conn,
                          "SELECT profile FROM runs UNION SELECT profile FROM observations"
                          " ORDER BY 1",
                          "cannot read profiles");
  std::vector<std::string> out;
  while (query.step()) out.push_back(query.column_text(0));
  return out;
}

std::vector<Run> Store::runs(std::string_view profile) const {
  sqlite::Statement query(
      impl_->conn,
      "SELECT id, profile, source, target, label, kernel, started_ms, ended_ms, status, events,"
      " lost_events, exit_status, recorded_with, missing_kinds FROM runs WHERE profile = ?1"
      " ORDER BY id",
      "cannot read runs");
  query.bind_text(1, profile);
  std::vector<Run> out;
  while (query.step()) {
    Run run;
    run.id = query.column_int(0);
    run.profile = query.column_text(1);
    run.source = query.column_text(2);
    run.target = query.column_text(3);
    run.label = query.column_text(4);
    run.kernel = query.column_text(5);
    run.started_ms = query.column_int(6);
    run.ended_ms = query.column_is_null(7) ? 0 : query.column_int(7);
    run.status = query.column_text(8);
    run.events = from_db(query.column_int(9));
    run.lost_events = from_db(query.column_int(10));
    if (!query.column_is_null(11)) run.exit_status = static_cast<int>(query.column_int(11));
    run.recorded_with = query.column_text(12);
    run.missing_kinds = split_kinds(query.column_text(13));
    out.push_back(std::move(run));
  }
  return out;
}

std::vector<Observation> Store::observations(std::string_view profile) const {
  return impl_->read_observations(profile, false).observations;
}

std::vector<std::vector<int64_t>> Store::observation_runs(std::string_view profile) const {
  return impl_->read_observations(profile, true).run_ids;
}

ObservationsWithRuns Store::observations_with_runs(std::string_view profile) const {
  return impl_->read_observations(profile, true);
}

}  // namespace armorer
