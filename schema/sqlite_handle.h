// RAII owners for an SQLite connection and its prepared statements. Every failure becomes
// an armorer::Fatal naming the database file, so callers never see a raw SQLite code.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/error.h"

namespace armorer::sqlite {

// SQLite's diagnostics can span lines (quick_check lists one problem a line); a Fatal is
// one line, so lines are joined with "; ".
std::string one_line(std::string_view text);

class Connection {
 public:
  Connection(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() { sqlite3_close_v2(db_); }

  sqlite3* get() const { return db_; }
  const std::string& path() const { return path_; }
  sqlite3* release() {
    sqlite3* db = db_;
    db_ = nullptr;
    return db;
  }

  // The connection's last error as a Fatal, phrased by what we were doing.
  Fatal error(std::string_view what) const;
  [[noreturn]] void fail(std::string_view what) const { throw error(what); }
  // Runs SQL that carries no outside data (pragmas, BEGIN, embedded migrations).
  void exec(const std::string& sql, std::string_view what) const;

 private:
  sqlite3* db_;
  std::string path_;
};

class Statement {
 public:
  // `what` describes the statement's purpose for error messages ("cannot read runs").
  Statement(const Connection& conn, std::string_view sql, std::string_view what);
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement() { sqlite3_finalize(stmt_); }

  // Text is bound with its explicit length: any byte but NUL survives unchanged.
  Statement& bind_text(int index, std::string_view text);
  Statement& bind_int(int index, int64_t value);
  Statement& bind_null(int index);

  // true while a row is available; throws Fatal on any error.
  bool step();
  // As step(), but SQLITE_BUSY gives nullopt (statement reset, ready to retry).
  std::optional<bool> step_unless_busy();
  // Makes the statement reusable with new bindings.
  void reset();

  int64_t column_int(int col) const { return sqlite3_column_int64(stmt_, col); }
  bool column_is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::string column_text(int col) const;

 private:
  const Connection& conn_;
  sqlite3_stmt* stmt_ = nullptr;
  std::string what_;
};

// BEGIN IMMEDIATE takes the write lock up front: a deferred transaction that later tries to
// write can fail at once with SQLITE_BUSY_SNAPSHOT when another process wrote meanwhile,
// while IMMEDIATE waits for the busy timeout. Rolls back unless committed.
class WriteTransaction {
 public:
  explicit WriteTransaction(const Connection& conn);
  WriteTransaction(const WriteTransaction&) = delete;
  WriteTransaction& operator=(const WriteTransaction&) = delete;
  ~WriteTransaction();
  void commit();

 private:
  const Connection& conn_;
  bool open_ = true;
};

// A read snapshot across several statements (deferred BEGIN: takes no write lock, writes
// nothing). Ended with COMMIT, which for a read-only transaction only releases the snapshot.
class ReadTransaction {
 public:
  explicit ReadTransaction(const Connection& conn);
  ReadTransaction(const ReadTransaction&) = delete;
  ReadTransaction& operator=(const ReadTransaction&) = delete;
  ~ReadTransaction();

 private:
  const Connection& conn_;
};

}  // namespace armorer::sqlite
