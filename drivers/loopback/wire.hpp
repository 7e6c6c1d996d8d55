#pragma once
// What one end of a loopback line sends the other, one SOCK_SEQPACKET message
// each: a hello naming the span's shape, a D-channel frame, or one 20 ms TDM
// frame carrying a block for every bearer the sender has open.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "drivers/tdm/layout.hpp"

namespace gw::loopback::wire {

enum class Type : std::uint8_t { hello = 'H', dframe = 'D', tdm = 'T' };

inline constexpr std::uint8_t kVersion = 1;
inline constexpr std::uint8_t kFlagRai = 1U << 0;  // sender is in red alarm
inline constexpr std::uint8_t kFlagAis = 1U << 1;  // sender sends all ones
inline constexpr std::size_t kSlotBytes = 1 + tdm::kBlockBytes;
inline constexpr std::size_t kMaxMessage = 2 + 32 * kSlotBytes;

[[nodiscard]] std::vector<std::byte> hello(tdm::Shape shape);
[[nodiscard]] std::optional<tdm::Shape> parse_hello(std::span<const std::byte> message);

struct TdmSlot {
  int timeslot;
  std::span<const std::byte> block;
};

// Builds a TDM frame in `out` (cleared first): type, flags, then timeslot + block.
void begin_tdm(std::vector<std::byte>& out, std::uint8_t flags);
void add_slot(std::vector<std::byte>& out, int timeslot, std::span<const std::byte> block);

// Calls `visit(TdmSlot)` for each complete slot; returns the flags, or nullopt
// when the message is not a well formed TDM frame.
template <typename Visit>
std::optional<std::uint8_t> parse_tdm(std::span<const std::byte> message, Visit&& visit) {
  if (message.size() < 2 || message[0] != static_cast<std::byte>(Type::tdm)) return std::nullopt;
  const auto body = message.subspan(2);
  if (body.size() % kSlotBytes != 0) return std::nullopt;
  for (std::size_t at = 0; at < body.size(); at += kSlotBytes) {
    visit(TdmSlot{std::to_integer<int>(body[at]), body.subspan(at + 1, tdm::kBlockBytes)});
  }
  return std::to_integer<std::uint8_t>(message[1]);
}

}  // namespace gw::loopback::wire
