#pragma once
// RFC 3398 cause mapping between Q.850 (ISDN) and SIP final responses: section
// 8.2.6.1 for a PSTN refusal answered to the SIP caller, section 7.2.4.1 for a
// SIP response or BYE reason that reaches the PSTN.

#include <optional>
#include <string>
#include <string_view>

#include "drivers/isdn/q850.hpp"

namespace gw::core {

struct CauseDetails {
  bool location_user = false;  // the cause came from the called user (cause 21: 603)
  bool new_number = false;     // a new number is known (cause 22: 301)
};

// The SIP final response for a call the PSTN refused (RFC 3398 8.2.6.1).
[[nodiscard]] int sip_status_for(isdn::Cause cause, CauseDetails details = {}) noexcept;

// The Q.850 cause for a SIP final response (RFC 3398 7.2.4.1). A Reason header
// with protocol Q.850 that came with it takes precedence.
[[nodiscard]] isdn::Cause cause_for(int sip_status,
                                    std::optional<int> reason_q850 = std::nullopt) noexcept;

// The Reason header value that tells a SIP peer the ISDN cause (RFC 3326).
[[nodiscard]] std::string reason_header(isdn::Cause cause);

// The reason phrase RFC 3261 gives a status code, for responses we build.
[[nodiscard]] std::string_view reason_phrase(int sip_status) noexcept;

}  // namespace gw::core
