#include "gateway/core/cause_map.hpp"

namespace gw::core {

using isdn::Cause;

int sip_status_for(Cause cause, CauseDetails details) noexcept {
  switch (cause) {
    case Cause::unallocated_number:
    case Cause::no_route_transit_net:
    case Cause::no_route_destination:
    case Cause::non_selected_user_clearing:
      return 404;
    case Cause::user_busy:
      return 486;
    case Cause::no_user_response:
      return 408;
    case Cause::no_answer:
    case Cause::subscriber_absent:
    case Cause::normal_unspecified:
      return 480;
    case Cause::call_rejected:
      return details.location_user ? 603 : 403;
    case Cause::number_changed:
      return details.new_number ? 301 : 410;
    case Cause::redirected_to_new_destination:
      return 410;
    case Cause::destination_out_of_order:
      return 502;
    case Cause::invalid_number_format:
      return 484;
    case Cause::facility_rejected:
      return 501;
    case Cause::no_circuit_available:
    case Cause::network_out_of_order:
    case Cause::temporary_failure:
    case Cause::switch_congestion:
    case Cause::resource_unavailable:
    case Cause::bearer_capability_not_available:
    case Cause::incompatible_destination:
      return 503;
    case Cause::incoming_calls_barred:
    case Cause::bearer_capability_not_authorized:
    case Cause::user_not_in_cug:
      return 403;
    case Cause::bearer_capability_not_implemented:
    case Cause::restricted_digital_only:
      return 488;
    case Cause::service_not_implemented:
      return 501;
    case Cause::recovery_on_timer_expiry:
      return 504;
    case Cause::protocol_error:            // 111 and 127 are listed as 500;
    case Cause::interworking_unspecified:  // the rest are RFC 3398's "any other"
    case Cause::normal_clearing:
    case Cause::exchange_routing_error:
    case Cause::requested_channel_unavailable:
    case Cause::facility_not_subscribed:
    case Cause::service_unavailable:
    case Cause::channel_type_not_implemented:
    case Cause::facility_not_implemented:
    case Cause::invalid_call_reference:
    case Cause::invalid_message:
    case Cause::mandatory_ie_missing:
    case Cause::message_type_nonexistent:
    case Cause::wrong_message:
    case Cause::ie_nonexistent:
    case Cause::invalid_ie_contents:
    case Cause::wrong_call_state:
      return 500;
  }
  return 500;  // a cause without a name: RFC 3398's "any other"
}

Cause cause_for(int sip_status, std::optional<int> reason_q850) noexcept {
  if (reason_q850 && *reason_q850 >= 1 && *reason_q850 <= 127) {
    return isdn::cause_from_wire(*reason_q850);
  }
  switch (sip_status) {
    case 400:
      return Cause::temporary_failure;
    case 401:
    case 402:
    case 403:
    case 407:
      return Cause::call_rejected;
    case 404:
    case 485:
    case 604:
      return Cause::unallocated_number;
    case 405:
      return Cause::service_unavailable;
    case 406:
    case 415:
    case 501:
      return Cause::service_not_implemented;
    case 408:
    case 504:
      return Cause::recovery_on_timer_expiry;
    case 410:
      return Cause::number_changed;
    case 413:
    case 414:
    case 416:
    case 420:
    case 421:
    case 423:
    case 505:
    case 513:
      return Cause::interworking_unspecified;
    case 480:
      return Cause::no_user_response;
    case 481:
    case 500:
    case 503:
      return Cause::temporary_failure;
    case 482:
    case 483:
      return Cause::exchange_routing_error;
    case 484:
      return Cause::invalid_number_format;
    case 486:
    case 600:
      return Cause::user_busy;
    case 502:
      return Cause::network_out_of_order;
    case 603:
      return Cause::call_rejected;
    default:
      break;
  }
  // RFC 3398: other 4xx, 5xx and 6xx map as their class's generic response.
  if (sip_status >= 600 && sip_status < 700) return Cause::user_busy;
  if (sip_status >= 500 && sip_status < 600) return Cause::temporary_failure;
  if (sip_status >= 400 && sip_status < 500) return Cause::temporary_failure;
  return Cause::normal_clearing;
}

std::string reason_header(Cause cause) {
  return "Q.850;cause=" + std::to_string(isdn::to_wire(cause)) + ";text=\"" +
         std::string(isdn::to_string(cause)) + "\"";
}

std::string_view reason_phrase(int sip_status) noexcept {
  switch (sip_status) {
    case 301:
      return "Moved Permanently";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 408:
      return "Request Timeout";
    case 410:
      return "Gone";
    case 480:
      return "Temporarily Unavailable";
    case 484:
      return "Address Incomplete";
    case 486:
      return "Busy Here";
    case 487:
      return "Request Terminated";
    case 488:
      return "Not Acceptable Here";
    case 491:
      return "Request Pending";
    case 500:
      return "Server Internal Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Server Time-out";
    case 603:
      return "Decline";
    default:
      return "";
  }
}

}  // namespace gw::core
