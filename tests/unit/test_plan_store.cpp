// Where a dialplan lives: the JSON export/import file and the SQLite store.

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "dialplan/plan_json.hpp"
#include "dialplan/plan_store.hpp"

namespace gw::dialplan {
namespace {

// A plan where every field differs from its default.
Plan full_plan() {
  Plan plan;
  Trunk trunk;
  trunk.name = "carrier-1";
  trunk.backend = Backend::dahdi;
  trunk.spans = {"1", "2"};
  trunk.switchtype = isdn::SwitchType::ni2;
  trunk.side = isdn::Side::net;
  trunk.law = tdm::Law::mulaw;
  trunk.channels = "1-23";
  trunk.called_ton = isdn::Ton::subscriber;
  trunk.calling_ton = isdn::Ton::national;
  trunk.calling_npi = isdn::Npi::isdn;
  trunk.sip_peers = {"proxy.example.com:5060", "10.0.0.2"};
  trunk.private_context = "p1234";
  trunk.public_context = "+1212";
  plan.trunks = {trunk, trunk};
  plan.trunks[1].name = "carrier-2";
  plan.trunks[1].spans = {"3"};
  plan.trunk_groups = {{"B", {"carrier-2", "carrier-1"}, isdn::Hunting::least_recent, 46},
                       {"A", {"carrier-1"}, isdn::Hunting::round_robin, 0}};
  Route route;
  route.name = "p1234";
  route.match = {"p1234", "777", 7, "7[0-9]+", "+1555", "sip:10.0.0.1", "pbx1", 3};
  route.trunk_groups = {"A", "B"};
  route.failover_causes = {17, 34};
  route.called = {1, "9", "^9(.*)$", "$1"};
  route.called_ton = isdn::Ton::abbreviated;
  route.called_npi = isdn::Npi::national;
  route.calling = {2, "0", "^0", "+"};
  route.calling_ton = isdn::Ton::international;
  route.calling_npi = isdn::Npi::telex;
  route.presentation = PresentationRule::restricted;
  Route second;
  second.name = "global";
  second.match.phone_context = "+";
  second.trunk_groups = {"B"};
  Route inbound;
  inbound.name = "from-pstn";
  inbound.match.source = "span:3";
  inbound.sip_peers = {"pbx.example.com:5080"};
  plan.routes = {route, second, inbound};
  plan.outbound_proxy = "edge.example.com";
  plan.credentials = {{"example.com", "gw1", "s3cret"}, {"other.example.net", "trunk7", "pw"}};
  plan.screening = {{"+1666", "555"}, {"+1900"}};
  plan.registrations = {
      {"upstream", "registrar.example.com:5070", "gw1", "gw1-auth", "s3cret", 600}};
  plan.trust = {{"10.1.0.0/16", "2001:db8::/32", "pbx.example.com"},
                UntrustedAction::reject,
                "gw.example.com"};
  plan.accounts = {{"pbx1", "gw.example.com", std::string(32, 'a'), std::string(64, 'b')}};
  plan.media_encryption = {
      MediaEncryption::optional,
      {{"10.0.0.2", MediaEncryption::required}, {"pbx.example.com:5080", MediaEncryption::none}}};
  return plan;
}

TEST(PlanJson, AnExportedPlanReadsBackTheSame) {
  const Plan plan = full_plan();
  const std::string text = plan_to_json(plan);
  EXPECT_NE(text.find("\"phone_context\": \"p1234\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"hunting\": \"least-recent\""), std::string::npos) << text;
  const auto parsed = plan_from_json(text);
  ASSERT_TRUE(std::holds_alternative<Plan>(parsed)) << std::get<JsonError>(parsed).reason;
  EXPECT_EQ(std::get<Plan>(parsed), plan);
  EXPECT_EQ(plan_to_json(Plan{}),
            "{\n  \"trunks\": [],\n  \"trunk_groups\": [],\n  \"routes\": [],\n  \"screening\": "
            "{\n    \"blocked_callers\": [],\n    \"blocked_destinations\": []\n  },\n  "
            "\"outbound_proxy\": \"\",\n  \"registrations\": "
            "[],\n  \"credentials\": [],\n  \"trust\": {\n    \"peers\": [],\n    "
            "\"untrusted\": \"drop\",\n    \"realm\": \"sipgw\"\n  },\n  \"accounts\": [],\n  "
            "\"media_encryption\": {\n    \"default\": \"none\",\n    \"peers\": {}\n  }\n}\n");
}

TEST(PlanJson, MissingFieldsTakeTheirDefaults) {
  const auto parsed = plan_from_json(
      R"({"routes": [{"name": "r", "match": {"phone_context": "p1234"}, "trunk_groups": ["A"]}]})");
  ASSERT_TRUE(std::holds_alternative<Plan>(parsed));
  const Route& route = std::get<Plan>(parsed).routes.at(0);
  EXPECT_EQ(route.failover_causes, Route{}.failover_causes);
  EXPECT_EQ(route.presentation, PresentationRule::from_sip);
  EXPECT_FALSE(route.called_ton);
}

std::string error_of(const std::string& text) {
  const auto parsed = plan_from_json(text);
  if (std::holds_alternative<Plan>(parsed)) return "(accepted)";
  const auto& error = std::get<JsonError>(parsed);
  return error.field + ": " + error.reason;
}

TEST(PlanJson, EachRefusalNamesTheField) {
  EXPECT_EQ(error_of(R"({"routes": [{"name": "r", "match": {"prefix": "1"}}]})"),
            "routes[0].match.prefix: unknown field");
  EXPECT_EQ(error_of(R"({"routes": [{"name": "r", "called": {"strip": "2"}}]})"),
            "routes[0].called.strip: expected a whole number");
  EXPECT_EQ(error_of(R"({"trunks": [{"name": "t", "spans": "span1"}]})"),
            "trunks[0].spans: expected a list of text");
  EXPECT_EQ(error_of(R"({"trunk_groups": [{"name": "g", "hunting": "up"}]})"),
            "trunk_groups[0].hunting: 'up' is not one of ascending, descending, round-robin, "
            "least-recent");
  EXPECT_EQ(error_of(R"({"trunks": [{"backend": "dahdi"}]})"), "trunks[0].name: missing");
  EXPECT_EQ(error_of(R"({"trunks": {}})"), "trunks: expected a list [ ... ]");
  EXPECT_EQ(error_of(R"([1, 2])"), "(top level): expected an object { ... }");
  EXPECT_EQ(error_of(R"({"route": []})"), "route: unknown field");
  EXPECT_EQ(error_of(R"({"routes": [{"name": "r", "match": {"priority": 9999999999}}]})"),
            "routes[0].match.priority: out of range");
  EXPECT_EQ(error_of(R"({"routes": [{"name": "r", "called": {"ton": "local"}}]})")
                .rfind("routes[0].called.ton: 'local' is not one of", 0),
            0U);
  EXPECT_EQ(error_of(R"({"routes": [{"name": "r", "failover_causes": [18446744073709551615]}]})"),
            "routes[0].failover_causes: out of range");
  EXPECT_EQ(error_of(R"({"trunks": [{"name": "t", "law": 7}]})"), "trunks[0].law: expected text");
}

TEST(PlanJson, ASyntaxErrorHasNoFieldAndSaysWhere) {
  const auto parsed = plan_from_json("{\"trunks\": [\n  {\"name\": \"t\",}\n]}");
  ASSERT_TRUE(std::holds_alternative<JsonError>(parsed));
  const auto& error = std::get<JsonError>(parsed);
  EXPECT_EQ(error.field, "");
  EXPECT_EQ(error.reason.rfind("not JSON: ", 0), 0U) << error.reason;
  EXPECT_NE(error.reason.find("line 2"), std::string::npos) << error.reason;
}

class PlanStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "plan-store-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  [[nodiscard]] std::string path() const { return (dir_ / "sipgw.db").string(); }

  std::filesystem::path dir_;
};

TEST_F(PlanStoreTest, AFreshStoreIsEmptyUntilAPlanIsSavedEvenAnEmptyOne) {
  PlanStore store(path());
  EXPECT_TRUE(store.empty());
  EXPECT_EQ(store.load(), Plan{});
  store.save(Plan{});
  EXPECT_FALSE(store.empty());
}

TEST_F(PlanStoreTest, APlanReadsBackTheSameInItsOrderAfterReopening) {
  {
    PlanStore store(path());
    store.save(full_plan());
    EXPECT_EQ(store.load(), full_plan());
  }
  const PlanStore reopened(path());
  EXPECT_FALSE(reopened.empty());
  EXPECT_EQ(reopened.load(), full_plan());
}

TEST_F(PlanStoreTest, ASaveReplacesThePreviousPlanWhole) {
  PlanStore store(path());
  store.save(full_plan());
  Plan smaller;
  smaller.routes = {full_plan().routes[1]};
  store.save(smaller);
  EXPECT_EQ(store.load(), smaller);
}

TEST_F(PlanStoreTest, AFailedSaveLeavesThePreviousPlan) {
  PlanStore store(path());
  store.save(full_plan());
  Plan clashing = full_plan();
  clashing.routes.push_back(clashing.routes[0]);  // the same name twice: the store refuses
  EXPECT_THROW(store.save(clashing), std::runtime_error);
  EXPECT_EQ(store.load(), full_plan());
}

TEST_F(PlanStoreTest, AFailedFirstSaveLeavesTheStoreEmpty) {
  PlanStore store(path());
  Plan clashing = full_plan();
  clashing.trunks[1].name = clashing.trunks[0].name;
  try {
    store.save(clashing);
    ADD_FAILURE() << "two trunks of one name were saved";
  } catch (const std::runtime_error& error) {
    EXPECT_EQ(std::string(error.what()).rfind("plan store " + path() + ": saving the plan: ", 0),
              0U)
        << error.what();
    EXPECT_NE(std::string(error.what()).find("trunks.name"), std::string::npos) << error.what();
  }
  EXPECT_TRUE(store.empty());
  EXPECT_EQ(store.load(), Plan{});
}

TEST_F(PlanStoreTest, AnUnopenableFileIsReportedWithItsPath) {
  const std::string missing = (dir_ / "no-such-dir" / "sipgw.db").string();
  try {
    const PlanStore store(missing);
    ADD_FAILURE() << "opened " << missing;
  } catch (const std::runtime_error& error) {
    EXPECT_EQ(std::string(error.what()).rfind("plan store " + missing + ": ", 0), 0U)
        << error.what();
  }
}

TEST_F(PlanStoreTest, ACorruptValueIsReportedNotGuessed) {
  {
    PlanStore store(path());
    store.save(full_plan());
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path().c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "UPDATE trunks SET law = 'loud'", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  const PlanStore store(path());
  try {
    (void)store.load();
    ADD_FAILURE() << "a corrupt law was accepted";
  } catch (const std::runtime_error& error) {
    EXPECT_EQ(error.what(), "plan store " + path() + ": reading the plan: law 'loud' is not valid");
  }
}

// A store written by schema 1 (before trunks had phone-contexts and routes
// SIP peers) opens with those empty, and keeps everything else.
TEST_F(PlanStoreTest, AStoreOfSchemaOneIsMigratedKeepingItsPlan) {
  Plan plan = full_plan();
  for (auto& trunk : plan.trunks) trunk.private_context = trunk.public_context = "";
  plan.routes.pop_back();  // the route to SIP peers is what schema 1 could not hold
  plan.trust = {};         // nor trust lists and accounts (schema 3)
  plan.accounts.clear();
  for (auto& route : plan.routes) route.match.account.clear();
  {
    PlanStore store(path());
    store.save(plan);
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path().c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "ALTER TABLE trunks DROP COLUMN private_context; "
                         "ALTER TABLE trunks DROP COLUMN public_context; "
                         "ALTER TABLE routes DROP COLUMN sip_peers; "
                         "ALTER TABLE routes DROP COLUMN account; "
                         "DROP TABLE trust_peers; DROP TABLE accounts; "
                         "DELETE FROM meta WHERE key IN ('realm', 'untrusted'); "
                         "UPDATE meta SET value = '1' WHERE key = 'schema_version';",
                         nullptr, nullptr, nullptr),
            SQLITE_OK)
      << sqlite3_errmsg(db);
  sqlite3_close(db);
  PlanStore migrated(path());
  EXPECT_EQ(migrated.load(), plan);
  // It trusts nobody it did not before, and says so until saved again.
  EXPECT_TRUE(migrated.load().trust.peers.empty());
  EXPECT_TRUE(migrated.trust_migrated());
  Plan with_new_fields = full_plan();
  migrated.save(with_new_fields);
  EXPECT_EQ(migrated.load(), with_new_fields);
  EXPECT_FALSE(migrated.trust_migrated());
}

TEST_F(PlanStoreTest, AStoreOfAnUnknownSchemaIsRefused) {
  { PlanStore store(path()); }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path().c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "UPDATE meta SET value = '9' WHERE key = 'schema_version'", nullptr,
                         nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  try {
    const PlanStore store(path());
    ADD_FAILURE() << "opened a store of schema 9";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("schema version '9'"), std::string::npos)
        << error.what();
  }
}

}  // namespace
}  // namespace gw::dialplan
