#pragma once
// Counts what a peer's RTP stream lost by its sequence numbers (RFC 3550 A.3,
// without the probation) and spots duplicates, over every payload type the
// peer sends in that sequence space (audio and telephone-event alike).

#include <cstdint>
#include <optional>

namespace gw::media {

class SequenceTracker {
 public:
  enum class Verdict : std::uint8_t { fresh, duplicate, restarted };

  // `restarted`: a new SSRC, or a jump too far to be loss (the peer restarted
  // its stream); the packet counts as the first of a new stream.
  Verdict track(std::uint32_t ssrc, std::uint16_t sequence);

  [[nodiscard]] std::uint64_t received() const noexcept { return received_; }

  // The peer's current stream as an RTCP report block counts it.
  struct StreamCounts {
    std::uint32_t ssrc = 0;
    std::uint32_t extended_highest = 0;  // cycles << 16 | highest sequence number
    std::uint64_t expected = 0;          // from the first sequence number to the highest
    std::uint64_t received = 0;
    std::uint64_t generation = 0;  // one more for each restart of the stream
  };
  // nullopt before the first packet.
  [[nodiscard]] std::optional<StreamCounts> stream() const noexcept;
  // Packets never seen, over every stream the peer has sent so far.
  [[nodiscard]] std::uint64_t lost() const noexcept { return banked_lost_ + stream_lost(); }

 private:
  void restart(std::uint32_t ssrc, std::uint16_t sequence);
  [[nodiscard]] std::uint64_t stream_lost() const noexcept;

  bool started_ = false;
  std::uint32_t ssrc_ = 0;
  std::uint64_t base_ = 0;         // extended sequence number of the stream's first packet
  std::uint64_t highest_ = 0;      // extended highest sequence number seen
  std::uint64_t seen_window_ = 0;  // bit i: highest_ - i has been seen
  std::uint64_t stream_received_ = 0;
  std::uint64_t received_ = 0;
  std::uint64_t banked_lost_ = 0;
  std::uint64_t generation_ = 0;
};

}  // namespace gw::media
