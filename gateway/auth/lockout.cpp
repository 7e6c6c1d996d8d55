#include "gateway/auth/lockout.hpp"

#include <algorithm>
#include <cstddef>
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

// Room for one more address: the expired go first, else the quarter of the
// unlocked addresses whose last failure is oldest, so that a scan pays for
// the sweep once per max_tracked / 4 new addresses. False while every
// tracked address is locked: the new one goes uncounted.
bool FailureLockout::make_room(Clock::time_point now) {
  if (now < all_locked_until_) return false;
  forget_expired(now);
  if (by_address_.size() < max_tracked_) return true;
  std::vector<Clock::time_point> last_failures;
  Clock::time_point first_unlock = Clock::time_point::max();
  for (const auto& [address, failures] : by_address_) {
    if (failures.locked_until > now) {
      first_unlock = std::min(first_unlock, failures.locked_until);
    } else if (!failures.recent.empty()) {
      last_failures.push_back(failures.recent.back());
    }
  }
  if (last_failures.empty()) {
    all_locked_until_ = first_unlock;
    return false;
  }
  const auto cutoff = last_failures.begin() + static_cast<std::ptrdiff_t>(last_failures.size() / 4);
  std::nth_element(last_failures.begin(), cutoff, last_failures.end());
  const Clock::time_point through = *cutoff;
  std::erase_if(by_address_, [&](const auto& entry) {
    const Failures& failures = entry.second;
    return failures.locked_until <= now && !failures.recent.empty() &&
           failures.recent.back() <= through;
  });
  return true;
}

}  // namespace gw::auth
