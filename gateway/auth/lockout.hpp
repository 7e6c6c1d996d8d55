#pragma once
// Failed authentications per source address: `limit` failures within
// `window` lock the address for `ban` (the SIP layer then handles it as
// untrusted: dropped). A guess costs a round trip, so this bounds how fast
// one address can try passwords, and the lock is logged once.
// Addresses are text, normalised by the caller. Not thread-safe.

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace gw::auth {

class FailureLockout {
 public:
  using Clock = std::chrono::steady_clock;  // tests pass their own `now`

  // At most `max_tracked` addresses are remembered: under a scan from many
  // addresses the oldest failures are forgotten first, a lock never before
  // its time (when all are locked, a new address goes uncounted until one
  // lock is over).
  explicit FailureLockout(int limit = 10, std::chrono::seconds window = std::chrono::minutes(5),
                          std::chrono::seconds ban = std::chrono::minutes(5),
                          std::size_t max_tracked = 4096);

  // True exactly once per lock: when this failure locks the address (the
  // moment to log it). A failure from a locked address changes nothing.
  bool record_failure(const std::string& address, Clock::time_point now);
  [[nodiscard]] bool locked(const std::string& address, Clock::time_point now) const;
  // Sorted, for status pages and logs.
  [[nodiscard]] std::vector<std::string> locked_addresses(Clock::time_point now) const;
  // Drops addresses with neither a failure in the window nor a lock.
  void forget_expired(Clock::time_point now);
  [[nodiscard]] std::size_t tracked() const noexcept { return by_address_.size(); }

 private:
  struct Failures {
    std::deque<Clock::time_point> recent;  // at most `limit_`, oldest first
    Clock::time_point locked_until{};      // none when not after now
  };
  [[nodiscard]] bool live(const Failures& failures, Clock::time_point now) const;
  bool make_room(Clock::time_point now);

  std::size_t limit_;
  std::chrono::seconds window_;
  std::chrono::seconds ban_;
  std::size_t max_tracked_;
  std::map<std::string, Failures, std::less<>> by_address_;
  // Full of locked addresses until then: no sweep can make room before.
  Clock::time_point all_locked_until_{};
};

}  // namespace gw::auth
