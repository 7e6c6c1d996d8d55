// The web page's security logic without a socket: sessions, the log-in
// lockout, and the gate every API call passes (session, then CSRF token).

#include <gtest/gtest.h>

#include <unistd.h>
#include <filesystem>

#include "web/password_hash.hpp"
#include "web/sessions.hpp"
#include "web/user_store.hpp"
#include "web/web_app.hpp"

namespace {

using namespace std::chrono_literals;
using gw::web::LoginResult;

class FakeBackend final : public gw::web::AdminBackend {
 public:
  gw::web::HttpResponse api(const gw::web::ApiRequest& request) override {
    last = request;
    ++calls;
    return gw::web::json_response("{}");
  }
  std::string live_json() override { return "{}"; }
  std::string metrics() override { return "sipgw_active_calls 0\n"; }
  gw::web::ApiRequest last;
  int calls = 0;
};

class WebLogic : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        std::filesystem::temp_directory_path() / ("sipgw-web-unit-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  [[nodiscard]] std::string users_path() const { return (dir_ / "users.db").string(); }
  std::filesystem::path dir_;
};

TEST(PasswordHash, IsArgon2idAndVerifiesOnlyTheRightPassword) {
  const auto hash = gw::web::hash_password("correct horse");
  EXPECT_EQ(hash.rfind("$argon2id$", 0), 0U) << hash;
  EXPECT_TRUE(gw::web::verify_password(hash, "correct horse"));
  EXPECT_FALSE(gw::web::verify_password(hash, "correct horsE"));
  EXPECT_FALSE(gw::web::verify_password("not a hash", "correct horse"));
  EXPECT_NE(gw::web::hash_password("correct horse"), hash) << "each hash has its own salt";
}

TEST(Sessions, ASessionEndsAfterItsIdleTimeAndOnClose) {
  gw::web::Sessions sessions(60s);
  const auto start = gw::web::Sessions::Clock::now();
  const auto token = sessions.open("admin", start);
  EXPECT_EQ(token.size(), 64U);
  const auto used = sessions.use(token, start + 50s);
  ASSERT_TRUE(used);
  EXPECT_EQ(used->user, "admin");
  EXPECT_EQ(used->csrf_token.size(), 64U);
  EXPECT_NE(used->csrf_token, token);
  EXPECT_TRUE(sessions.use(token, start + 100s)) << "using it kept it alive";
  EXPECT_FALSE(sessions.use(token, start + 161s));
  const auto other = sessions.open("admin", start);
  sessions.close(other);
  EXPECT_FALSE(sessions.use(other, start));
  EXPECT_FALSE(sessions.use("", start));
}

TEST_F(WebLogic, FailedLogInsLockTheUserUntilTheLockoutEndsAndSurviveReopening) {
  const gw::web::LoginPolicy policy{3, 300s, 3600s};
  const auto now = gw::web::UserStore::Clock::now();
  std::chrono::seconds retry{};
  {
    gw::web::UserStore users(users_path(), policy);
    EXPECT_TRUE(users.empty());
    users.set_password("ops", "right password");
    EXPECT_EQ(users.log_in("ops", "wrong", now, retry), LoginResult::bad_credentials);
    EXPECT_EQ(users.log_in("ops", "wrong", now, retry), LoginResult::bad_credentials);
  }
  gw::web::UserStore users(users_path(), policy);
  EXPECT_EQ(users.log_in("ops", "wrong", now, retry), LoginResult::locked);
  EXPECT_EQ(retry, 300s);
  EXPECT_EQ(users.log_in("ops", "right password", now + 100s, retry), LoginResult::locked);
  EXPECT_EQ(retry, 200s);
  EXPECT_EQ(users.log_in("ops", "right password", now + 301s, retry), LoginResult::ok);
  EXPECT_EQ(users.log_in("nobody", "right password", now, retry), LoginResult::bad_credentials);
}

TEST_F(WebLogic, ASuccessfulLogInResetsTheFailureCount) {
  gw::web::UserStore users(users_path(), gw::web::LoginPolicy{3, 300s, 3600s});
  users.set_password("ops", "right password");
  const auto now = gw::web::UserStore::Clock::now();
  std::chrono::seconds retry{};
  for (int round = 0; round < 3; ++round) {
    EXPECT_EQ(users.log_in("ops", "wrong", now, retry), LoginResult::bad_credentials);
    EXPECT_EQ(users.log_in("ops", "wrong", now, retry), LoginResult::bad_credentials);
    EXPECT_EQ(users.log_in("ops", "right password", now, retry), LoginResult::ok);
  }
}

TEST_F(WebLogic, BadNamesAndShortPasswordsAreRefused) {
  gw::web::UserStore users(users_path(), gw::web::LoginPolicy{});
  EXPECT_THROW(users.set_password("has space", "long enough"), std::runtime_error);
  EXPECT_THROW(users.set_password("ops", "short"), std::runtime_error);
  EXPECT_TRUE(users.empty());
}

TEST_F(WebLogic, TheGateWantsASessionThenTheCsrfTokenForChanges) {
  gw::web::UserStore users(users_path(), gw::web::LoginPolicy{});
  users.set_password("admin", "right password");
  FakeBackend backend;
  gw::web::WebApp app(users, backend, nullptr);

  gw::web::HttpRequest status{"GET", "/api/status", {}, {}, "", "", "", "127.0.0.1"};
  EXPECT_EQ(app.handle(status).status, 401);

  gw::web::HttpRequest login{"POST",
                             "/api/login",
                             {},
                             {},
                             "",
                             "application/json",
                             R"({"user": "admin", "password": "right password"})",
                             "127.0.0.1"};
  const auto logged_in = app.handle(login);
  ASSERT_EQ(logged_in.status, 200) << logged_in.body;
  ASSERT_EQ(logged_in.headers.size(), 1U);
  const auto& cookie = logged_in.headers.front().second;
  const auto token = cookie.substr(cookie.find('=') + 1, 64);
  const auto csrf = logged_in.body.substr(logged_in.body.find("\"csrf\":\"") + 8, 64);

  status.cookies[gw::web::kSessionCookie] = token;
  EXPECT_EQ(app.handle(status).status, 200);
  EXPECT_EQ(backend.last.user, "admin");

  gw::web::HttpRequest change{"DELETE", "/api/routes/x", {}, {}, "", "", "", "127.0.0.1"};
  change.cookies[gw::web::kSessionCookie] = token;
  const int before = backend.calls;
  EXPECT_EQ(app.handle(change).status, 403);
  change.csrf_token = std::string(64, '0');
  EXPECT_EQ(app.handle(change).status, 403);
  EXPECT_EQ(backend.calls, before) << "refused changes never reach the gateway";
  change.csrf_token = csrf;
  EXPECT_EQ(app.handle(change).status, 200);

  gw::web::HttpRequest bad_login{"POST", "/api/login", {}, {}, "", "", R"({"user": 5})", ""};
  const auto refused = app.handle(bad_login);
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(refused.body.find("\"field\":\"user\""), std::string::npos) << refused.body;
}

TEST_F(WebLogic, ThePageIsServedAndUnknownPathsAre404) {
  gw::web::UserStore users(users_path(), gw::web::LoginPolicy{});
  FakeBackend backend;
  gw::web::WebApp app(users, backend, nullptr);
  const auto page = app.handle({"GET", "/", {}, {}, "", "", "", ""});
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("<title>sipgw</title>"), std::string::npos);
  EXPECT_EQ(app.handle({"GET", "/app.js", {}, {}, "", "", "", ""}).content_type,
            "text/javascript; charset=utf-8");
  EXPECT_EQ(app.handle({"GET", "/../etc/passwd", {}, {}, "", "", "", ""}).status, 404);
  EXPECT_EQ(app.handle({"POST", "/", {}, {}, "", "", "", ""}).status, 405);
}

}  // namespace
