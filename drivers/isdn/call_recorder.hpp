#pragma once
// A Listener that writes down what happens to each call, for pstncall and tests.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "drivers/isdn/pri_span.hpp"

namespace gw::isdn {

class CallRecorder : public Listener {
 public:
  struct CallLog {
    std::vector<std::string> events;  // "proceeding", "alerting", "progress:inband", ...
    std::optional<Cause> cleared;
    [[nodiscard]] bool saw(const std::string& event) const {
      for (const auto& e : events) {
        if (e == event) return true;
      }
      return false;
    }
  };

  void on_link(bool up) override { link_up = up; }
  void on_alarms(tdm::AlarmSet now) override { alarms.push_back(now); }
  void on_incoming(CallId call, const IncomingCall& details) override {
    incoming.emplace_back(call, details);
    calls[call].events.emplace_back("incoming");
    if (on_incoming_call) on_incoming_call(call, details);
  }
  void on_proceeding(CallId call) override { calls[call].events.emplace_back("proceeding"); }
  void on_alerting(CallId call, bool inband) override {
    calls[call].events.emplace_back(inband ? "alerting:inband" : "alerting");
  }
  void on_progress(CallId call, bool inband) override {
    calls[call].events.emplace_back(inband ? "progress:inband" : "progress");
  }
  void on_connect(CallId call) override { calls[call].events.emplace_back("connect"); }
  void on_cleared(CallId call, Cause cause) override {
    calls[call].events.emplace_back("cleared");
    calls[call].cleared = cause;
  }
  void on_restart(int timeslot) override { restarted.push_back(timeslot); }

  bool link_up = false;
  std::vector<tdm::AlarmSet> alarms;
  std::vector<std::pair<CallId, IncomingCall>> incoming;
  std::map<CallId, CallLog> calls;
  std::vector<int> restarted;
  std::function<void(CallId, const IncomingCall&)> on_incoming_call;
};

}  // namespace gw::isdn
