#include "drivers/pstnsim/echo_probe.hpp"

#include <algorithm>

namespace gw::pstnsim {

EchoProbe::EchoProbe(std::size_t length, std::uint32_t seed) {
  pattern_.reserve(length);
  std::uint32_t state = seed;
  while (pattern_.size() < length) {
    state = state * 1103515245U + 12345U;
    const auto octet = static_cast<std::uint8_t>(state >> 16U);
    if (octet == 0x7F || octet == 0xFF || octet == 0xD5 || octet == 0x55) continue;
    pattern_.push_back(static_cast<std::byte>(octet));
  }
}

std::optional<EchoProbe::Match> EchoProbe::find(std::span<const std::byte> received) const {
  constexpr std::size_t kAnchor = 32;
  if (pattern_.size() < kAnchor || received.size() < kAnchor) return std::nullopt;
  const auto anchor = std::span(pattern_).first(kAnchor);
  const auto at = std::search(received.begin(), received.end(), anchor.begin(), anchor.end());
  if (at == received.end()) return std::nullopt;
  Match match;
  match.offset = static_cast<std::size_t>(at - received.begin());
  match.compared = std::min(pattern_.size(), received.size() - match.offset);
  for (std::size_t i = 0; i < match.compared; ++i) {
    if (received[match.offset + i] != pattern_[i]) ++match.mismatches;
  }
  return match;
}

}  // namespace gw::pstnsim
