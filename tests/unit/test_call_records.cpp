// Call records in SQLite: what a finished call leaves, found again by the
// searches operators make, as tab-separated lines or CSV.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "drivers/sqlite/sqlite_db.hpp"
#include "gateway/app/call_record_store.hpp"

namespace gw::app {
namespace {

using namespace std::chrono_literals;

class CallRecordStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "calls-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  [[nodiscard]] std::string path() const { return (dir_ / "calls.db").string(); }

  static core::CallRecord record(const std::string& called, int cause, const std::string& group,
                                 std::chrono::system_clock::time_point start) {
    core::CallRecord r;
    r.call_id = "abc\t@host";
    r.from = "sip:5551000@127.0.0.1";
    r.request_uri = "sip:" + called + ";phone-context=p1234@gw;user=phone";
    r.called_number = called;
    r.route = "private-p1234";
    r.trunk_group = group;
    r.span = "span1";
    r.timeslot = 3;
    r.start = start;
    r.end = start + 5s;
    r.sip_status = cause == 16 ? 200 : 486;
    if (cause == 16) r.answered = start + 1s;
    r.cause = cause;
    r.ended_by = "caller";
    r.rtp_received = 250;
    r.rtp_lost = 2;
    r.rtp_jitter_ms = 3.14159;
    return r;
  }

  std::filesystem::path dir_;
};

std::chrono::system_clock::time_point at(int hour) {
  // 2026-12-03T00:00:00Z plus `hour` hours.
  return std::chrono::system_clock::time_point(1796256000s) + std::chrono::hours(hour);
}

TEST_F(CallRecordStoreTest, ARecordReadsBackAsOneLineWithEveryField) {
  CallRecordStore store(path());
  store.append(record("7773660", 16, "A", at(10)));
  const auto lines = store.search({}, false);
  ASSERT_EQ(lines.size(), 1U);
  EXPECT_EQ(lines[0],
            "2026-12-03T10:00:00.000Z\t2026-12-03T10:00:01.000Z\t2026-12-03T10:00:05.000Z\t"
            "abc @host\tsip:5551000@127.0.0.1\tsip:7773660;phone-context=p1234@gw;user=phone\t"
            "7773660\tprivate-p1234\tA\tspan1\t3\t200\t16\tcaller\tto-pstn\t250\t2\t3.1");
  const std::string header = CallRecordStore::header(false);
  EXPECT_EQ(std::count(header.begin(), header.end(), '\t'), 17) << header;
}

TEST_F(CallRecordStoreTest, RecordsOfAnOlderSipgwKeepTheirRowsAndGainTheRtpColumns) {
  {
    // The calls table as the first release wrote it, with one call in it.
    sqlite::Database old(path(), 2000, "");
    old.execute(
        "CREATE TABLE calls (id INTEGER PRIMARY KEY, start TEXT NOT NULL, answered TEXT, "
        "end TEXT NOT NULL, call_id TEXT NOT NULL, caller TEXT NOT NULL, request_uri TEXT NOT "
        "NULL, called TEXT NOT NULL, route TEXT NOT NULL, trunk_group TEXT NOT NULL, span TEXT "
        "NOT NULL, timeslot INTEGER NOT NULL, sip_status INTEGER NOT NULL, cause INTEGER NOT "
        "NULL, ended_by TEXT NOT NULL, direction TEXT NOT NULL);"
        "INSERT INTO calls VALUES (1, 'T0', NULL, 'T1', 'old', 'sip:a@b', 'sip:1@b', '1', 'r', "
        "'A', 'span1', 1, 486, 17, 'pstn', 'to-pstn');");
  }
  CallRecordStore store(path());
  store.append(record("7773660", 16, "A", at(10)));
  const auto rows = store.rows({});
  ASSERT_EQ(rows.size(), 2U);
  EXPECT_EQ(rows[1][3], "old");
  EXPECT_EQ(rows[1][15], "0");
  EXPECT_EQ(rows[1][17], "0.0");
  EXPECT_EQ(rows[0][16], "2");
  CallRecordStore again(path());  // a second opening adds nothing
  EXPECT_EQ(again.rows({}).size(), 2U);
}

TEST_F(CallRecordStoreTest, RecordsSurviveReopeningAndAreFoundByTimeNumberGroupAndCause) {
  {
    CallRecordStore store(path());
    store.append(record("7773660", 16, "A", at(9)));
    store.append(record("4865551", 17, "B", at(10)));
    store.append(record("7773661", 16, "B", at(11)));
  }
  const CallRecordStore store(path());
  const auto called = [&](const CallQuery& query) {
    std::vector<std::string> numbers;
    for (const auto& line : store.search(query, false)) {
      std::vector<std::string> fields;
      std::istringstream in(line);
      for (std::string field; std::getline(in, field, '\t');) fields.push_back(field);
      numbers.push_back(fields.at(6));
    }
    return numbers;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(called({}), (V{"7773661", "4865551", "7773660"})) << "newest first";
  CallQuery query;
  query.since = "2026-12-03T10:00";
  EXPECT_EQ(called(query), (V{"7773661", "4865551"}));
  query.until = "2026-12-03T11:00";
  EXPECT_EQ(called(query), (V{"4865551"}));
  query = {};
  query.number = "777366";
  EXPECT_EQ(called(query), (V{"7773661", "7773660"}));
  query = {};
  query.trunk_group = "B";
  query.cause = 16;
  EXPECT_EQ(called(query), (V{"7773661"}));
  query = {};
  query.limit = 1;
  EXPECT_EQ(called(query), (V{"7773661"}));
}

TEST_F(CallRecordStoreTest, CsvQuotesWhatNeedsIt) {
  CallRecordStore store(path());
  auto r = record("7773660", 16, "A", at(10));
  r.call_id = "a,\"b\"";
  store.append(r);
  const auto lines = store.search({}, true);
  ASSERT_EQ(lines.size(), 1U);
  EXPECT_NE(lines[0].find(",\"a,\"\"b\"\"\","), std::string::npos) << lines[0];
  EXPECT_EQ(CallRecordStore::header(true).rfind("start,answered,end,call-id,", 0), 0U);
}

TEST(CallQueryWords, EachWordIsReadOrNamedAsTheProblem) {
  bool csv = false;
  std::string problem;
  const auto query =
      parse_call_query("since=2026-12-03T10:00 number=777 cause=17 limit=5 csv", csv, problem);
  ASSERT_TRUE(query) << problem;
  EXPECT_TRUE(csv);
  EXPECT_EQ(query->since, "2026-12-03T10:00");
  EXPECT_EQ(query->number, "777");
  EXPECT_EQ(query->cause, 17);
  EXPECT_EQ(query->limit, 5);
  EXPECT_FALSE(parse_call_query("cause=busy", csv, problem));
  EXPECT_EQ(problem.rfind("'cause=busy'", 0), 0U) << problem;
  EXPECT_FALSE(parse_call_query("limit=0", csv, problem));
}

TEST(CallRecordStoreOpen, AnUnwritablePlaceIsReportedWithItsPath) {
  try {
    const CallRecordStore store("/nonexistent-dir/calls.db");
    ADD_FAILURE() << "opened";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("/nonexistent-dir/calls.db"), std::string::npos)
        << error.what();
  }
}

}  // namespace
}  // namespace gw::app
