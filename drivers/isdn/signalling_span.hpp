#pragma once
// What call control asks of one span's ISDN signalling, in the project's
// own types: PriSpan (libpri) is the real one; tests/fakes has a scripted
// one, so that the call bridge's logic is tested without libpri or a line.
// Every member runs on the span's own thread.

#include <memory>
#include <optional>
#include <system_error>

#include "drivers/isdn/types.hpp"
#include "drivers/tdm/span.hpp"

namespace gw::isdn {

struct Placed {
  CallId call = 0;
  Cause refused = Cause::normal_clearing;  // meaningful when call == 0
  [[nodiscard]] explicit operator bool() const noexcept { return call != 0; }
};

// What the span reports to its user. A call id handed out by on_incoming or
// place_call stays valid until on_cleared, or until the user calls hangup().
class Listener {
 public:
  virtual ~Listener() = default;
  virtual void on_link(bool /*up*/) {}
  virtual void on_alarms(tdm::AlarmSet /*alarms*/) {}
  // The far end took a B-channel out of service (SERVICE) or back.
  virtual void on_service(int /*timeslot*/, bool /*in_service*/) {}
  virtual void on_incoming(CallId call, const IncomingCall& details) = 0;
  virtual void on_proceeding(CallId /*call*/) {}
  virtual void on_alerting(CallId /*call*/, bool /*inband*/) {}
  virtual void on_progress(CallId /*call*/, bool /*inband*/) {}
  virtual void on_connect(CallId /*call*/) {}
  virtual void on_cleared(CallId call, Cause cause) = 0;
  virtual void on_restart(int /*timeslot*/) {}
};

class SignallingSpan {
 public:
  virtual ~SignallingSpan() = default;

  // Sends SETUP on a hunted (or the requested) bearer; refused with cause 38
  // when the link is down and 34 when no bearer is free.
  virtual Placed place_call(const CallSetup& setup) = 0;
  virtual void proceeding(CallId call) = 0;
  virtual void alerting(CallId call, bool inband) = 0;
  virtual void progress(CallId call, bool inband) = 0;  // PROGRESS, PI 8 when inband
  virtual void answer(CallId call) = 0;
  // Clears the call; the id is dead for the user from here on.
  virtual void hangup(CallId call, Cause cause) = 0;

  [[nodiscard]] virtual int timeslot(CallId call) const = 0;  // 0 when unknown
  // The Q.931 call reference value of the call; nullopt when unknown.
  [[nodiscard]] virtual std::optional<int> call_reference(CallId call) const = 0;
  // Usable for calls, with at least one B-channel idle.
  [[nodiscard]] virtual bool can_take_call() const = 0;
  // The call's B-channel, opened for its audio; nullptr with `error` set.
  [[nodiscard]] virtual std::unique_ptr<tdm::Channel> open_bearer(CallId call,
                                                                  std::error_code& error) = 0;
  [[nodiscard]] virtual tdm::Law law() const = 0;
};

}  // namespace gw::isdn
