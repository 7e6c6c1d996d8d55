#include "drivers/isdn/q931_frame.hpp"

#include <cstdio>
#include <string>

namespace gw::isdn {
namespace {

constexpr std::uint8_t kQ931Discriminator = 0x08;
constexpr std::uint8_t kUnnumberedInformation = 0x03;

std::uint8_t octet(std::span<const std::byte> frame, std::size_t index) {
  return static_cast<std::uint8_t>(frame[index]);
}

}  // namespace

std::optional<Q931Header> q931_header(std::span<const std::byte> frame) {
  // Address (2 octets; SAPI in the upper 6 bits of the first), then control:
  // 2 octets for an I-frame (bit 1 clear), 1 for a UI frame.
  if (frame.size() < 4 || (octet(frame, 0) >> 2) != 0) return std::nullopt;
  const std::uint8_t control = octet(frame, 2);
  std::size_t info = 0;
  if ((control & 0x01) == 0) {
    info = 4;
  } else if ((control & 0xef) == kUnnumberedInformation) {
    info = 3;
  } else {
    return std::nullopt;
  }
  if (frame.size() < info + 3 || octet(frame, info) != kQ931Discriminator) return std::nullopt;
  const std::size_t length = octet(frame, info + 1) & 0x0f;
  if (length > 2 || frame.size() < info + 2 + length + 1) return std::nullopt;
  Q931Header header;
  for (std::size_t i = 0; i < length; ++i) {
    const std::uint8_t value = octet(frame, info + 2 + i);
    if (i == 0) {
      header.from_destination = (value & 0x80) != 0;
      header.call_reference = value & 0x7f;
    } else {
      header.call_reference = (header.call_reference << 8) | value;
    }
  }
  header.message_type = octet(frame, info + 2 + length);
  return header;
}

std::string q931_message_name(std::uint8_t message_type) {
  switch (message_type) {
    case 0x01:
      return "ALERTING";
    case 0x02:
      return "CALL PROCEEDING";
    case 0x03:
      return "PROGRESS";
    case 0x05:
      return "SETUP";
    case 0x07:
      return "CONNECT";
    case 0x0d:
      return "SETUP ACKNOWLEDGE";
    case 0x0f:
      return "CONNECT ACKNOWLEDGE";
    case 0x45:
      return "DISCONNECT";
    case 0x46:
      return "RESTART";
    case 0x4d:
      return "RELEASE";
    case 0x4e:
      return "RESTART ACKNOWLEDGE";
    case 0x5a:
      return "RELEASE COMPLETE";
    case 0x62:
      return "FACILITY";
    case 0x6e:
      return "NOTIFY";
    case 0x75:
      return "STATUS ENQUIRY";
    case 0x79:
      return "CONGESTION CONTROL";
    case 0x7b:
      return "INFORMATION";
    case 0x7d:
      return "STATUS";
    default:
      break;
  }
  char text[16];
  (void)std::snprintf(text, sizeof text, "message 0x%02x", message_type);
  return text;
}

}  // namespace gw::isdn
