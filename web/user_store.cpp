#include "web/user_store.hpp"

#include <algorithm>
#include <stdexcept>

#include "drivers/sqlite/sqlite_db.hpp"
#include "web/password_hash.hpp"

namespace gw::web {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS users (
  name TEXT PRIMARY KEY, hash TEXT NOT NULL, failures INTEGER NOT NULL DEFAULT 0,
  locked_until INTEGER NOT NULL DEFAULT 0);
)sql";

std::int64_t seconds_of(UserStore::Clock::time_point when) {
  return std::chrono::duration_cast<std::chrono::seconds>(when.time_since_epoch()).count();
}

}  // namespace

UserStore::UserStore(const std::string& path, LoginPolicy policy) : policy_(policy), path_(path) {
  try {
    db_ = std::make_unique<sqlite::Database>(path, 2000,
                                             "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
    db_->execute(kSchema);
  } catch (const std::exception& error) {
    throw std::runtime_error("--data-dir: web users " + path + ": " + error.what());
  }
}

UserStore::~UserStore() = default;

bool UserStore::empty() const {
  sqlite::Statement any(*db_, "SELECT 1 FROM users LIMIT 1");
  return !any.next_row();
}

std::vector<std::string> UserStore::names() const {
  sqlite::Statement rows(*db_, "SELECT name FROM users ORDER BY name");
  std::vector<std::string> found;
  while (rows.next_row()) found.push_back(rows.text(0));
  return found;
}

std::optional<std::string> UserStore::password_hash(const std::string& name) const {
  sqlite::Statement find(*db_, "SELECT hash FROM users WHERE name = ?1");
  find.bind(1, name);
  if (!find.next_row()) return std::nullopt;
  return find.text(0);
}

void UserStore::set_password(const std::string& name, const std::string& password) {
  if (!valid_user_name(name)) throw std::runtime_error("user: 1-32 of A-Z a-z 0-9 . _ -");
  if (const auto problem = password_problem(password); !problem.empty()) {
    throw std::runtime_error("password: " + problem);
  }
  sqlite::Statement upsert(*db_,
                           "INSERT INTO users (name, hash) VALUES (?1, ?2) ON CONFLICT(name) DO "
                           "UPDATE SET hash = ?2, failures = 0, locked_until = 0");
  upsert.bind(1, name).bind(2, hash_password(password)).run();
}

LoginResult UserStore::log_in(const std::string& name, const std::string& password,
                              Clock::time_point now, std::chrono::seconds& retry_after) {
  retry_after = std::chrono::seconds(0);
  sqlite::Statement find(*db_, "SELECT hash, failures, locked_until FROM users WHERE name = ?1");
  find.bind(1, name);
  if (!find.next_row()) return unknown_user(name, password, now, retry_after);
  const std::string hash = find.text(0);
  Failures failures{find.number(1), find.number64(2)};
  find.reset();
  if (failures.locked_until > seconds_of(now)) {
    retry_after = std::chrono::seconds(failures.locked_until - seconds_of(now));
    return LoginResult::locked;
  }
  if (verify_password(hash, password)) {
    sqlite::Statement clear(*db_,
                            "UPDATE users SET failures = 0, locked_until = 0 WHERE name = ?1");
    clear.bind(1, name).run();
    return LoginResult::ok;
  }
  const auto result = count_failure(failures, now, retry_after);
  sqlite::Statement count(*db_,
                          "UPDATE users SET failures = ?2, locked_until = ?3 WHERE name = ?1");
  count.bind(1, name).bind(2, failures.count).bind(3, failures.locked_until).run();
  return result;
}

LoginResult UserStore::unknown_user(const std::string& name, const std::string& password,
                                    Clock::time_point now, std::chrono::seconds& retry_after) {
  // Bounded: a flood of made-up names forgets the unlocked ones, then all.
  constexpr std::size_t kMaxUnknownNames = 1000;
  if (dummy_hash_.empty()) dummy_hash_ = hash_password(random_token(16));
  // A name no user can have needs no lock to hide it; it is not kept either.
  Failures none;
  auto& failures = valid_user_name(name) ? unknown_[name] : none;
  if (failures.locked_until > seconds_of(now)) {
    retry_after = std::chrono::seconds(failures.locked_until - seconds_of(now));
    return LoginResult::locked;
  }
  (void)verify_password(dummy_hash_, password);
  const auto result = count_failure(failures, now, retry_after);
  if (unknown_.size() > kMaxUnknownNames) {
    std::erase_if(unknown_,
                  [&](const auto& entry) { return entry.second.locked_until <= seconds_of(now); });
    if (unknown_.size() > kMaxUnknownNames) unknown_.clear();
  }
  return result;
}

LoginResult UserStore::count_failure(Failures& failures, Clock::time_point now,
                                     std::chrono::seconds& retry_after) const {
  if (failures.count + 1 < policy_.max_failures) {
    ++failures.count;
    failures.locked_until = 0;
    return LoginResult::bad_credentials;
  }
  failures = Failures{0, seconds_of(now + policy_.lockout)};
  retry_after = policy_.lockout;
  return LoginResult::locked;
}

bool valid_user_name(const std::string& name) {
  return !name.empty() && name.size() <= 32 && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

std::string password_problem(const std::string& password) {
  if (password.size() < 8) return "at least 8 characters";
  if (password.size() > 128) return "at most 128 characters";
  return {};
}

}  // namespace gw::web
