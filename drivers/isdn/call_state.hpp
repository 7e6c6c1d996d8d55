#pragma once
// The states of one ISDN call leg (Q.931 section 2.1 call states, user side
// names) and the transitions between them, as data: a transition that is not
// in the table is refused, logged by the caller and changes nothing.

#include <cstdint>
#include <optional>
#include <string_view>

namespace gw::isdn {

enum class CallState : std::uint8_t {
  call_initiated,       // U1: SETUP sent
  outgoing_proceeding,  // U3: CALL PROCEEDING received
  call_delivered,       // U4: ALERTING received
  call_present,         // U6: SETUP received
  incoming_proceeding,  // U9: CALL PROCEEDING sent
  call_received,        // U7: ALERTING sent
  active,               // U10
  disconnect_request,   // U11: we sent DISCONNECT
  released,             // U0 again: the call reference is gone
};

enum class CallEvent : std::uint8_t {
  proceeding_in,
  alerting_in,
  progress_in,
  connect_in,
  proceeding_out,
  alerting_out,
  progress_out,
  connect_out,
  disconnect_out,    // we clear
  cleared_in,        // the far end cleared (DISCONNECT/RELEASE) or the link died
  release_complete,  // the call reference is released
};

[[nodiscard]] std::string_view to_string(CallState state) noexcept;
[[nodiscard]] std::string_view to_string(CallEvent event) noexcept;
// The state after `event` in `state`, or nullopt when the table forbids it.
[[nodiscard]] std::optional<CallState> next_state(CallState state, CallEvent event) noexcept;

}  // namespace gw::isdn
