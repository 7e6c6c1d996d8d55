#include "gateway/app/call_record_store.hpp"

#include "drivers/sqlite/sqlite_db.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <ctime>
#include <sstream>
#include <stdexcept>

namespace gw::app {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS calls (
  id INTEGER PRIMARY KEY, start TEXT NOT NULL, answered TEXT, end TEXT NOT NULL,
  call_id TEXT NOT NULL, caller TEXT NOT NULL, request_uri TEXT NOT NULL, called TEXT NOT NULL,
  route TEXT NOT NULL, trunk_group TEXT NOT NULL, span TEXT NOT NULL, timeslot INTEGER NOT NULL,
  sip_status INTEGER NOT NULL, cause INTEGER NOT NULL, ended_by TEXT NOT NULL,
  direction TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS calls_start ON calls (start);
CREATE INDEX IF NOT EXISTS calls_called ON calls (called);
CREATE INDEX IF NOT EXISTS calls_trunk_group ON calls (trunk_group);
CREATE INDEX IF NOT EXISTS calls_cause ON calls (cause);
)sql";

// The columns in the order of a line, with their names in the header.
constexpr std::array kColumns{std::pair{"start", "start"},
                              std::pair{"answered", "answered"},
                              std::pair{"end", "end"},
                              std::pair{"call_id", "call-id"},
                              std::pair{"caller", "from"},
                              std::pair{"request_uri", "request-uri"},
                              std::pair{"called", "called"},
                              std::pair{"route", "route"},
                              std::pair{"trunk_group", "trunk-group"},
                              std::pair{"span", "span"},
                              std::pair{"timeslot", "timeslot"},
                              std::pair{"sip_status", "sip-status"},
                              std::pair{"cause", "q850-cause"},
                              std::pair{"ended_by", "ended-by"},
                              std::pair{"direction", "direction"},
                              std::pair{"rtp_received", "rtp-received"},
                              std::pair{"rtp_lost", "rtp-lost"},
                              std::pair{"jitter_ms", "jitter-ms"}};

// Columns added after the first release, with what older rows get.
constexpr std::array kAddedColumns{
    std::pair{"rtp_received", "INTEGER NOT NULL DEFAULT 0"},
    std::pair{"rtp_lost", "INTEGER NOT NULL DEFAULT 0"},
    std::pair{"jitter_ms", "REAL NOT NULL DEFAULT 0"},
};

std::string iso_time(std::chrono::system_clock::time_point when) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(when);
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  char text[32];
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(when.time_since_epoch()) % 1000;
  const std::size_t length = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  std::string result(text, length);
  const auto ms = std::to_string(millis.count());
  return result + "." + std::string(3 - ms.size(), '0') + ms + "Z";
}

// Tabs and newlines inside a field would break the line apart.
std::string tsv_field(std::string text) {
  for (char& c : text) {
    if (c == '\t' || c == '\n' || c == '\r') c = ' ';
  }
  return text.empty() ? "-" : text;
}

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (const char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

}  // namespace

CallRecordStore::CallRecordStore(const std::string& path) : path_(path) {
  try {
    db_ = std::make_unique<sqlite::Database>(path, 2000,
                                             "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
    db_->execute(kSchema);
    for (const auto& [name, type] : kAddedColumns) db_->add_column_if_missing("calls", name, type);
  } catch (const std::exception& error) {
    throw std::runtime_error("--data-dir: call records " + path_ + ": " + error.what());
  }
}

CallRecordStore::~CallRecordStore() = default;

void CallRecordStore::append(const core::CallRecord& record) {
  try {
    sqlite::Statement insert(
        *db_,
        "INSERT INTO calls (start, answered, end, call_id, caller, request_uri, "
        "called, route, trunk_group, span, timeslot, sip_status, cause, ended_by, "
        "direction, rtp_received, rtp_lost, jitter_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
        "?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)");
    insert.bind(1, iso_time(record.start));
    if (record.answered) {
      insert.bind(2, iso_time(*record.answered));
    } else {
      insert.bind_null(2);
    }
    insert.bind(3, iso_time(record.end));
    int index = 4;
    for (const auto* text :
         {&record.call_id, &record.from, &record.request_uri, &record.called_number, &record.route,
          &record.trunk_group, &record.span}) {
      insert.bind(index++, *text);
    }
    insert.bind(11, record.timeslot);
    insert.bind(12, record.sip_status);
    insert.bind(13, record.cause);
    insert.bind(14, record.ended_by);
    insert.bind(15, std::string(record.from_pstn ? "from-pstn" : "to-pstn"));
    insert.bind(16, static_cast<std::int64_t>(record.rtp_received));
    insert.bind(17, static_cast<std::int64_t>(record.rtp_lost));
    // Tenths of a millisecond: more would be noise, and it reads as "12.3".
    insert.bind(18, std::round(record.rtp_jitter_ms * 10.0) / 10.0);
    insert.run();
  } catch (const std::exception& error) {
    throw std::runtime_error("call records: cannot write " + path_ + ": " + error.what());
  }
}

std::string CallRecordStore::header(bool csv) {
  std::string line = csv ? "" : "# ";
  for (std::size_t i = 0; i < kColumns.size(); ++i) {
    line += (i == 0 ? "" : (csv ? "," : "\t"));
    line += kColumns[i].second;
  }
  return line;
}

std::vector<std::string> CallRecordStore::column_names() {
  std::vector<std::string> names;
  names.reserve(kColumns.size());
  for (const auto& column : kColumns) names.emplace_back(column.second);
  return names;
}

std::vector<std::vector<std::string>> CallRecordStore::rows(const CallQuery& query) const {
  std::string sql = "SELECT ";
  for (std::size_t i = 0; i < kColumns.size(); ++i) {
    sql += std::string(i == 0 ? "" : ", ") + kColumns[i].first;
  }
  sql += " FROM calls WHERE 1";
  if (!query.since.empty()) sql += " AND start >= ?1";
  if (!query.until.empty()) sql += " AND start < ?2";
  if (!query.number.empty()) sql += " AND (instr(called, ?3) > 0 OR instr(caller, ?3) > 0)";
  if (!query.trunk_group.empty()) sql += " AND trunk_group = ?4";
  if (query.cause) sql += " AND cause = ?5";
  sql += " ORDER BY id DESC LIMIT ?6";
  sqlite::Statement select(*db_, sql);
  if (!query.since.empty()) select.bind(1, query.since);
  if (!query.until.empty()) select.bind(2, query.until);
  if (!query.number.empty()) select.bind(3, query.number);
  if (!query.trunk_group.empty()) select.bind(4, query.trunk_group);
  if (query.cause) select.bind(5, *query.cause);
  select.bind(6, query.limit);
  std::vector<std::vector<std::string>> found;
  while (select.next_row()) {
    auto& row = found.emplace_back();
    for (int column = 0; column < static_cast<int>(kColumns.size()); ++column) {
      row.push_back(select.text(column));
    }
  }
  return found;
}

std::vector<std::string> CallRecordStore::search(const CallQuery& query, bool csv) const {
  std::vector<std::string> lines;
  for (const auto& row : rows(query)) {
    std::string line;
    for (std::size_t column = 0; column < row.size(); ++column) {
      if (column > 0) line += csv ? "," : "\t";
      line += csv ? csv_field(row[column]) : tsv_field(row[column]);
    }
    lines.push_back(std::move(line));
  }
  return lines;
}

std::optional<CallQuery> parse_call_query(const std::string& words, bool& csv,
                                          std::string& problem) {
  CallQuery query;
  csv = false;
  std::istringstream in(words);
  for (std::string word; in >> word;) {
    if (word == "csv") {
      csv = true;
      continue;
    }
    const auto equals = word.find('=');
    const std::string key = word.substr(0, equals);
    const std::string value = equals == std::string::npos ? "" : word.substr(equals + 1);
    int number = 0;
    const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), number);
    const bool is_number =
        !value.empty() && error == std::errc() && end == value.data() + value.size();
    if (key == "since" && !value.empty()) {
      query.since = value;
    } else if (key == "until" && !value.empty()) {
      query.until = value;
    } else if (key == "number" && !value.empty()) {
      query.number = value;
    } else if (key == "trunk-group" && !value.empty()) {
      query.trunk_group = value;
    } else if (key == "cause" && is_number) {
      query.cause = number;
    } else if (key == "limit" && is_number && number >= 1 && number <= 100000) {
      query.limit = number;
    } else {
      problem = "'" + word +
                "': expected since=TIME until=TIME number=DIGITS trunk-group=NAME cause=N "
                "limit=N (1-100000) csv";
      return std::nullopt;
    }
  }
  return query;
}

}  // namespace gw::app
