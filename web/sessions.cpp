#include "web/sessions.hpp"

#include "web/password_hash.hpp"

namespace gw::web {

std::string Sessions::open(const std::string& user, const std::string& password_stamp,
                           Clock::time_point now) {
  // Forget idle sessions here, so the map cannot grow without bound.
  for (auto it = by_token_.begin(); it != by_token_.end();) {
    it = now - it->second.last_used > idle_limit_ ? by_token_.erase(it) : std::next(it);
  }
  std::string token = random_token();
  by_token_[token] = Session{user, random_token(), now, password_stamp};
  return token;
}

void Sessions::restamp(const std::string& token, const std::string& password_stamp) {
  const auto found = by_token_.find(token);
  if (found != by_token_.end()) found->second.password_stamp = password_stamp;
}

std::optional<Session> Sessions::use(const std::string& token, Clock::time_point now) {
  const auto found = by_token_.find(token);
  if (found == by_token_.end()) return std::nullopt;
  if (now - found->second.last_used > idle_limit_) {
    by_token_.erase(found);
    return std::nullopt;
  }
  found->second.last_used = now;
  return found->second;
}

void Sessions::close(const std::string& token) {
  by_token_.erase(token);
}

void Sessions::close_user(const std::string& user, const std::string& keep) {
  std::erase_if(by_token_, [&](const auto& entry) {
    return entry.second.user == user && entry.first != keep;
  });
}

}  // namespace gw::web
