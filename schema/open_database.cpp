#include "open_database.h"

#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <optional>
#include <thread>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "core/error.h"
#include "migrations.h"

namespace armorer {

namespace {

// Long enough that `learn` checkpoints and `emit`/`merge` on the same file wait for each
// other instead of failing; short enough that a stuck writer is reported. A writer waits
// longer: `learn` writes from a lowest-priority thread, which on a saturated machine can hold
// the write lock for seconds, and a second `learn` that gave up would lose its recording.
constexpr int kBusyTimeoutMs = 5000;
constexpr int kWriterBusyTimeoutMs = 30000;
constexpr std::string_view kSqliteMagic{"SQLite format 3\0", 16};
constexpr std::array<const char*, 3> kArmorerTables{"runs", "observations", "observation_runs"};

std::string errno_text(int err) { return std::strerror(err); }

// SQLite here is built with URI filenames on: "file:..." would be parsed as a URI and
// ":memory:" would be no file at all. "./" keeps such relative names ordinary paths.
std::string sqlite_filename(const std::string& path) {
  if (path.starts_with("file:") || path.starts_with(':')) return "./" + path;
  return path;
}

// Returns whether the file exists; refuses what can never be an armorer database.
bool check_file(const std::string& path, OpenMode mode) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    const int err = errno;
    if (err == ENOENT && mode == OpenMode::read_write_create) return false;
    if (err == ENOENT) throw Fatal(path + ": no such database");
    throw Fatal(path + ": cannot open database: " + errno_text(err));
  }
  if (S_ISDIR(st.st_mode)) throw Fatal(path + ": is a directory, not an armorer database");
  if (!S_ISREG(st.st_mode)) throw Fatal(path + ": not a regular file, not an armorer database");
  // SQLite would quietly fall back to read-only for a write-protected file and only fail
  // at the first write; say so now, with the reason.
  const bool write = mode == OpenMode::read_write_create;
  if (::access(path.c_str(), write ? R_OK | W_OK : R_OK) != 0)
    throw Fatal(path + ": cannot open database" + (write ? " for writing" : "") + ": " +
                errno_text(errno));
  return true;
}

// Our own look at the header, so that a text file is refused whatever SQLite would make of
// it (an empty file is fine: SQLite turns it into a new database).
void check_header(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Fatal(path + ": cannot open database: " + errno_text(errno));
  std::array<char, kSqliteMagic.size()> head{};
  in.read(head.data(), head.size());
  const auto got = static_cast<size_t>(in.gcount());
  if (got == 0 && in.eof()) return;
  if (std::string_view(head.data(), got) != kSqliteMagic)
    throw Fatal(path + ": not an armorer database (not an SQLite file)");
}

int64_t query_int(const sqlite::Connection& conn, const std::string& sql, std::string_view what) {
  sqlite::Statement stmt(conn, sql, what);
  if (!stmt.step()) throw Fatal(conn.path() + ": " + std::string(what) + ": no result");
  return stmt.column_int(0);
}

struct DatabaseState {
  int64_t application_id = 0;
  int64_t user_version = 0;
  int64_t objects = 0;  // tables, indexes, views, triggers
  bool empty() const { return objects == 0 && user_version == 0; }
};

// Reads only: nothing here may write to a file that might not be ours. One snapshot, so a
// concurrent first migration is seen either whole or not at all.
DatabaseState read_state(const sqlite::Connection& conn) {
  sqlite::ReadTransaction snapshot(conn);
  // Reading the schema cookie makes SQLite parse page 1: a foreign or damaged header fails here.
  query_int(conn, "PRAGMA schema_version", "cannot read the database header");
  {
    sqlite::Statement check(conn, "PRAGMA quick_check(1)", "cannot check the database");
    if (check.step() && check.column_text(0) != "ok")
      throw Fatal(conn.path() + ": database is corrupt (" + sqlite::one_line(check.column_text(0)) +
                  ")");
  }
  DatabaseState state;
  state.application_id = query_int(conn, "PRAGMA application_id", "cannot read the database header");
  state.user_version = query_int(conn, "PRAGMA user_version", "cannot read the schema version");
  state.objects = query_int(conn, "SELECT count(*) FROM sqlite_schema", "cannot read the schema");
  return state;
}

void check_ours(const sqlite::Connection& conn, const DatabaseState& state, OpenMode mode) {
  const std::string& path = conn.path();
  const int latest = latest_schema_version();
  if (state.application_id != kArmorerApplicationId) {
    if (state.application_id != 0)
      throw Fatal(path + ": not an armorer database (it belongs to another application)");
    if (!state.empty())
      throw Fatal(path + ": not an armorer database (it holds tables armorer did not create)");
  }
  if (state.user_version > latest)
    throw Fatal(path + ": database schema version " + std::to_string(state.user_version) +
                " is newer than this armorer (" + std::to_string(latest) + "); upgrade armorer");
  if (state.empty()) {
    if (mode == OpenMode::read_only) throw Fatal(path + ": not an armorer database (it is empty)");
    return;
  }
  for (const char* table : kArmorerTables) {
    sqlite::Statement find(conn, "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1",
                           "cannot read the schema");
    if (!find.bind_text(1, table).step())
      throw Fatal(path + ": database is corrupt (armorer table '" + table + "' is missing)");
  }
  if (mode == OpenMode::read_only && state.user_version < latest)
    throw Fatal(path + ": database schema version " + std::to_string(state.user_version) +
                " is older than this armorer (" + std::to_string(latest) +
                "); open it read-write once to upgrade it");
}

// Switching to WAL needs an exclusive lock, and SQLite answers BUSY at once, without the busy
// handler, when waiting could deadlock with another connection doing the same (several
// `learn`s creating one new file). Such a conflict clears in milliseconds: retry.
void use_wal(const sqlite::Connection& conn) {
  sqlite::Statement wal(conn, "PRAGMA journal_mode = WAL", "cannot switch to WAL mode");
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(kBusyTimeoutMs);
  std::optional<bool> row;
  while (!(row = wal.step_unless_busy())) {
    if (std::chrono::steady_clock::now() > deadline)
      throw Fatal(conn.path() + ": cannot switch to WAL mode: database is locked");
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const std::string journal = *row ? wal.column_text(0) : std::string();
  if (journal != "wal")
    throw Fatal(conn.path() + ": cannot switch to WAL mode (journal mode is '" + journal + "')");
  // In WAL mode NORMAL loses at most the last transactions on power loss, never consistency.
  conn.exec("PRAGMA synchronous = NORMAL", "cannot set synchronous mode");
  // Writes are staged in a TEMP table (Store::add_observations): keep it in memory, never in
  // a file under a temporary directory that may be missing, full or read-only.
  conn.exec("PRAGMA temp_store = MEMORY", "cannot set the temporary store");
}

void migrate(const sqlite::Connection& conn) {
  const std::string what = "cannot apply schema migration";
  for (const Migration& migration : migrations()) {
    if (query_int(conn, "PRAGMA user_version", what) >= migration.version) continue;
    sqlite::WriteTransaction tx(conn);
    // Another process may have migrated between our look and taking the write lock.
    if (query_int(conn, "PRAGMA user_version", what) >= migration.version) continue;
    const std::string step = what + " " + std::to_string(migration.version);
    conn.exec(std::string(migration.sql), step);
    conn.exec("PRAGMA application_id = " + std::to_string(kArmorerApplicationId), step);
    conn.exec("PRAGMA user_version = " + std::to_string(migration.version), step);
    tx.commit();
  }
}

}  // namespace

int latest_schema_version() {
  const auto& all = migrations();
  return all.empty() ? 0 : all.back().version;
}

std::unique_ptr<sqlite::Connection> open_database(const std::string& path, OpenMode mode) {
  if (path.empty()) throw Fatal("database path is empty");
  const bool existed = check_file(path, mode);
  if (existed) check_header(path);

  sqlite3* raw = nullptr;
  // A read-only connection is never shared between threads: without SQLite's own mutex,
  // the millions of column reads of `emit` on a large profile do not each lock and unlock it.
  const int flags = mode == OpenMode::read_only ? SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX
                                                : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  const int rc = sqlite3_open_v2(sqlite_filename(path).c_str(), &raw, flags, nullptr);
  auto conn = std::make_unique<sqlite::Connection>(raw, path);
  if (rc != SQLITE_OK) {
    if (raw == nullptr) throw Fatal(path + ": cannot open database: out of memory");
    const int err = sqlite3_system_errno(raw);
    throw Fatal(path + (existed ? ": cannot open database: " : ": cannot create database: ") +
                (err != 0 ? errno_text(err) : sqlite::one_line(sqlite3_errmsg(raw))));
  }
  sqlite3_busy_timeout(raw, mode == OpenMode::read_only ? kBusyTimeoutMs : kWriterBusyTimeoutMs);
  conn->exec("PRAGMA foreign_keys = ON", "cannot enable foreign keys");
  // Never run functions named by a schema we did not write (views, triggers of a hostile DB).
  conn->exec("PRAGMA trusted_schema = OFF", "cannot distrust the schema");

  check_ours(*conn, read_state(*conn), mode);
  if (mode == OpenMode::read_write_create) {
    use_wal(*conn);
    migrate(*conn);
  }
  return conn;
}

}  // namespace armorer
