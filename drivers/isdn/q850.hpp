#pragma once
// Q.850 cause values as they travel in Q.931 DISCONNECT and RELEASE.

#include <cstdint>
#include <string_view>

namespace gw::isdn {

enum class Cause : std::uint8_t {
  unallocated_number = 1,
  no_route_transit_net = 2,
  no_route_destination = 3,
  normal_clearing = 16,
  user_busy = 17,
  no_user_response = 18,
  no_answer = 19,
  subscriber_absent = 20,
  call_rejected = 21,
  exchange_routing_error = 25,
  number_changed = 22,
  redirected_to_new_destination = 23,
  non_selected_user_clearing = 26,
  destination_out_of_order = 27,
  invalid_number_format = 28,
  facility_rejected = 29,
  normal_unspecified = 31,
  no_circuit_available = 34,
  network_out_of_order = 38,
  temporary_failure = 41,
  switch_congestion = 42,
  requested_channel_unavailable = 44,
  resource_unavailable = 47,
  facility_not_subscribed = 50,
  incoming_calls_barred = 55,
  bearer_capability_not_authorized = 57,
  bearer_capability_not_available = 58,
  service_unavailable = 63,
  bearer_capability_not_implemented = 65,
  channel_type_not_implemented = 66,
  facility_not_implemented = 69,
  restricted_digital_only = 70,
  service_not_implemented = 79,
  invalid_call_reference = 81,
  user_not_in_cug = 87,
  incompatible_destination = 88,
  invalid_message = 95,
  mandatory_ie_missing = 96,
  message_type_nonexistent = 97,
  wrong_message = 98,
  ie_nonexistent = 99,
  invalid_ie_contents = 100,
  wrong_call_state = 101,
  recovery_on_timer_expiry = 102,
  protocol_error = 111,
  interworking_unspecified = 127,
};

[[nodiscard]] std::string_view to_string(Cause cause) noexcept;
// A cause from the wire; values outside 1..127 become normal_unspecified.
[[nodiscard]] Cause cause_from_wire(int value) noexcept;
[[nodiscard]] constexpr int to_wire(Cause cause) noexcept {
  return static_cast<int>(cause);
}

}  // namespace gw::isdn
