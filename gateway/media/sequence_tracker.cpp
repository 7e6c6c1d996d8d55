#include "gateway/media/sequence_tracker.hpp"

namespace gw::media {
namespace {

// RFC 3550 A.1's limits: further ahead than this is a restart, not loss;
// further back is a restart too rather than a packet from long ago.
constexpr int kMaxDropout = 3000;
constexpr int kMaxMisorder = 100;
constexpr int kWindow = 64;

}  // namespace

SequenceTracker::Verdict SequenceTracker::track(std::uint32_t ssrc, std::uint16_t sequence) {
  if (!started_ || ssrc != ssrc_) {
    restart(ssrc, sequence);
    return Verdict::restarted;
  }
  const auto highest16 = static_cast<std::uint16_t>(highest_ & 0xFFFFU);
  const auto delta = static_cast<std::int16_t>(static_cast<std::uint16_t>(sequence - highest16));
  if (delta > kMaxDropout || delta < -kMaxMisorder) {
    restart(ssrc, sequence);
    return Verdict::restarted;
  }
  if (delta > 0) {
    highest_ += static_cast<std::uint64_t>(delta);
    seen_window_ = delta >= kWindow ? 1U : (seen_window_ << static_cast<unsigned>(delta)) | 1U;
  } else {
    const int back = -delta;
    if (back >= kWindow) {
      // Older than the window: it cannot be checked, and is counted once more.
    } else {
      const std::uint64_t bit = std::uint64_t{1} << static_cast<unsigned>(back);
      if ((seen_window_ & bit) != 0) return Verdict::duplicate;
      seen_window_ |= bit;
    }
    if (highest_ - static_cast<std::uint64_t>(back) < base_) {
      base_ = highest_ - static_cast<std::uint64_t>(back);  // earlier than the first one seen
    }
  }
  ++stream_received_;
  ++received_;
  return Verdict::fresh;
}

void SequenceTracker::restart(std::uint32_t ssrc, std::uint16_t sequence) {
  if (started_) banked_lost_ += stream_lost();
  started_ = true;
  ++generation_;
  ssrc_ = ssrc;
  // Start the extended numbers one cycle up so that a packet from before the
  // first one seen does not wrap below zero.
  base_ = (std::uint64_t{1} << 16U) + sequence;
  highest_ = base_;
  seen_window_ = 1;
  stream_received_ = 1;
  ++received_;
}

std::optional<SequenceTracker::StreamCounts> SequenceTracker::stream() const noexcept {
  if (!started_) return std::nullopt;
  // The extended numbers start one cycle up (see restart()).
  const auto extended = static_cast<std::uint32_t>(highest_ - (std::uint64_t{1} << 16U));
  return StreamCounts{ssrc_, extended, highest_ - base_ + 1, stream_received_, generation_};
}

std::uint64_t SequenceTracker::stream_lost() const noexcept {
  // Before the first packet there is no stream to have expected anything of.
  if (!started_) return 0;
  const std::uint64_t expected = highest_ - base_ + 1;
  return expected > stream_received_ ? expected - stream_received_ : 0;
}

}  // namespace gw::media
