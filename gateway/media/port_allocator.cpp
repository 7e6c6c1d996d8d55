#include "gateway/media/port_allocator.hpp"

namespace gw::media {

PortAllocator::PortAllocator(std::uint16_t port_min, std::uint16_t port_max)
    : first_(static_cast<std::uint16_t>(port_min + (port_min & 1U))) {
  // Only pairs whose odd port is in the range too.
  if (port_max > first_)
    in_use_.assign((static_cast<std::size_t>(port_max) - first_ + 1) / 2, false);
}

std::optional<std::uint16_t> PortAllocator::allocate(const Binder& bind, std::error_code& error) {
  for (std::size_t attempt = 0; attempt < in_use_.size(); ++attempt) {
    const std::size_t index = (cursor_ + attempt) % in_use_.size();
    if (in_use_[index]) continue;
    const auto port = static_cast<std::uint16_t>(first_ + 2 * index);
    const std::error_code failed = bind(port);
    if (failed == std::errc::address_in_use) continue;  // another program's
    if (failed) {
      error = failed;
      return std::nullopt;
    }
    in_use_[index] = true;
    ++used_;
    cursor_ = (index + 1) % in_use_.size();
    error.clear();
    return port;
  }
  error = std::make_error_code(std::errc::address_in_use);
  return std::nullopt;
}

void PortAllocator::release(std::uint16_t rtp_port) {
  if (rtp_port < first_ || ((rtp_port - first_) & 1) != 0) return;
  const std::size_t index = (rtp_port - first_) / 2U;
  if (index >= in_use_.size() || !in_use_[index]) return;
  in_use_[index] = false;
  --used_;
}

}  // namespace gw::media
