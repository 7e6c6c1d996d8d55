#include "gateway/media/jitter_buffer.hpp"

#include <algorithm>
#include <bit>

namespace gw::media {
namespace {

constexpr std::uint32_t kSamplesPerMs = 8;
// A timestamp this far from the playout point (1 s) is a new timeline, not
// jitter: the peer restarted its clock or resumed after a long pause.
constexpr std::int32_t kJump = 8000;
// Late packets in a row that show the peer's audio now comes later than the
// playout point expects (a longer path, a slower clock): start over.
constexpr int kLateRunResync = 3;

std::int32_t distance(std::uint32_t from, std::uint32_t to) {
  return static_cast<std::int32_t>(to - from);  // modulo 2^32, as RTP timestamps wrap
}

}  // namespace

JitterBuffer::JitterBuffer(const JitterConfig& config)
    : target_(static_cast<std::uint32_t>(std::max(config.target_ms, 0)) * kSamplesPerMs),
      max_(std::max(static_cast<std::uint32_t>(std::max(config.max_ms, 0)) * kSamplesPerMs,
                    target_ + static_cast<std::uint32_t>(kMaxPacketSamples))),
      silence_(config.silence),
      samples_(std::bit_ceil(max_ + kFrameSamples)),
      present_(samples_.size(), 0) {}

JitterBuffer::Push JitterBuffer::push(std::uint32_t ssrc, std::uint32_t timestamp, bool marker,
                                      std::span<const std::byte> payload) {
  if (payload.empty() || payload.size() > kMaxPacketSamples) return Push::refused;
  const std::int32_t ahead = distance(play_, timestamp);
  const bool new_stream = !playing_ || ssrc != ssrc_ || ahead > kJump || ahead < -kJump;
  // A talkspurt's first packet may re-centre the delay, but only when nothing
  // is waiting to be played (a peer that marks every packet changes nothing).
  const bool new_talkspurt = marker && ahead >= 0 && buffered() == 0;
  if (new_stream || new_talkspurt) {
    resync(ssrc, timestamp);
    (void)store(timestamp, payload);
    return Push::resynced;
  }
  const auto length = static_cast<std::int32_t>(payload.size());
  if (ahead + length <= 0) {
    ++counters_.late;
    if (++late_run_ < kLateRunResync) return Push::late;
    resync(ssrc, timestamp);
    (void)store(timestamp, payload);
    return Push::resynced;
  }
  late_run_ = 0;
  if (ahead + length > static_cast<std::int32_t>(max_)) {
    ++counters_.overflows;
    advance_to(timestamp - target_);
  }
  return store(timestamp, payload) ? Push::accepted : Push::duplicate;
}

JitterBuffer::Frame JitterBuffer::pop(std::span<std::byte, kFrameSamples> out) {
  if (!playing_) {
    std::fill(out.begin(), out.end(), silence_);
    return Frame::idle;
  }
  std::size_t received = 0;
  for (std::size_t i = 0; i < kFrameSamples; ++i) {
    const std::size_t at = slot(play_ + static_cast<std::uint32_t>(i));
    if (present_[at] != 0) {
      out[i] = samples_[at];
      present_[at] = 0;
      ++received;
    } else {
      out[i] = silence_;
    }
  }
  const std::uint32_t frame_start = play_;
  play_ += kFrameSamples;
  if (received == kFrameSamples) return Frame::audio;
  if (received > 0) return Frame::partial;
  // The playout delay before a stream's first sample is silence, not loss.
  if (distance(frame_start, stream_start_) >= static_cast<std::int32_t>(kFrameSamples)) {
    return Frame::idle;
  }
  // Nothing for longer than the buffer could ever hold: the peer stopped
  // (hold, silence suppression). Wait for its next packet to start again.
  if (distance(newest_end_, play_) > static_cast<std::int32_t>(max_)) {
    playing_ = false;
    return Frame::idle;
  }
  ++counters_.concealed;
  return Frame::missing;
}

void JitterBuffer::reset() {
  playing_ = false;
  late_run_ = 0;
  std::fill(present_.begin(), present_.end(), 0);
}

std::uint32_t JitterBuffer::buffered() const noexcept {
  if (!playing_) return 0;
  const std::int32_t level = distance(play_, newest_end_);
  return level > 0 ? static_cast<std::uint32_t>(level) : 0;
}

void JitterBuffer::resync(std::uint32_t ssrc, std::uint32_t timestamp) {
  ++counters_.resyncs;
  reset();
  playing_ = true;
  ssrc_ = ssrc;
  play_ = timestamp - target_;
  stream_start_ = timestamp;
  newest_end_ = play_;
}

void JitterBuffer::advance_to(std::uint32_t timestamp) {
  const auto step = static_cast<std::uint32_t>(std::max(distance(play_, timestamp), 0));
  if (step >= samples_.size()) {
    std::fill(present_.begin(), present_.end(), 0);
  } else {
    for (std::uint32_t i = 0; i < step; ++i) present_[slot(play_ + i)] = 0;
  }
  play_ += step;
}

bool JitterBuffer::store(std::uint32_t timestamp, std::span<const std::byte> payload) {
  bool fresh = false;
  for (std::size_t i = 0; i < payload.size(); ++i) {
    const std::uint32_t at = timestamp + static_cast<std::uint32_t>(i);
    if (distance(play_, at) < 0) continue;  // the part already played
    const std::size_t index = slot(at);
    fresh = fresh || present_[index] == 0;
    samples_[index] = payload[i];
    present_[index] = 1;
  }
  const std::uint32_t end = timestamp + static_cast<std::uint32_t>(payload.size());
  if (distance(newest_end_, end) > 0) newest_end_ = end;
  return fresh;
}

}  // namespace gw::media
