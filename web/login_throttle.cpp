#include "web/login_throttle.hpp"

namespace gw::web {

std::chrono::seconds LoginThrottle::wait(const std::string& address, Clock::time_point now) const {
  const auto found = by_address_.find(address);
  if (found == by_address_.end() || found->second.blocked_until <= now) return {};
  // Rounded up: "wait 0 s" while still blocked would be a lie.
  return std::chrono::ceil<std::chrono::seconds>(found->second.blocked_until - now);
}

void LoginThrottle::failed(const std::string& address, Clock::time_point now) {
  // Bounded: addresses whose failures are old are forgotten first.
  constexpr std::size_t kMaxAddresses = 4096;
  if (by_address_.size() >= kMaxAddresses) {
    std::erase_if(by_address_, [&](const auto& entry) {
      return entry.second.blocked_until <= now && now - entry.second.first > window_;
    });
    if (by_address_.size() >= kMaxAddresses) by_address_.clear();
  }
  auto& failures = by_address_[address];
  if (failures.count == 0 || now - failures.first > window_) failures = Failures{0, now, {}};
  if (++failures.count < max_failures_) return;
  failures = Failures{0, now, now + window_};
}

}  // namespace gw::web
