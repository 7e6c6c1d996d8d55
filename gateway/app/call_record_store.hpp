#pragma once
// Call records in SQLite (DATA_DIR/calls.db), one row per finished call,
// indexed for the searches operators make: by time, number, trunk group and
// cause. A row is inserted on the control thread when its call ends, in WAL
// mode without a sync per call: once the insert returns, a crash of the
// process loses nothing, a crash of the machine at most the last moments
// before SQLite's next checkpoint. Searches run on the same thread, so the
// handle is never shared.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gateway/core/call_bridge.hpp"

namespace gw::sqlite {
class Database;
}

namespace gw::app {

// What a search asks for; empty fields match anything.
struct CallQuery {
  std::string since;  // ISO 8601 UTC, compared with the start ("2026-12-03T10:00")
  std::string until;
  std::string number;       // digits in the called number or the caller
  std::string trunk_group;  // exactly
  std::optional<int> cause;
  int limit = 50;  // newest first, at most this many
};

class CallRecordStore {
 public:
  // Opens (creating) `path`; throws std::runtime_error naming it.
  explicit CallRecordStore(const std::string& path);
  CallRecordStore(const CallRecordStore&) = delete;
  CallRecordStore& operator=(const CallRecordStore&) = delete;
  ~CallRecordStore();

  // Throws std::runtime_error when the row cannot be written.
  void append(const core::CallRecord& record);
  // The records `query` selects, newest first, as tab-separated lines in
  // the order of header(); with `csv` as RFC 4180 lines instead.
  [[nodiscard]] std::vector<std::string> search(const CallQuery& query, bool csv) const;
  [[nodiscard]] static std::string header(bool csv);
  // The same records as fields, in the order of column_names().
  [[nodiscard]] std::vector<std::vector<std::string>> rows(const CallQuery& query) const;
  [[nodiscard]] static std::vector<std::string> column_names();

 private:
  std::string path_;
  std::unique_ptr<sqlite::Database> db_;
};

// "since=2026-12-03T10:00 number=777 cause=17 limit=10 csv" -> the query and
// whether CSV was asked for; nullopt and `problem` naming the word at fault.
[[nodiscard]] std::optional<CallQuery> parse_call_query(const std::string& words, bool& csv,
                                                        std::string& problem);

}  // namespace gw::app
