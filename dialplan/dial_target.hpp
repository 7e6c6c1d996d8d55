#pragma once
// The number a Request-URI asks the gateway to dial, from the user part of a
// sip:/sips: URI with user=phone or a tel: URI (RFC 3966 telephone-subscriber):
//   7773660;phone-context=p1234     a number in private dialing plan p1234
//   777-3660,phone-context=p1234    the same in draft-sparks' RFC 2543-era form
//   +1-555-123-4567                 a global (E.164) number
// Sofia-SIP parses the URI; this reads the telephone number inside it.

#include <optional>
#include <string>
#include <string_view>

#include "drivers/isdn/types.hpp"

namespace gw::dialplan {

struct DialTarget {
  std::string digits;   // 0-9 * # only: visual separators dropped, no '+'
  bool global = false;  // written with a leading '+': an E.164 number
  // "p1234", "+1212" (visual separators dropped), "example.com"; empty for
  // global numbers. The TON/NPI a number goes out with is the Router's call.
  std::string phone_context;
};

struct ParseError {
  std::string reason;
};

// Refuses what cannot be dialled (no digits, letters, a local number without
// a phone-context) with the reason; a SIP gateway answers that with 484.
[[nodiscard]] std::optional<DialTarget> parse_dial_target(std::string_view user_part,
                                                          ParseError* error = nullptr);

}  // namespace gw::dialplan
