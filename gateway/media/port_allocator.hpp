#pragma once
// RTP/RTCP port pairs from a configured range: RTP on an even port, RTCP on
// the odd one above it (RFC 3550 11). Pairs are handed out round-robin, so a
// port just released is the last to be reused (stray packets of the old call
// die out first), and a pair some other program holds is skipped. Control
// thread only.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <system_error>
#include <vector>

namespace gw::media {

class PortAllocator {
 public:
  // Binds both ports of the pair at `rtp_port`; address_in_use makes the
  // allocator try the next pair, any other error ends the search.
  using Binder = std::function<std::error_code(std::uint16_t rtp_port)>;

  PortAllocator(std::uint16_t port_min, std::uint16_t port_max);

  // The RTP port of a newly bound pair; nullopt with `error` set when every
  // pair is taken (address_in_use) or binding failed otherwise.
  std::optional<std::uint16_t> allocate(const Binder& bind, std::error_code& error);
  void release(std::uint16_t rtp_port);

  [[nodiscard]] std::size_t pairs() const noexcept { return in_use_.size(); }
  [[nodiscard]] std::size_t pairs_in_use() const noexcept { return used_; }

 private:
  std::uint16_t first_ = 0;  // the lowest even port of the range
  std::vector<bool> in_use_;
  std::size_t used_ = 0;
  std::size_t cursor_ = 0;  // the pair to try first next time
};

}  // namespace gw::media
