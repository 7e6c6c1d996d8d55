#pragma once
// The states of a bridged call (one SIP leg, one ISDN leg) and the events
// that move it, as a transition table. A call from SIP waits in dialling
// for the PSTN; a call from the PSTN waits in dialling for the SIP callee,
// and the same states say how far it got. What each transition does lives in
// CallBridge; this says only which ones are allowed.

#include <cstdint>
#include <optional>
#include <string_view>

namespace gw::core {

enum class BridgeState : std::uint8_t {
  dialling,     // INVITE taken, SETUP sent, nothing back yet (100 Trying went out)
  proceeding,   // CALL PROCEEDING: the network is routing it
  ringing,      // ALERTING: 180 Ringing sent (from the PSTN: 180 received, ALERTING sent)
  early_media,  // in-band information (PI 1 or 8): 183 with SDP sent, audio cut through
  answered,     // CONNECT: 200 OK sent, waiting for the ACK
  active,       // ACK received: the call is up
  clearing,     // the PSTN side is gone after the answer: our BYE is on its way
  done,         // the call record is written and the call forgotten (the SIP stack may
                // still retransmit a final response; that needs nothing from us)
};

enum class BridgeEvent : std::uint8_t {
  isdn_proceeding,
  isdn_alerting,
  isdn_inband,  // ALERTING or PROGRESS with in-band information
  isdn_connect,
  isdn_cleared,
  isdn_failover,  // cleared with a fail-over cause; SETUP sent on the next trunk group
  sip_ack,
  sip_reinvite,
  sip_ended,       // CANCEL or BYE (answered by the stack): the ISDN call is cleared at once
  sip_terminated,  // the SIP dialog is gone (our BYE answered, no ACK, transport error)
  // Calls from the PSTN: what the SIP callee answers our INVITE.
  sip_ringing,      // 180 without audio we can carry: ALERTING sent (once)
  sip_progress,     // another 18x without audio: nothing for the PSTN caller yet
  sip_early_media,  // 18x with the SDP answer: audio cut through, PROGRESS or ALERTING with PI 8
  sip_answered,     // 2xx: CONNECT sent
  sip_retry,        // refused or unreachable, INVITE sent to the next SIP peer
  sip_refused,      // a final refusal: the ISDN call is cleared with its RFC 3398 cause
  // The gateway's own doing.
  gateway_refused,  // a new call answered with an error (unreadable, no route, no channel)
  gateway_hangup,   // an operator, a shutdown or unusable media ends the call
};

[[nodiscard]] std::string_view to_string(BridgeState state) noexcept;
[[nodiscard]] std::string_view to_string(BridgeEvent event) noexcept;

// The state after `event`, or nullopt when the event makes no sense there:
// then the bridge does nothing for it and logs it. Every action the bridge
// takes on a call follows from a transition this allowed.
[[nodiscard]] std::optional<BridgeState> next_state(BridgeState state, BridgeEvent event) noexcept;

}  // namespace gw::core
