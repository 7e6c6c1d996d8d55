#include "gateway/core/bridge_state.hpp"

#include <array>

#include "drivers/common/transition_table.hpp"

namespace gw::core {
namespace {

using S = BridgeState;
using E = BridgeEvent;
using Transition = gw::Transition<BridgeState, BridgeEvent>;

constexpr TransitionTable kTransitions{std::array{
    Transition{S::dialling, E::isdn_proceeding, S::proceeding},
    Transition{S::dialling, E::isdn_alerting, S::ringing},
    Transition{S::proceeding, E::isdn_alerting, S::ringing},
    Transition{S::dialling, E::isdn_inband, S::early_media},
    Transition{S::proceeding, E::isdn_inband, S::early_media},
    Transition{S::ringing, E::isdn_inband, S::early_media},
    Transition{S::early_media, E::isdn_inband, S::early_media},
    // ALERTING after in-band announcements: the audio already carries the ringback.
    Transition{S::early_media, E::isdn_alerting, S::early_media},
    Transition{S::dialling, E::isdn_connect, S::answered},
    Transition{S::proceeding, E::isdn_connect, S::answered},
    Transition{S::ringing, E::isdn_connect, S::answered},
    Transition{S::early_media, E::isdn_connect, S::answered},
    Transition{S::answered, E::sip_ack, S::active},
    Transition{S::active, E::sip_reinvite, S::active},
    // A re-INVITE's own ACK.
    Transition{S::active, E::sip_ack, S::active},
    // Failover: only before the caller has heard anything from this attempt.
    Transition{S::dialling, E::isdn_failover, S::dialling},
    Transition{S::proceeding, E::isdn_failover, S::dialling},
    // The PSTN side ends first. Before the answer the caller gets a final
    // response and the call is over; after it, a BYE goes out and the call
    // waits for the dialog to end.
    Transition{S::dialling, E::isdn_cleared, S::done},
    Transition{S::proceeding, E::isdn_cleared, S::done},
    Transition{S::ringing, E::isdn_cleared, S::done},
    Transition{S::early_media, E::isdn_cleared, S::done},
    Transition{S::answered, E::isdn_cleared, S::clearing},
    Transition{S::active, E::isdn_cleared, S::clearing},
    Transition{S::clearing, E::sip_ended, S::done},
    Transition{S::clearing, E::sip_ack, S::clearing},
    Transition{S::clearing, E::sip_reinvite, S::clearing},
    Transition{S::clearing, E::sip_terminated, S::done},
    // The SIP side ends first (CANCEL, BYE, the dialog failed): the stack
    // has answered, the ISDN call is cleared at once, nothing is left.
    Transition{S::dialling, E::sip_ended, S::done},
    Transition{S::proceeding, E::sip_ended, S::done},
    Transition{S::ringing, E::sip_ended, S::done},
    Transition{S::early_media, E::sip_ended, S::done},
    Transition{S::answered, E::sip_ended, S::done},
    Transition{S::active, E::sip_ended, S::done},
    Transition{S::dialling, E::sip_terminated, S::done},
    Transition{S::proceeding, E::sip_terminated, S::done},
    Transition{S::ringing, E::sip_terminated, S::done},
    Transition{S::early_media, E::sip_terminated, S::done},
    Transition{S::answered, E::sip_terminated, S::done},
    Transition{S::active, E::sip_terminated, S::done},
    // Calls from the PSTN: the callee's responses. ALERTING goes once, in
    // ringing; after early media the audio already carries the ringback.
    Transition{S::dialling, E::sip_ringing, S::ringing},
    Transition{S::ringing, E::sip_ringing, S::ringing},
    Transition{S::early_media, E::sip_ringing, S::early_media},
    Transition{S::dialling, E::sip_progress, S::dialling},
    Transition{S::ringing, E::sip_progress, S::ringing},
    Transition{S::early_media, E::sip_progress, S::early_media},
    Transition{S::dialling, E::sip_early_media, S::early_media},
    Transition{S::ringing, E::sip_early_media, S::early_media},
    Transition{S::early_media, E::sip_early_media, S::early_media},
    Transition{S::dialling, E::sip_answered, S::active},
    Transition{S::ringing, E::sip_answered, S::active},
    Transition{S::early_media, E::sip_answered, S::active},
    // The next peer only while the PSTN caller has heard nothing.
    Transition{S::dialling, E::sip_retry, S::dialling},
    Transition{S::dialling, E::sip_refused, S::done},
    Transition{S::ringing, E::sip_refused, S::done},
    Transition{S::early_media, E::sip_refused, S::done},
    // The gateway refuses a new call (it never left dialling), or ends one:
    // before the answer with a final response or CANCEL, after it with BYE.
    Transition{S::dialling, E::gateway_refused, S::done},
    Transition{S::dialling, E::gateway_hangup, S::done},
    Transition{S::proceeding, E::gateway_hangup, S::done},
    Transition{S::ringing, E::gateway_hangup, S::done},
    Transition{S::early_media, E::gateway_hangup, S::done},
    Transition{S::answered, E::gateway_hangup, S::clearing},
    Transition{S::active, E::gateway_hangup, S::clearing},
}};
static_assert(kTransitions.unambiguous());

}  // namespace

std::optional<BridgeState> next_state(BridgeState state, BridgeEvent event) noexcept {
  return kTransitions.next(state, event);
}

std::string_view to_string(BridgeState state) noexcept {
  switch (state) {
    case S::dialling:
      return "dialling";
    case S::proceeding:
      return "proceeding";
    case S::ringing:
      return "ringing";
    case S::early_media:
      return "early-media";
    case S::answered:
      return "answered";
    case S::active:
      return "active";
    case S::clearing:
      return "clearing";
    case S::done:
      return "done";
  }
  return "unknown";
}

std::string_view to_string(BridgeEvent event) noexcept {
  switch (event) {
    case E::isdn_proceeding:
      return "isdn-proceeding";
    case E::isdn_alerting:
      return "isdn-alerting";
    case E::isdn_inband:
      return "isdn-inband";
    case E::isdn_connect:
      return "isdn-connect";
    case E::isdn_cleared:
      return "isdn-cleared";
    case E::isdn_failover:
      return "isdn-failover";
    case E::sip_ack:
      return "sip-ack";
    case E::sip_reinvite:
      return "sip-reinvite";
    case E::sip_ended:
      return "sip-ended";
    case E::sip_terminated:
      return "sip-terminated";
    case E::sip_ringing:
      return "sip-ringing";
    case E::sip_early_media:
      return "sip-early-media";
    case E::sip_answered:
      return "sip-answered";
    case E::sip_progress:
      return "sip-progress";
    case E::sip_retry:
      return "sip-retry";
    case E::sip_refused:
      return "sip-refused";
    case E::gateway_refused:
      return "gateway-refused";
    case E::gateway_hangup:
      return "gateway-hangup";
  }
  return "unknown";
}

}  // namespace gw::core
