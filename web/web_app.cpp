#include "web/web_app.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

#include "web/password_hash.hpp"

namespace gw::web {
namespace {

using nlohmann::json;

// A user name may hold any bytes: replaced if not UTF-8, never thrown over.
std::string as_text(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

bool changes_something(const std::string& method) {
  return method != "GET" && method != "HEAD";
}

std::string session_cookie(const std::string& token, bool expire) {
  // Secure: HTTPS only; SameSite=Strict: no cross-site request carries it.
  return std::string(kSessionCookie) + "=" + token + "; Path=/; HttpOnly; Secure; SameSite=Strict" +
         (expire ? "; Max-Age=0" : "");
}

// The JSON object of a request body; nullopt and `problem` when it is not one.
std::optional<json> body_object(const HttpRequest& request, HttpResponse& problem) {
  json body = json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    problem = error_response(400, "the body must be a JSON object");
    return std::nullopt;
  }
  return body;
}

std::optional<std::string> text_field(const json& body, const char* name, HttpResponse& problem) {
  const auto found = body.find(name);
  if (found == body.end() || !found->is_string()) {
    problem = error_response(400, "expected a string", name);
    return std::nullopt;
  }
  return found->get<std::string>();
}

bool is_json(std::string_view content_type) {
  constexpr std::string_view kJson = "application/json";
  if (content_type.size() < kJson.size()) return false;
  const auto rest = content_type.substr(kJson.size());
  return std::equal(
             kJson.begin(), kJson.end(), content_type.begin(),
             [](char a, char b) { return a == std::tolower(static_cast<unsigned char>(b)); }) &&
         (rest.empty() || rest.front() == ';' || rest.front() == ' ');
}

HttpResponse too_many(const std::string& reason, std::chrono::seconds retry_after) {
  HttpResponse response =
      error_response(429, reason + ": wait " + std::to_string(retry_after.count()) + " s");
  response.headers.emplace_back("Retry-After", std::to_string(retry_after.count()));
  return response;
}

}  // namespace

int json_nesting_depth(std::string_view text) {
  int depth = 0;
  int deepest = 0;
  bool in_string = false;
  bool escaped = false;
  for (const char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if (c == ']' || c == '}') {
      depth = std::max(0, depth - 1);
    }
  }
  return deepest;
}

HttpResponse error_response(int status, const std::string& reason, const std::string& field) {
  json body{{"error", reason}};
  if (!field.empty()) body["field"] = field;
  return json_response(as_text(body), status);
}

HttpResponse json_response(std::string body, int status) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

WebApp::WebApp(UserStore& users, AdminBackend& backend, Log log)
    : users_(users),
      backend_(backend),
      log_(std::move(log)),
      sessions_(users.policy().session_idle),
      throttle_(users.policy().max_failures_per_address, users.policy().lockout) {}

std::optional<Session> WebApp::current_session(const HttpRequest& request) {
  const auto cookie = request.cookies.find(kSessionCookie);
  if (cookie == request.cookies.end()) return std::nullopt;
  auto session = sessions_.use(cookie->second, Sessions::Clock::now());
  if (!session) return std::nullopt;
  if (users_.password_hash(session->user) != session->password_stamp) {
    sessions_.close(cookie->second);
    return std::nullopt;
  }
  return session;
}

std::optional<std::string> WebApp::session_user(const HttpRequest& request) {
  const auto session = current_session(request);
  if (!session) return std::nullopt;
  return session->user;
}

HttpResponse WebApp::handle(const HttpRequest& request) {
  if (request.path == "/metrics" && request.method == "GET") {
    HttpResponse response;
    response.content_type = "text/plain; version=0.0.4";
    response.body = backend_.metrics();
    return response;
  }
  if (request.path.rfind("/api/", 0) != 0) return serve_asset(request);
  if (json_nesting_depth(request.body) > kMaxJsonDepth) {
    return error_response(
        400, "the body nests deeper than " + std::to_string(kMaxJsonDepth) + " levels");
  }
  if (request.path == "/api/login") {
    if (request.method != "POST") return error_response(405, "use POST");
    return log_in(request);
  }
  const auto session = current_session(request);
  if (!session) return error_response(401, "log in first");
  if (changes_something(request.method) &&
      (request.csrf_token.empty() || !same_secret(request.csrf_token, session->csrf_token))) {
    return error_response(403, "missing or wrong X-CSRF-Token");
  }
  if (request.path == "/api/session" && request.method == "GET") {
    return json_response(as_text(json{{"user", session->user}, {"csrf", session->csrf_token}}));
  }
  if (request.path == "/api/logout") {
    if (request.method != "POST") return error_response(405, "use POST");
    return log_out(request);
  }
  if (request.path == "/api/password" && request.method == "POST") {
    return change_password(request, *session);
  }
  ApiRequest call{request.method, request.path, request.query, request.body, session->user};
  HttpResponse response = backend_.api(call);
  if (changes_something(request.method) && response.status < 300 && log_) {
    log_("web: " + session->user + " " + request.method + " " + request.path);
  }
  return response;
}

HttpResponse WebApp::log_in(const HttpRequest& request) {
  // A cross-site form can post text/plain or a form encoding but not JSON
  // without the browser asking first: no logging a victim in to one's own account.
  if (!is_json(request.content_type)) {
    return error_response(415, "send the log-in as application/json");
  }
  if (const auto wait = throttle_.wait(request.peer, LoginThrottle::Clock::now());
      wait.count() > 0) {
    return too_many("too many failed log-ins from this address", wait);
  }
  HttpResponse problem;
  const auto body = body_object(request, problem);
  if (!body) return problem;
  const auto user = text_field(*body, "user", problem);
  if (!user) return problem;
  const auto password = text_field(*body, "password", problem);
  if (!password) return problem;
  std::chrono::seconds retry_after{};
  const auto result = users_.log_in(*user, *password, UserStore::Clock::now(), retry_after);
  if (result == LoginResult::ok) {
    throttle_.succeeded(request.peer);
  } else {
    throttle_.failed(request.peer, LoginThrottle::Clock::now());
  }
  switch (result) {
    case LoginResult::ok: {
      const std::string token =
          sessions_.open(*user, users_.password_hash(*user).value_or(""), Sessions::Clock::now());
      const auto session = sessions_.use(token, Sessions::Clock::now());
      HttpResponse response =
          json_response(as_text(json{{"user", *user}, {"csrf", session->csrf_token}}));
      response.headers.emplace_back("Set-Cookie", session_cookie(token, false));
      if (log_) log_("web: " + *user + " logged in from " + request.peer);
      return response;
    }
    case LoginResult::locked: {
      if (log_) log_("web: log-in refused for locked user " + *user + " from " + request.peer);
      return too_many("too many failed log-ins", retry_after);
    }
    case LoginResult::bad_credentials:
      break;
  }
  if (log_) log_("web: failed log-in as " + *user + " from " + request.peer);
  return error_response(401, "wrong user name or password");
}

HttpResponse WebApp::log_out(const HttpRequest& request) {
  sessions_.close(request.cookies.at(kSessionCookie));
  HttpResponse response = json_response("{}");
  response.headers.emplace_back("Set-Cookie", session_cookie("", true));
  return response;
}

HttpResponse WebApp::change_password(const HttpRequest& request, const Session& session) {
  HttpResponse problem;
  const auto body = body_object(request, problem);
  if (!body) return problem;
  const auto old_password = text_field(*body, "old", problem);
  if (!old_password) return problem;
  const auto new_password = text_field(*body, "new", problem);
  if (!new_password) return problem;
  std::chrono::seconds retry_after{};
  const auto checked =
      users_.log_in(session.user, *old_password, UserStore::Clock::now(), retry_after);
  if (checked != LoginResult::ok) return error_response(403, "the old password is wrong", "old");
  if (const auto why = password_problem(*new_password); !why.empty()) {
    return error_response(400, why, "new");
  }
  users_.set_password(session.user, *new_password);
  const auto& token = request.cookies.at(kSessionCookie);
  sessions_.close_user(session.user, token);
  sessions_.restamp(token, users_.password_hash(session.user).value_or(""));
  if (log_) log_("web: " + session.user + " changed their password; their other sessions ended");
  return json_response("{}");
}

HttpResponse WebApp::serve_asset(const HttpRequest& request) const {
  if (request.method != "GET" && request.method != "HEAD") return error_response(405, "use GET");
  const auto asset = find_asset(request.path == "/" ? "/index.html" : request.path);
  if (!asset) return error_response(404, "no such page");
  HttpResponse response;
  response.content_type = std::string(asset->content_type);
  response.body = std::string(asset->body);
  return response;
}

}  // namespace gw::web
