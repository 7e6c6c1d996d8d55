#include "drivers/isdn/call_state.hpp"

#include <array>

#include "drivers/common/transition_table.hpp"

namespace gw::isdn {
namespace {

using S = CallState;
using E = CallEvent;
using Transition = gw::Transition<CallState, CallEvent>;

constexpr TransitionTable kTransitions{std::array{
    // outgoing
    Transition{S::call_initiated, E::proceeding_in, S::outgoing_proceeding},
    Transition{S::call_initiated, E::alerting_in, S::call_delivered},
    Transition{S::call_initiated, E::progress_in, S::call_initiated},
    Transition{S::call_initiated, E::connect_in, S::active},
    Transition{S::outgoing_proceeding, E::alerting_in, S::call_delivered},
    Transition{S::outgoing_proceeding, E::progress_in, S::outgoing_proceeding},
    Transition{S::outgoing_proceeding, E::connect_in, S::active},
    Transition{S::call_delivered, E::progress_in, S::call_delivered},
    Transition{S::call_delivered, E::connect_in, S::active},
    // incoming
    Transition{S::call_present, E::proceeding_out, S::incoming_proceeding},
    Transition{S::call_present, E::alerting_out, S::call_received},
    Transition{S::call_present, E::progress_out, S::call_present},
    Transition{S::call_present, E::connect_out, S::active},
    Transition{S::incoming_proceeding, E::alerting_out, S::call_received},
    Transition{S::incoming_proceeding, E::progress_out, S::incoming_proceeding},
    Transition{S::incoming_proceeding, E::connect_out, S::active},
    Transition{S::call_received, E::progress_out, S::call_received},
    Transition{S::call_received, E::connect_out, S::active},
    // clearing, from any live state
    Transition{S::call_initiated, E::disconnect_out, S::disconnect_request},
    Transition{S::outgoing_proceeding, E::disconnect_out, S::disconnect_request},
    Transition{S::call_delivered, E::disconnect_out, S::disconnect_request},
    Transition{S::call_present, E::disconnect_out, S::disconnect_request},
    Transition{S::incoming_proceeding, E::disconnect_out, S::disconnect_request},
    Transition{S::call_received, E::disconnect_out, S::disconnect_request},
    Transition{S::active, E::disconnect_out, S::disconnect_request},
    Transition{S::call_initiated, E::cleared_in, S::released},
    Transition{S::outgoing_proceeding, E::cleared_in, S::released},
    Transition{S::call_delivered, E::cleared_in, S::released},
    Transition{S::call_present, E::cleared_in, S::released},
    Transition{S::incoming_proceeding, E::cleared_in, S::released},
    Transition{S::call_received, E::cleared_in, S::released},
    Transition{S::active, E::cleared_in, S::released},
    Transition{S::disconnect_request, E::cleared_in, S::released},
    Transition{S::disconnect_request, E::release_complete, S::released},
    Transition{S::released, E::release_complete, S::released},
}};
static_assert(kTransitions.unambiguous());

}  // namespace

std::optional<CallState> next_state(CallState state, CallEvent event) noexcept {
  return kTransitions.next(state, event);
}

std::string_view to_string(CallState state) noexcept {
  switch (state) {
    case S::call_initiated:
      return "call-initiated";
    case S::outgoing_proceeding:
      return "outgoing-proceeding";
    case S::call_delivered:
      return "call-delivered";
    case S::call_present:
      return "call-present";
    case S::incoming_proceeding:
      return "incoming-proceeding";
    case S::call_received:
      return "call-received";
    case S::active:
      return "active";
    case S::disconnect_request:
      return "disconnect-request";
    case S::released:
      return "released";
  }
  return "unknown";
}

std::string_view to_string(CallEvent event) noexcept {
  switch (event) {
    case E::proceeding_in:
      return "proceeding-in";
    case E::alerting_in:
      return "alerting-in";
    case E::progress_in:
      return "progress-in";
    case E::connect_in:
      return "connect-in";
    case E::proceeding_out:
      return "proceeding-out";
    case E::alerting_out:
      return "alerting-out";
    case E::progress_out:
      return "progress-out";
    case E::connect_out:
      return "connect-out";
    case E::disconnect_out:
      return "disconnect-out";
    case E::cleared_in:
      return "cleared-in";
    case E::release_complete:
      return "release-complete";
  }
  return "unknown";
}

}  // namespace gw::isdn
