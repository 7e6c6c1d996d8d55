#pragma once
// CallBridge's inner types, shared by its two source files.

#include <sstream>

#include "gateway/core/call_bridge.hpp"

namespace gw::core {

struct CallBridge::SpanSlot {
  std::string name;
  std::unique_ptr<SpanListener> listener;
  isdn::SignallingSpan* pri = nullptr;
};

class CallBridge::SpanListener final : public isdn::Listener {
 public:
  SpanListener(CallBridge& bridge, std::size_t span) : bridge_(bridge), span_(span) {}
  void on_link(bool /*up*/) override { bridge_.on_link_changed(); }
  void on_incoming(isdn::CallId call, const isdn::IncomingCall& details) override;
  void on_proceeding(isdn::CallId call) override {
    bridge_.on_isdn(span_, call, BridgeEvent::isdn_proceeding, false);
  }
  void on_alerting(isdn::CallId call, bool inband) override {
    bridge_.on_isdn(span_, call, BridgeEvent::isdn_alerting, inband);
  }
  void on_progress(isdn::CallId call, bool inband) override {
    if (inband) bridge_.on_isdn(span_, call, BridgeEvent::isdn_inband, true);
  }
  void on_connect(isdn::CallId call) override {
    bridge_.on_isdn(span_, call, BridgeEvent::isdn_connect, false);
  }
  void on_cleared(isdn::CallId call, isdn::Cause cause) override {
    bridge_.on_isdn_cleared(span_, call, cause);
  }
  void on_restart(int /*timeslot*/) override { bridge_.on_link_changed(); }
  void on_service(int /*timeslot*/, bool /*in_service*/) override { bridge_.on_link_changed(); }

 private:
  CallBridge& bridge_;
  std::size_t span_;
};

struct CallBridge::Call {
  sip::LegId leg = 0;
  BridgeState state = BridgeState::dialling;
  std::size_t span = 0;
  isdn::CallId isdn = 0;                  // 0: no ISDN call (never placed, or cleared)
  std::optional<media::SessionId> media;  // its audio started when the engine says so
  media::Origin origin;
  std::optional<media::Answer> answer;                 // to the caller's offer
  std::optional<media::SessionDescription> our_offer;  // sent, its answer still to come
  media::NegotiatedMedia negotiated;
  media::MediaSecurity security;  // SRTP as the peer's setting and the transport allow
  CallRecord record;
  dialplan::Decision decision;
  std::size_t group = 0;     // index in decision.groups of the group now tried
  std::string counted_in;    // the trunk group whose channel count has this call
  std::string calling_name;  // the From display name, for the SETUP
  std::optional<isdn::Redirecting> redirecting;  // a forwarded call's diverting party
  // Calls from the PSTN: the INVITE (re-sent to the next peer when one
  // cannot be reached) and the peer of decision.sip it went to.
  bool from_pstn = false;
  std::size_t peer = 0;
  sip::OutgoingInvite invite;
};

// Trunk group state that lives across calls and reloads: calls up for the
// channel limit, where round-robin goes next, when each trunk was last used.
struct CallBridge::GroupState {
  int calls = 0;
  std::size_t next = 0;
  std::map<std::string, std::uint64_t> last_used;  // trunk -> use counter value
  std::uint64_t uses = 0;
};

template <typename... Parts>
void CallBridge::note(const Parts&... parts) const {
  if (!config_.log) return;
  std::ostringstream line;
  (line << ... << parts);
  config_.log(line.str());
}

// A line about one call: "call LEG [CALL-ID]: ...", so that every line of a
// call can be found by the Call-ID its record and ladder show (and the
// journal gets it as a field).
template <typename... Parts>
void CallBridge::note_call(const Call& call, const Parts&... parts) const {
  if (!config_.log) return;
  std::ostringstream line;
  line << "call " << call.leg << " [" << call.record.call_id << "]: ";
  (line << ... << parts);
  config_.log(line.str());
}

}  // namespace gw::core
