#include "sqlite_handle.h"

namespace armorer::sqlite {

std::string one_line(std::string_view text) {
  // quick_check prefixes its report with this banner, which says nothing to a user.
  constexpr std::string_view banner = "*** in database main ***";
  if (text.starts_with(banner)) text.remove_prefix(banner.size());
  std::string out;
  bool pending_break = false;
  for (char c : text) {
    if (c == '\n' || c == '\r') {
      pending_break = !out.empty();
      continue;
    }
    if (pending_break) out += "; ";
    pending_break = false;
    out += c;
  }
  return out;
}

Fatal Connection::error(std::string_view what) const {
  const int code = sqlite3_errcode(db_) & 0xff;
  const std::string detail = one_line(sqlite3_errmsg(db_));
  if (code == SQLITE_NOTADB) return Fatal(path_ + ": not an armorer database (not an SQLite file)");
  if (code == SQLITE_CORRUPT)
    return Fatal(path_ + ": database is corrupt (" + std::string(what) + ": " + detail + ")");
  return Fatal(path_ + ": " + std::string(what) + ": " + detail);
}

void Connection::exec(const std::string& sql, std::string_view what) const {
  // sqlite3_exec's own message would be a malloc'd copy of sqlite3_errmsg; fail() reads it.
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) fail(what);
}

Statement::Statement(const Connection& conn, std::string_view sql, std::string_view what)
    : conn_(conn), what_(what) {
  if (sqlite3_prepare_v3(conn_.get(), sql.data(), static_cast<int>(sql.size()), 0, &stmt_,
                         nullptr) != SQLITE_OK)
    conn_.fail(what_);
}

Statement& Statement::bind_text(int index, std::string_view text) {
  if (sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT,
                          SQLITE_UTF8) != SQLITE_OK)
    conn_.fail(what_);
  return *this;
}

Statement& Statement::bind_int(int index, int64_t value) {
  if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) conn_.fail(what_);
  return *this;
}

Statement& Statement::bind_null(int index) {
  if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) conn_.fail(what_);
  return *this;
}

bool Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Fatal failure = conn_.error(what_);
  // A failed statement stays active until reset, and would keep the enclosing transaction
  // from rolling back cleanly.
  sqlite3_reset(stmt_);
  throw failure;
}

std::optional<bool> Statement::step_unless_busy() {
  const int rc = sqlite3_step(stmt_);
  if ((rc & 0xff) != SQLITE_BUSY) {
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    Fatal failure = conn_.error(what_);
    sqlite3_reset(stmt_);
    throw failure;
  }
  sqlite3_reset(stmt_);
  return std::nullopt;
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::string Statement::column_text(int col) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  if (text == nullptr) return {};
  return std::string(text, static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
}

WriteTransaction::WriteTransaction(const Connection& conn) : conn_(conn) {
  conn_.exec("BEGIN IMMEDIATE", "cannot start a write transaction");
}

WriteTransaction::~WriteTransaction() {
  if (open_) sqlite3_exec(conn_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void WriteTransaction::commit() {
  conn_.exec("COMMIT", "cannot commit");
  open_ = false;
}

ReadTransaction::ReadTransaction(const Connection& conn) : conn_(conn) {
  conn_.exec("BEGIN", "cannot start a read transaction");
}

ReadTransaction::~ReadTransaction() {
  sqlite3_exec(conn_.get(), "COMMIT", nullptr, nullptr, nullptr);
}

}  // namespace armorer::sqlite
