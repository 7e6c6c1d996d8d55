#pragma once
// The web application: the page's files, logging in and out, and the gate
// every API call passes (a session, and for a change its CSRF token) before
// the gateway answers it. Runs on the web thread; no socket here.

#include <functional>
#include <optional>
#include <string>

#include "web/http_types.hpp"
#include "web/login_throttle.hpp"
#include "web/sessions.hpp"
#include "web/user_store.hpp"

namespace gw::web {

// A file of the page, compiled into the program (web_assets.cpp, made at
// build time from web/assets/), so it needs no files at run time.
struct Asset {
  std::string_view content_type;
  std::string_view body;
};
[[nodiscard]] std::optional<Asset> find_asset(std::string_view path);

class WebApp {
 public:
  using Log = std::function<void(std::string_view)>;
  WebApp(UserStore& users, AdminBackend& backend, Log log);

  [[nodiscard]] HttpResponse handle(const HttpRequest& request);
  // The user of a WebSocket's session cookie; nullopt: not logged in.
  [[nodiscard]] std::optional<std::string> session_user(const HttpRequest& request);

 private:
  // The session of the request's cookie, if it is open and its user's
  // password has not changed since; a stale one is closed.
  std::optional<Session> current_session(const HttpRequest& request);
  HttpResponse log_in(const HttpRequest& request);
  HttpResponse log_out(const HttpRequest& request);
  HttpResponse change_password(const HttpRequest& request, const Session& session);
  [[nodiscard]] HttpResponse serve_asset(const HttpRequest& request) const;

  UserStore& users_;
  AdminBackend& backend_;
  Log log_;
  Sessions sessions_;
  LoginThrottle throttle_;
};

// Request bodies nest no deeper than this: the JSON library recurses per
// level when it copies or prints, and a body of a million '[' must not run
// a thread out of stack. The plan, the deepest body there is, needs 4.
inline constexpr int kMaxJsonDepth = 32;
// How deep `text` nests its JSON arrays and objects (brackets in strings do
// not count); it need not be valid JSON.
[[nodiscard]] int json_nesting_depth(std::string_view text);

inline constexpr const char* kSessionCookie = "sipgw_session";

}  // namespace gw::web
