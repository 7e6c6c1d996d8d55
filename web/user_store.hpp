#pragma once
// The web page's users, in SQLite (DATA_DIR/users.db): name, argon2id hash,
// and the count of failed log-ins with the lock they led to, kept across
// restarts so a restart does not reset a lockout.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace gw::sqlite {
class Database;
}

namespace gw::web {

struct LoginPolicy {
  int max_failures = 5;                      // in a row, then the user is locked
  std::chrono::seconds lockout{300};         // for this long
  std::chrono::seconds session_idle{28800};  // a session unused this long ends
  int max_failures_per_address = 10;         // within `lockout`, then it waits that long
};

enum class LoginResult : std::uint8_t { ok, bad_credentials, locked };

class UserStore {
 public:
  using Clock = std::chrono::system_clock;
  // Opens (creating) `path`; throws std::runtime_error naming it.
  UserStore(const std::string& path, LoginPolicy policy);
  UserStore(const UserStore&) = delete;
  UserStore& operator=(const UserStore&) = delete;
  ~UserStore();

  [[nodiscard]] bool empty() const;
  [[nodiscard]] std::vector<std::string> names() const;
  // Adds the user or sets a new password (and unlocks it).
  void set_password(const std::string& name, const std::string& password);
  // Checks a log-in at `now`: counts failures, locks after the policy's
  // number of them, and refuses even the right password while locked.
  // `retry_after` says how long a lock still lasts.
  LoginResult log_in(const std::string& name, const std::string& password, Clock::time_point now,
                     std::chrono::seconds& retry_after);
  [[nodiscard]] const LoginPolicy& policy() const noexcept { return policy_; }
  // The user's password hash as stored now; nullopt for no such user.
  [[nodiscard]] std::optional<std::string> password_hash(const std::string& name) const;

 private:
  struct Failures {
    int count = 0;                // in a row, since the last lock or success
    std::int64_t locked_until{};  // seconds since the epoch; 0: not locked
  };
  LoginResult unknown_user(const std::string& name, const std::string& password,
                           Clock::time_point now, std::chrono::seconds& retry_after);
  // One more failure: counts it, or locks when it is the policy's last.
  LoginResult count_failure(Failures& failures, Clock::time_point now,
                            std::chrono::seconds& retry_after) const;

  LoginPolicy policy_;
  std::string path_;
  std::unique_ptr<sqlite::Database> db_;
  std::string dummy_hash_;  // verified for unknown users, so they take as long
  // Names that are no user's, counted and locked like users' (in memory), so
  // that a 429 does not tell which names exist.
  std::map<std::string, Failures> unknown_;
};

// A user name people can type: 1-32 of [A-Za-z0-9._-].
[[nodiscard]] bool valid_user_name(const std::string& name);
// Why a new password is refused; empty when it is fine (8-128 characters).
[[nodiscard]] std::string password_problem(const std::string& password);

}  // namespace gw::web
