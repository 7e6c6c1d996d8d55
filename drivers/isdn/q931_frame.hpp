#pragma once
// Just enough of a D-channel frame to file it under a call and name it in a
// ladder diagram: the LAPD frame kind, and for a Q.931 message its call
// reference and message type. libpri does the protocol; this only reads the
// fixed header octets (Q.921 3.2-3.4, Q.931 4.2-4.4) of frames it sent or
// received, for call traces.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace gw::isdn {

struct Q931Header {
  int call_reference = 0;  // without the flag; 0: the global call reference
  // The flag: 0 on messages from the side that chose the call reference.
  bool from_destination = false;
  std::uint8_t message_type = 0;
};

// The Q.931 header of an I or UI frame for SAPI 0; nullopt for any other
// frame (RR, SABME, a frame too short to hold one).
[[nodiscard]] std::optional<Q931Header> q931_header(std::span<const std::byte> lapd_frame);

// "SETUP", "CALL PROCEEDING", ...; "message 0xNN" for the rest.
[[nodiscard]] std::string q931_message_name(std::uint8_t message_type);

}  // namespace gw::isdn
