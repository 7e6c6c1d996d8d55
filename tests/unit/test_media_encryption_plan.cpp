// The plan's media_encryption (SRTP per SIP peer): read and written in the
// export file, checked by validate() with the field named, looked up by
// peer, and kept by the SQLite store, also one made before the setting.

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "dialplan/plan_json.hpp"
#include "dialplan/plan_store.hpp"
#include "dialplan/validate.hpp"

namespace gw::dialplan {
namespace {

std::string error_of(const std::string& text) {
  const auto parsed = plan_from_json(text);
  if (std::holds_alternative<Plan>(parsed)) return "(accepted)";
  const auto& error = std::get<JsonError>(parsed);
  return error.field + ": " + error.reason;
}

TEST(MediaEncryptionPlan, ReadFromTheExportFile) {
  const auto parsed = plan_from_json(
      R"({"media_encryption": {"default": "optional", "peers": {"127.0.0.1": "required",
          "pbx.example.com": "none"}}})");
  ASSERT_TRUE(std::holds_alternative<Plan>(parsed)) << std::get<JsonError>(parsed).reason;
  const auto& policy = std::get<Plan>(parsed).media_encryption;
  EXPECT_EQ(policy.default_mode, MediaEncryption::optional);
  EXPECT_EQ(policy.peers.at("127.0.0.1"), MediaEncryption::required);
  EXPECT_EQ(policy.peers.at("pbx.example.com"), MediaEncryption::none);
  const auto defaulted = plan_from_json("{}");
  ASSERT_TRUE(std::holds_alternative<Plan>(defaulted));
  EXPECT_EQ(std::get<Plan>(defaulted).media_encryption.default_mode, MediaEncryption::none);
}

TEST(MediaEncryptionPlan, RefusalsNameTheField) {
  EXPECT_EQ(error_of(R"({"media_encryption": {"default": "always"}})"),
            "media_encryption.default: 'always' is not one of none, optional, required");
  EXPECT_EQ(error_of(R"({"media_encryption": {"peers": {"10.0.0.1": "yes"}}})"),
            "media_encryption.peers.10.0.0.1: 'yes' is not one of none, optional, required");
  EXPECT_EQ(error_of(R"({"media_encryption": {"peers": ["10.0.0.1"]}})"),
            "media_encryption.peers: expected an object { ... }");
  EXPECT_EQ(error_of(R"({"media_encryption": {"mode": "none"}})"),
            "media_encryption.mode: unknown field");
}

TEST(MediaEncryptionPlan, ValidateNamesABadPeer) {
  Plan plan;
  plan.media_encryption.peers = {{"sip:pbx.example.com", MediaEncryption::required},
                                 {"2001:db8::1", MediaEncryption::required},
                                 {"[2001:db8::1]:5061", MediaEncryption::required},
                                 {"pbx.example.com:5061", MediaEncryption::optional}};
  const auto errors = validate(plan);
  ASSERT_EQ(errors.size(), 1U);
  EXPECT_EQ(errors[0].field, "media_encryption.peers[sip:pbx.example.com]");
}

TEST(MediaEncryptionPlan, APeerIsFoundByAddressOrHostElseTheDefault) {
  MediaEncryptionPolicy policy{MediaEncryption::optional,
                               {{"127.0.0.1", MediaEncryption::required},
                                {"pbx.example.com:5080", MediaEncryption::none},
                                {"[2001:db8::1]", MediaEncryption::none}}};
  EXPECT_EQ(policy.for_peer("127.0.0.1"), MediaEncryption::required);
  EXPECT_EQ(policy.for_peer("127.0.0.1:5061"), MediaEncryption::required);
  EXPECT_EQ(policy.for_peer("pbx.example.com:5080"), MediaEncryption::none);
  EXPECT_EQ(policy.for_peer("pbx.example.com"), MediaEncryption::optional);
  EXPECT_EQ(policy.for_peer("[2001:db8::1]:5061"), MediaEncryption::none);
  EXPECT_EQ(policy.for_peer("2001:db8::1"), MediaEncryption::optional);
  EXPECT_EQ(policy.for_peer("sips:127.0.0.1:5061"), MediaEncryption::required);
  EXPECT_EQ(policy.for_peer("127.0.0.1:5061;transport=tls"), MediaEncryption::required);
  EXPECT_EQ(policy.for_peer(""), MediaEncryption::optional);
  EXPECT_EQ(policy.for_peer(":5060"), MediaEncryption::optional);
}

class MediaEncryptionStore : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "plan-srtp-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  [[nodiscard]] std::string path() const { return (dir_ / "sipgw.db").string(); }

  std::filesystem::path dir_;
};

TEST_F(MediaEncryptionStore, KeptAcrossReopening) {
  Plan plan;
  plan.media_encryption = {MediaEncryption::required, {{"10.0.0.9", MediaEncryption::none}}};
  PlanStore(path()).save(plan);
  EXPECT_EQ(PlanStore(path()).load().media_encryption, plan.media_encryption);
}

TEST_F(MediaEncryptionStore, AStoreFromBeforeTheSettingReadsNone) {
  PlanStore(path()).save(Plan{});
  // As a schema 3 store written before SRTP: no table, no meta row.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path().c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "DROP TABLE media_encryption_peers; "
                         "DELETE FROM meta WHERE key = 'media_encryption';",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  PlanStore store(path());
  EXPECT_EQ(store.load().media_encryption, MediaEncryptionPolicy{});
  Plan plan;
  plan.media_encryption.peers["127.0.0.1"] = MediaEncryption::optional;
  store.save(plan);
  EXPECT_EQ(store.load().media_encryption, plan.media_encryption);
}

}  // namespace
}  // namespace gw::dialplan
