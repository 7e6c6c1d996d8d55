#include "drivers/loopback/fcs.hpp"

namespace gw::loopback {

std::uint16_t hdlc_fcs(std::span<const std::byte> data) noexcept {
  // Reflected polynomial 0x1021 (0x8408), initial value and final xor 0xFFFF.
  std::uint16_t crc = 0xFFFF;
  for (const std::byte octet : data) {
    crc ^= std::to_integer<std::uint16_t>(octet);
    for (int bit = 0; bit < 8; ++bit) {
      crc = (crc & 1U) != 0 ? static_cast<std::uint16_t>((crc >> 1U) ^ 0x8408U)
                            : static_cast<std::uint16_t>(crc >> 1U);
    }
  }
  return static_cast<std::uint16_t>(~crc);
}

void fcs_append(std::span<std::byte> frame) noexcept {
  if (frame.size() < 2) return;
  const std::uint16_t fcs = hdlc_fcs(frame.first(frame.size() - 2));
  frame[frame.size() - 2] = static_cast<std::byte>(fcs & 0xFFU);  // least significant octet first
  frame[frame.size() - 1] = static_cast<std::byte>(fcs >> 8U);
}

bool fcs_valid(std::span<const std::byte> frame) noexcept {
  if (frame.size() < 2) return false;
  const std::uint16_t fcs = hdlc_fcs(frame.first(frame.size() - 2));
  return frame[frame.size() - 2] == static_cast<std::byte>(fcs & 0xFFU) &&
         frame[frame.size() - 1] == static_cast<std::byte>(fcs >> 8U);
}

}  // namespace gw::loopback
