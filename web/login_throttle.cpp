#include "web/login_throttle.hpp"

#include <boost/asio/ip/address.hpp>

#include <algorithm>

namespace gw::web {

std::string LoginThrottle::client_of(const std::string& address) {
  boost::system::error_code error;
  const auto parsed = boost::asio::ip::make_address(address, error);
  if (error || !parsed.is_v6() || parsed.to_v6().is_v4_mapped()) return address;
  // One IPv6 client holds a whole /64: its addresses are one for the count.
  auto bytes = parsed.to_v6().to_bytes();
  std::fill(bytes.begin() + 8, bytes.end(), 0);
  return boost::asio::ip::address_v6(bytes).to_string() + "/64";
}

std::chrono::seconds LoginThrottle::wait(const std::string& address, Clock::time_point now) const {
  const auto found = by_address_.find(client_of(address));
  if (found == by_address_.end() || found->second.blocked_until <= now) return {};
  // Rounded up: "wait 0 s" while still blocked would be a lie.
  return std::chrono::ceil<std::chrono::seconds>(found->second.blocked_until - now);
}

void LoginThrottle::failed(const std::string& address, Clock::time_point now) {
  // Bounded: addresses whose failures are old are forgotten first, then any
  // not blocked; a blocked one is never forgotten before its time.
  constexpr std::size_t kMaxAddresses = 4096;
  const std::string key = client_of(address);
  if (by_address_.size() >= kMaxAddresses && by_address_.count(key) == 0) {
    std::erase_if(by_address_, [&](const auto& entry) {
      return entry.second.blocked_until <= now && now - entry.second.first > window_;
    });
    if (by_address_.size() >= kMaxAddresses) {
      std::erase_if(by_address_,
                    [&](const auto& entry) { return entry.second.blocked_until <= now; });
    }
    if (by_address_.size() >= kMaxAddresses) return;  // all blocked: this one waits its turn
  }
  auto& failures = by_address_[key];
  if (failures.count == 0 || now - failures.first > window_) failures = Failures{0, now, {}};
  if (++failures.count < max_failures_) return;
  failures = Failures{0, now, now + window_};
}

}  // namespace gw::web
