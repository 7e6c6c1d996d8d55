#pragma once
// An isdn::Listener that writes down what happens, for tests and pstncall.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "drivers/isdn/pri_span.hpp"

namespace gw::test {

class CallRecorder : public isdn::Listener {
 public:
  struct CallLog {
    std::vector<std::string> events;  // "proceeding", "alerting", "progress:inband", ...
    std::optional<isdn::Cause> cleared;
    [[nodiscard]] bool saw(const std::string& event) const {
      for (const auto& e : events) {
        if (e == event) return true;
      }
      return false;
    }
  };

  void on_link(bool up) override { link_up = up; }
  void on_alarms(tdm::AlarmSet now) override { alarms.push_back(now); }
  void on_incoming(isdn::CallId call, const isdn::IncomingCall& details) override {
    incoming.emplace_back(call, details);
    calls[call].events.emplace_back("incoming");
    if (on_incoming_call) on_incoming_call(call, details);
  }
  void on_proceeding(isdn::CallId call) override { calls[call].events.emplace_back("proceeding"); }
  void on_alerting(isdn::CallId call, bool inband) override {
    calls[call].events.emplace_back(inband ? "alerting:inband" : "alerting");
  }
  void on_progress(isdn::CallId call, bool inband) override {
    calls[call].events.emplace_back(inband ? "progress:inband" : "progress");
  }
  void on_connect(isdn::CallId call) override { calls[call].events.emplace_back("connect"); }
  void on_cleared(isdn::CallId call, isdn::Cause cause) override {
    calls[call].events.emplace_back("cleared");
    calls[call].cleared = cause;
  }
  void on_restart(int timeslot) override { restarted.push_back(timeslot); }

  bool link_up = false;
  std::vector<tdm::AlarmSet> alarms;
  std::vector<std::pair<isdn::CallId, isdn::IncomingCall>> incoming;
  std::map<isdn::CallId, CallLog> calls;
  std::vector<int> restarted;
  std::function<void(isdn::CallId, const isdn::IncomingCall&)> on_incoming_call;
};

}  // namespace gw::test
