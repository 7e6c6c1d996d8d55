#pragma once
// The one place that speaks SQLite's C API: a connection and prepared
// statements as RAII owners that throw std::runtime_error with SQLite's own
// message. The plan store, the call records and the web users use it.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace gw::sqlite {

class Database {
 public:
  // Opens (creating) `path`, waits up to `busy_ms` for another writer, and
  // runs `setup` (pragmas, schema). Throws with SQLite's reason.
  Database(const std::string& path, int busy_ms, const char* setup);
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  // Runs one or more statements without results.
  void execute(const char* sql) const;
  // Adds `column` (with its `type`, "INTEGER NOT NULL DEFAULT 0") to `table`
  // unless it is there: a table an older release wrote, brought up to date.
  void add_column_if_missing(std::string_view table, std::string_view column,
                             std::string_view type) const;
  // Ends a failed transaction. SQLite may have rolled it back itself (disk
  // full, I/O error), and the error that made it fail is the one to report.
  void roll_back() const noexcept;
  [[nodiscard]] std::int64_t last_insert_id() const noexcept;
  [[nodiscard]] const std::string& path() const noexcept { return path_; }
  [[nodiscard]] sqlite3* handle() const noexcept { return handle_; }

 private:
  std::string path_;
  sqlite3* handle_ = nullptr;
};

// A transaction, rolled back unless commit() was called.
class Transaction {
 public:
  // write: BEGIN IMMEDIATE, the write lock now. read: BEGIN (deferred), for
  // several SELECTs that must see one snapshot; it needs no commit().
  enum class Mode : std::uint8_t { write, read };
  explicit Transaction(const Database& db, Mode mode = Mode::write);
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();
  void commit();

 private:
  const Database& db_;
  bool done_ = false;
};

class Statement {
 public:
  Statement(const Database& db, std::string_view sql);
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, int number);
  Statement& bind(int index, std::int64_t number);
  Statement& bind(int index, double number);
  Statement& bind_null(int index);
  Statement& bind_blob(int index, std::string_view bytes);
  template <typename Value>
  Statement& bind(int index, const std::optional<Value>& value) {
    return value ? bind(index, *value) : bind_null(index);
  }
  // Runs an INSERT (or anything without rows) and resets for the next use.
  void run();
  // Steps to the next row; false when there are no more.
  bool next_row();
  // Ready for another run with new bindings, after its rows were read.
  void reset() noexcept;
  [[nodiscard]] std::string text(int column) const;
  [[nodiscard]] std::string blob(int column) const;  // any bytes, NULs too
  [[nodiscard]] int number(int column) const;
  [[nodiscard]] std::int64_t number64(int column) const;
  [[nodiscard]] bool null(int column) const;

 private:
  void check(int result) const;
  sqlite3* db_;
  sqlite3_stmt* statement_ = nullptr;
};

}  // namespace gw::sqlite
