#include "drivers/loopback/wire.hpp"

namespace gw::loopback::wire {

std::vector<std::byte> hello(tdm::Shape shape) {
  return {static_cast<std::byte>(Type::hello), static_cast<std::byte>(kVersion),
          static_cast<std::byte>(shape)};
}

std::optional<tdm::Shape> parse_hello(std::span<const std::byte> message) {
  if (message.size() != 3 || message[0] != static_cast<std::byte>(Type::hello) ||
      message[1] != static_cast<std::byte>(kVersion)) {
    return std::nullopt;
  }
  const auto shape = std::to_integer<std::uint8_t>(message[2]);
  if (shape == static_cast<std::uint8_t>(tdm::Shape::e1)) return tdm::Shape::e1;
  if (shape == static_cast<std::uint8_t>(tdm::Shape::t1)) return tdm::Shape::t1;
  return std::nullopt;
}

void begin_tdm(std::vector<std::byte>& out, std::uint8_t flags) {
  out.clear();
  out.push_back(static_cast<std::byte>(Type::tdm));
  out.push_back(static_cast<std::byte>(flags));
}

void add_slot(std::vector<std::byte>& out, int timeslot, std::span<const std::byte> block) {
  out.push_back(static_cast<std::byte>(timeslot));
  out.insert(out.end(), block.begin(), block.end());
}

}  // namespace gw::loopback::wire
