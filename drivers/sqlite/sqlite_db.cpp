#include "drivers/sqlite/sqlite_db.hpp"

#include <sqlite3.h>

#include <stdexcept>

namespace gw::sqlite {

Database::Database(const std::string& path, int busy_ms, const char* setup) : path_(path) {
  // On a failed open SQLite may still hand out a handle; it must be closed.
  if (sqlite3_open_v2(path.c_str(), &handle_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    const std::string why = handle_ != nullptr ? sqlite3_errmsg(handle_) : "out of memory";
    sqlite3_close(handle_);
    throw std::runtime_error(why);
  }
  try {
    sqlite3_busy_timeout(handle_, busy_ms);
    execute(setup);
  } catch (...) {
    sqlite3_close(handle_);
    throw;
  }
}

Database::~Database() {
  sqlite3_close(handle_);
}

void Database::execute(const char* sql) const {
  char* message = nullptr;
  if (sqlite3_exec(handle_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    const std::string text = message != nullptr ? message : sqlite3_errmsg(handle_);
    sqlite3_free(message);
    throw std::runtime_error(text);
  }
}

void Database::add_column_if_missing(std::string_view table, std::string_view column,
                                     std::string_view type) const {
  // In one write transaction, so two connections opening an older file at
  // once cannot both add the column.
  Transaction change(*this);
  Statement has(*this, "SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2");
  has.bind(1, table).bind(2, column);
  if (has.next_row()) return;
  const std::string alter = "ALTER TABLE " + std::string(table) + " ADD COLUMN " +
                            std::string(column) + " " + std::string(type);
  execute(alter.c_str());
  change.commit();
}

void Database::roll_back() const noexcept {
  if (sqlite3_get_autocommit(handle_) == 0) {
    (void)sqlite3_exec(handle_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
}

std::int64_t Database::last_insert_id() const noexcept {
  return sqlite3_last_insert_rowid(handle_);
}

Transaction::Transaction(const Database& db, Mode mode) : db_(db) {
  db_.execute(mode == Mode::write ? "BEGIN IMMEDIATE" : "BEGIN");
}

Transaction::~Transaction() {
  if (!done_) db_.roll_back();
}

void Transaction::commit() {
  db_.execute("COMMIT");
  done_ = true;
}

Statement::Statement(const Database& db, std::string_view sql) : db_(db.handle()) {
  if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &statement_, nullptr) !=
      SQLITE_OK) {
    throw std::runtime_error(sqlite3_errmsg(db_));
  }
}

Statement::~Statement() {
  sqlite3_finalize(statement_);
}

Statement& Statement::bind(int index, std::string_view text) {
  check(sqlite3_bind_text(statement_, index, text.data(), static_cast<int>(text.size()),
                          SQLITE_TRANSIENT));
  return *this;
}

Statement& Statement::bind(int index, int number) {
  check(sqlite3_bind_int(statement_, index, number));
  return *this;
}

Statement& Statement::bind(int index, std::int64_t number) {
  check(sqlite3_bind_int64(statement_, index, number));
  return *this;
}

Statement& Statement::bind(int index, double number) {
  check(sqlite3_bind_double(statement_, index, number));
  return *this;
}

Statement& Statement::bind_null(int index) {
  check(sqlite3_bind_null(statement_, index));
  return *this;
}

Statement& Statement::bind_blob(int index, std::string_view bytes) {
  check(sqlite3_bind_blob(statement_, index, bytes.data(), static_cast<int>(bytes.size()),
                          SQLITE_TRANSIENT));
  return *this;
}

void Statement::run() {
  const int result = sqlite3_step(statement_);
  const std::string error = result == SQLITE_DONE ? std::string() : sqlite3_errmsg(db_);
  reset();
  if (result != SQLITE_DONE) throw std::runtime_error(error);
}

bool Statement::next_row() {
  const int result = sqlite3_step(statement_);
  if (result == SQLITE_ROW) return true;
  if (result != SQLITE_DONE) throw std::runtime_error(sqlite3_errmsg(db_));
  return false;
}

void Statement::reset() noexcept {
  sqlite3_reset(statement_);
  sqlite3_clear_bindings(statement_);
}

std::string Statement::text(int column) const {
  const auto* value = sqlite3_column_text(statement_, column);
  return value == nullptr ? std::string() : reinterpret_cast<const char*>(value);
}

std::string Statement::blob(int column) const {
  const auto* bytes = static_cast<const char*>(sqlite3_column_blob(statement_, column));
  const int size = sqlite3_column_bytes(statement_, column);
  return bytes == nullptr ? std::string() : std::string(bytes, static_cast<std::size_t>(size));
}

int Statement::number(int column) const {
  return sqlite3_column_int(statement_, column);
}

std::int64_t Statement::number64(int column) const {
  return sqlite3_column_int64(statement_, column);
}

bool Statement::null(int column) const {
  return sqlite3_column_type(statement_, column) == SQLITE_NULL;
}

void Statement::check(int result) const {
  if (result != SQLITE_OK) throw std::runtime_error(sqlite3_errmsg(db_));
}

}  // namespace gw::sqlite
