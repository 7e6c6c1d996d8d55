#pragma once
// Failed log-ins per client address. Each log-in costs an argon2id hash
// (64 MiB and a good part of a second of the web thread), so an address
// that keeps failing is told to wait before any more hashing is done for it.
// A user's own lockout (UserStore) stops guessing one password; this stops
// one client from guessing many users' and from keeping the web thread busy.

#include <chrono>
#include <map>
#include <string>

namespace gw::web {

class LoginThrottle {
 public:
  using Clock = std::chrono::steady_clock;
  // `max_failures` failed log-ins from one address within `window` make it
  // wait `window` from the last of them.
  LoginThrottle(int max_failures, std::chrono::seconds window)
      : max_failures_(max_failures), window_(window) {}

  // How long `address` must still wait; zero: it may try now.
  [[nodiscard]] std::chrono::seconds wait(const std::string& address, Clock::time_point now) const;
  void failed(const std::string& address, Clock::time_point now);
  // A right password from the address: its count starts again.
  void succeeded(const std::string& address) { by_address_.erase(client_of(address)); }
  // What is counted for `address`: itself, or for IPv6 its /64.
  [[nodiscard]] static std::string client_of(const std::string& address);

 private:
  struct Failures {
    int count = 0;
    Clock::time_point first;          // of the failures being counted
    Clock::time_point blocked_until;  // none when in the past
  };
  int max_failures_;
  std::chrono::seconds window_;
  std::map<std::string, Failures> by_address_;
};

}  // namespace gw::web
