#include "gateway/auth/lockout.hpp"

#include <algorithm>
#include <stdexcept>

namespace gw::auth {

FailureLockout::FailureLockout(int limit, std::chrono::seconds window, std::chrono::seconds ban,
                               std::size_t max_tracked)
    : limit_(static_cast<std::size_t>(std::max(limit, 0))),
      window_(window),
      ban_(ban),
      max_tracked_(max_tracked) {
  if (limit < 1 || max_tracked < 1) {
    throw std::invalid_argument("a failure lockout needs a limit and room of at least 1");
  }
}

bool FailureLockout::record_failure(const std::string& address, Clock::time_point now) {
  auto found = by_address_.find(address);
  if (found == by_address_.end()) {
    if (by_address_.size() >= max_tracked_ && !make_room(now)) return false;
    found = by_address_.emplace(address, Failures{}).first;
  }
  Failures& failures = found->second;
  if (failures.locked_until > now) return false;
  // A sliding window: the failures of the last `window_`, whenever it began.
  std::erase_if(failures.recent, [&](Clock::time_point at) { return now - at >= window_; });
  failures.recent.push_back(now);
  if (failures.recent.size() < limit_) return false;
  // Locked: the count starts again once the lock is over.
  failures.recent.clear();
  failures.locked_until = now + ban_;
  return true;
}

bool FailureLockout::locked(const std::string& address, Clock::time_point now) const {
  const auto found = by_address_.find(address);
  return found != by_address_.end() && found->second.locked_until > now;
}

std::vector<std::string> FailureLockout::locked_addresses(Clock::time_point now) const {
  std::vector<std::string> addresses;
  for (const auto& [address, failures] : by_address_) {
    if (failures.locked_until > now) addresses.push_back(address);
  }
  return addresses;
}

bool FailureLockout::live(const Failures& failures, Clock::time_point now) const {
  return failures.locked_until > now ||
         (!failures.recent.empty() && now - failures.recent.back() < window_);
}

void FailureLockout::forget_expired(Clock::time_point now) {
  std::erase_if(by_address_, [&](const auto& entry) { return !live(entry.second, now); });
}

// Room for one more address: the expired first, else the unlocked address
// whose last failure is oldest. False when every tracked address is locked.
bool FailureLockout::make_room(Clock::time_point now) {
  forget_expired(now);
  if (by_address_.size() < max_tracked_) return true;
  auto oldest = by_address_.end();
  for (auto it = by_address_.begin(); it != by_address_.end(); ++it) {
    if (it->second.locked_until > now || it->second.recent.empty()) continue;
    if (oldest == by_address_.end() || it->second.recent.back() < oldest->second.recent.back()) {
      oldest = it;
    }
  }
  if (oldest == by_address_.end()) return false;
  by_address_.erase(oldest);
  return true;
}

}  // namespace gw::auth
