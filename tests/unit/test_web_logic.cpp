// The web page's security logic without a socket: sessions, the log-in
// lockout, and the gate every API call passes (session, then CSRF token).

#include <gtest/gtest.h>

#include <unistd.h>
#include <filesystem>

#include "web/login_throttle.hpp"
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

gw::web::HttpRequest login_request(const std::string& user, const std::string& password,
                                   const std::string& peer = "127.0.0.1") {
  return {"POST",
          "/api/login",
          {},
          {},
          "",
          "application/json; charset=utf-8",
          R"({"user": ")" + user + R"(", "password": ")" + password + R"("})",
          peer};
}

struct LoggedIn {
  std::string token;  // the session cookie's value
  std::string csrf;
};

// Logs in through the app; empty tokens when it refused.
LoggedIn log_in(gw::web::WebApp& app, const std::string& user, const std::string& password) {
  const auto answer = app.handle(login_request(user, password));
  if (answer.status != 200 || answer.headers.empty()) return {};
  const auto& cookie = answer.headers.front().second;
  return {cookie.substr(cookie.find('=') + 1, 64),
          answer.body.substr(answer.body.find("\"csrf\":\"") + 8, 64)};
}

gw::web::HttpRequest with_session(gw::web::HttpRequest request, const LoggedIn& session) {
  request.cookies[gw::web::kSessionCookie] = session.token;
  request.csrf_token = session.csrf;
  return request;
}

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

// The web app over a user store in which admin's password is "right password".
struct AdminWebApp {
  explicit AdminWebApp(const std::string& users_path) : users(users_path, gw::web::LoginPolicy{}) {
    users.set_password("admin", "right password");
  }
  gw::web::UserStore users;
  FakeBackend backend;
  gw::web::WebApp app{users, backend, nullptr};
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
  const auto token = sessions.open("admin", "stamp", start);
  EXPECT_EQ(token.size(), 64U);
  const auto used = sessions.use(token, start + 50s);
  ASSERT_TRUE(used);
  EXPECT_EQ(used->user, "admin");
  EXPECT_EQ(used->csrf_token.size(), 64U);
  EXPECT_NE(used->csrf_token, token);
  EXPECT_TRUE(sessions.use(token, start + 100s)) << "using it kept it alive";
  EXPECT_FALSE(sessions.use(token, start + 161s));
  const auto other = sessions.open("admin", "stamp", start);
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
  AdminWebApp web(users_path());
  auto& app = web.app;
  auto& backend = web.backend;

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

  gw::web::HttpRequest bad_login{
      "POST", "/api/login", {}, {}, "", "application/json", R"({"user": 5})", ""};
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

TEST(JsonNesting, CountsArraysAndObjectsButNotBracketsInStrings) {
  EXPECT_EQ(gw::web::json_nesting_depth(""), 0);
  EXPECT_EQ(gw::web::json_nesting_depth(R"({"a": [1, {"b": []}]})"), 4);
  EXPECT_EQ(gw::web::json_nesting_depth(R"({"a": "[[[[\"[[[", "b": {}})"), 2);
  EXPECT_EQ(gw::web::json_nesting_depth(std::string(100000, '[')), 100000);
  EXPECT_EQ(gw::web::json_nesting_depth("]]]][[}"), 2) << "closing more than was opened";
}

TEST_F(WebLogic, ABodyNestedTooDeepIsRefusedBeforeTheGatewaySeesIt) {
  AdminWebApp web(users_path());
  auto& app = web.app;
  auto& backend = web.backend;
  const auto session = log_in(app, "admin", "right password");
  ASSERT_FALSE(session.token.empty());
  const auto deep = std::string(1 << 20, '[') + std::string(1 << 20, ']');
  const auto refused = app.handle(with_session(
      {"PUT", "/api/plan", {}, {}, "", "application/json", deep, "127.0.0.1"}, session));
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(refused.body.find("deeper than 32"), std::string::npos) << refused.body;
  EXPECT_EQ(backend.calls, 0);
  const auto fine = std::string(32, '[') + std::string(32, ']');
  EXPECT_EQ(app.handle(with_session(
                           {"PUT", "/api/plan", {}, {}, "", "application/json", fine, "127.0.0.1"},
                           session))
                .status,
            200);
  EXPECT_EQ(backend.calls, 1);
}

TEST_F(WebLogic, AnUnknownNameIsLockedLikeAUserSoA429DoesNotTellWhichNamesExist) {
  gw::web::UserStore users(users_path(), gw::web::LoginPolicy{3, 300s, 3600s});
  users.set_password("ops", "right password");
  const auto now = gw::web::UserStore::Clock::now();
  std::chrono::seconds retry{};
  for (const std::string name : {"ops", "nobody"}) {
    EXPECT_EQ(users.log_in(name, "wrong", now, retry), LoginResult::bad_credentials) << name;
    EXPECT_EQ(users.log_in(name, "wrong", now, retry), LoginResult::bad_credentials) << name;
    EXPECT_EQ(users.log_in(name, "wrong", now, retry), LoginResult::locked) << name;
    EXPECT_EQ(retry, 300s) << name;
    EXPECT_EQ(users.log_in(name, "wrong", now + 100s, retry), LoginResult::locked) << name;
    EXPECT_EQ(retry, 200s) << name;
    EXPECT_EQ(users.log_in(name, "wrong", now + 301s, retry), LoginResult::bad_credentials);
  }
}

TEST(LoginThrottle, AnAddressThatKeepsFailingWaitsAndOthersDoNot) {
  gw::web::LoginThrottle throttle(3, 300s);
  const auto start = gw::web::LoginThrottle::Clock::now();
  throttle.failed("192.0.2.1", start);
  throttle.failed("192.0.2.1", start + 10s);
  EXPECT_EQ(throttle.wait("192.0.2.1", start + 10s), 0s);
  throttle.failed("192.0.2.1", start + 20s);
  EXPECT_EQ(throttle.wait("192.0.2.1", start + 20s), 300s);
  EXPECT_EQ(throttle.wait("192.0.2.1", start + 319500ms), 1s) << "rounded up";
  EXPECT_EQ(throttle.wait("192.0.2.2", start + 20s), 0s);
  EXPECT_EQ(throttle.wait("192.0.2.1", start + 320s), 0s);
  // Failures further apart than the window do not add up.
  throttle.failed("192.0.2.3", start);
  throttle.failed("192.0.2.3", start + 200s);
  throttle.failed("192.0.2.3", start + 400s);
  EXPECT_EQ(throttle.wait("192.0.2.3", start + 400s), 0s);
  throttle.succeeded("192.0.2.3");
  throttle.failed("192.0.2.3", start + 401s);
  throttle.failed("192.0.2.3", start + 402s);
  EXPECT_EQ(throttle.wait("192.0.2.3", start + 402s), 0s) << "a success started the count again";
  // An IPv6 client is its /64.
  for (const char* address : {"2001:db8:1:2::1", "2001:db8:1:2::2", "2001:db8:1:2:ffff::3"}) {
    throttle.failed(address, start);
  }
  EXPECT_EQ(throttle.wait("2001:db8:1:2::99", start), 300s);
  EXPECT_EQ(throttle.wait("2001:db8:1:3::1", start), 0s);
  EXPECT_EQ(gw::web::LoginThrottle::client_of("::ffff:192.0.2.1"), "::ffff:192.0.2.1");
}

TEST_F(WebLogic, LoggingInWantsJsonAndAnAddressThatKeepsFailingIsToldToWait) {
  gw::web::LoginPolicy policy;
  policy.max_failures_per_address = 3;
  gw::web::UserStore users(users_path(), policy);
  users.set_password("admin", "right password");
  FakeBackend backend;
  gw::web::WebApp app(users, backend, nullptr);
  auto form = login_request("admin", "right password");
  form.content_type = "text/plain";
  EXPECT_EQ(app.handle(form).status, 415);
  for (const std::string name : {"a", "b", "c"}) {
    EXPECT_EQ(app.handle(login_request(name, "wrong password", "192.0.2.9")).status, 401);
  }
  const auto refused = app.handle(login_request("admin", "right password", "192.0.2.9"));
  EXPECT_EQ(refused.status, 429) << "even the right password waits";
  ASSERT_EQ(refused.headers.size(), 1U);
  EXPECT_EQ(refused.headers.front().first, "Retry-After");
  EXPECT_EQ(app.handle(login_request("admin", "right password", "192.0.2.10")).status, 200);
}

TEST_F(WebLogic, LogoutWantsPostAndANewPasswordEndsTheUsersOtherSessions) {
  gw::web::UserStore users(users_path(), gw::web::LoginPolicy{});
  users.set_password("admin", "right password");
  users.set_password("other", "right password");
  FakeBackend backend;
  gw::web::WebApp app(users, backend, nullptr);
  const auto here = log_in(app, "admin", "right password");
  const auto elsewhere = log_in(app, "admin", "right password");
  const auto other_user = log_in(app, "other", "right password");
  const gw::web::HttpRequest status{"GET", "/api/status", {}, {}, "", "", "", "127.0.0.1"};
  EXPECT_EQ(
      app.handle(with_session({"GET", "/api/logout", {}, {}, "", "", "", ""}, elsewhere)).status,
      405);
  const auto changed =
      app.handle(with_session({"POST",
                               "/api/password",
                               {},
                               {},
                               "",
                               "application/json",
                               R"({"old": "right password", "new": "a new password"})",
                               "127.0.0.1"},
                              here));
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(app.handle(with_session(status, here)).status, 200) << "the changer stays logged in";
  EXPECT_EQ(app.handle(with_session(status, elsewhere)).status, 401);
  EXPECT_EQ(app.handle(with_session(status, other_user)).status, 200);
  EXPECT_EQ(app.handle(with_session({"POST", "/api/logout", {}, {}, "", "", "", ""}, here)).status,
            200);
  EXPECT_EQ(app.handle(with_session(status, here)).status, 401);
}

TEST_F(WebLogic, APasswordSetFromTheCommandLineEndsTheUsersSessions) {
  AdminWebApp web(users_path());
  auto& app = web.app;
  const auto session = log_in(app, "admin", "right password");
  const gw::web::HttpRequest status{"GET", "/api/status", {}, {}, "", "", "", "127.0.0.1"};
  ASSERT_EQ(app.handle(with_session(status, session)).status, 200);
  {
    // `sipgw passwd admin`: another process, its own connection.
    gw::web::UserStore passwd(users_path(), gw::web::LoginPolicy{});
    passwd.set_password("admin", "a new password");
  }
  // The live socket's check first: the API call below closes the session.
  gw::web::HttpRequest live = status;
  live.cookies[gw::web::kSessionCookie] = session.token;
  EXPECT_FALSE(app.session_user(live));
  const auto fresh = log_in(app, "admin", "a new password");
  ASSERT_FALSE(fresh.token.empty());
  EXPECT_EQ(app.handle(with_session(status, session)).status, 401);
  {
    gw::web::UserStore passwd(users_path(), gw::web::LoginPolicy{});
    passwd.set_password("admin", "a third password");
  }
  EXPECT_EQ(app.handle(with_session(status, fresh)).status, 401) << "the API's check too";
}

}  // namespace
