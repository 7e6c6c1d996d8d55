#include "drivers/isdn/q850.hpp"

namespace gw::isdn {

std::string_view to_string(Cause cause) noexcept {
  switch (cause) {
    case Cause::unallocated_number:
      return "unallocated number";
    case Cause::no_route_transit_net:
      return "no route to transit network";
    case Cause::no_route_destination:
      return "no route to destination";
    case Cause::normal_clearing:
      return "normal clearing";
    case Cause::user_busy:
      return "user busy";
    case Cause::no_user_response:
      return "no user responding";
    case Cause::no_answer:
      return "no answer";
    case Cause::subscriber_absent:
      return "subscriber absent";
    case Cause::call_rejected:
      return "call rejected";
    case Cause::exchange_routing_error:
      return "exchange routing error";
    case Cause::number_changed:
      return "number changed";
    case Cause::redirected_to_new_destination:
      return "redirected to new destination";
    case Cause::non_selected_user_clearing:
      return "non-selected user clearing";
    case Cause::destination_out_of_order:
      return "destination out of order";
    case Cause::invalid_number_format:
      return "invalid number format";
    case Cause::facility_rejected:
      return "facility rejected";
    case Cause::normal_unspecified:
      return "normal, unspecified";
    case Cause::no_circuit_available:
      return "no circuit/channel available";
    case Cause::network_out_of_order:
      return "network out of order";
    case Cause::temporary_failure:
      return "temporary failure";
    case Cause::switch_congestion:
      return "switching equipment congestion";
    case Cause::requested_channel_unavailable:
      return "requested channel not available";
    case Cause::resource_unavailable:
      return "resource unavailable";
    case Cause::facility_not_subscribed:
      return "facility not subscribed";
    case Cause::incoming_calls_barred:
      return "incoming calls barred";
    case Cause::bearer_capability_not_authorized:
      return "bearer capability not authorized";
    case Cause::bearer_capability_not_available:
      return "bearer capability not available";
    case Cause::service_unavailable:
      return "service or option not available";
    case Cause::bearer_capability_not_implemented:
      return "bearer capability not implemented";
    case Cause::channel_type_not_implemented:
      return "channel type not implemented";
    case Cause::facility_not_implemented:
      return "facility not implemented";
    case Cause::restricted_digital_only:
      return "only restricted digital available";
    case Cause::service_not_implemented:
      return "service or option not implemented";
    case Cause::invalid_call_reference:
      return "invalid call reference";
    case Cause::user_not_in_cug:
      return "user not member of CUG";
    case Cause::incompatible_destination:
      return "incompatible destination";
    case Cause::invalid_message:
      return "invalid message";
    case Cause::mandatory_ie_missing:
      return "mandatory information element missing";
    case Cause::message_type_nonexistent:
      return "message type non-existent";
    case Cause::wrong_message:
      return "message not compatible with call state";
    case Cause::ie_nonexistent:
      return "information element non-existent";
    case Cause::invalid_ie_contents:
      return "invalid information element contents";
    case Cause::wrong_call_state:
      return "message not compatible with call state";
    case Cause::recovery_on_timer_expiry:
      return "recovery on timer expiry";
    case Cause::protocol_error:
      return "protocol error, unspecified";
    case Cause::interworking_unspecified:
      return "interworking, unspecified";
  }
  return "unknown cause";
}

Cause cause_from_wire(int value) noexcept {
  if (value < 1 || value > 127) return Cause::normal_unspecified;
  return static_cast<Cause>(value);
}

}  // namespace gw::isdn
