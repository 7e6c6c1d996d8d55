#pragma once
// Logged-in sessions: a random token in an HttpOnly cookie, and a second
// random token the page sends back in X-CSRF-Token with every change (a
// cross-site form can carry the cookie but cannot read the token). Kept in
// memory: a restart logs everybody out, which is what an appliance's
// operators expect after an upgrade.

#include <chrono>
#include <map>
#include <optional>
#include <string>

namespace gw::web {

struct Session {
  std::string user;
  std::string csrf_token;
  std::chrono::steady_clock::time_point last_used;
  // The user's password hash when the session opened: a session outlives
  // no password change, made on the page or by `sipgw passwd`.
  std::string password_stamp;
};

class Sessions {
 public:
  using Clock = std::chrono::steady_clock;
  explicit Sessions(std::chrono::seconds idle_limit) : idle_limit_(idle_limit) {}

  // A new session for `user`, whose password hash is now `password_stamp`;
  // returns its cookie token.
  std::string open(const std::string& user, const std::string& password_stamp,
                   Clock::time_point now);
  // The session's user set a new password in it: it goes on.
  void restamp(const std::string& token, const std::string& password_stamp);
  // The session of `token`, touched at `now`; nullopt when unknown or idle too long.
  std::optional<Session> use(const std::string& token, Clock::time_point now);
  void close(const std::string& token);
  // Ends every session of `user` but the one of `keep` (a new password ends
  // the sessions opened with the old one).
  void close_user(const std::string& user, const std::string& keep);
  [[nodiscard]] std::size_t count() const noexcept { return by_token_.size(); }

 private:
  std::chrono::seconds idle_limit_;
  std::map<std::string, Session> by_token_;
};

}  // namespace gw::web
