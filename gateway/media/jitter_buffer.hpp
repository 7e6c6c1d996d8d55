#pragma once
// The playout buffer between a peer's RTP audio and the B-channel. It places
// G.711 samples by RTP timestamp (one octet per sample), so packets of 10, 20
// or 30 ms, reordered or duplicated, land where they belong; the TDM side
// takes one 20 ms frame at a time and so clocks the playout.
//
// The first packet of a stream (a new SSRC, a talkspurt's marker after the
// buffer ran dry, a timestamp jump, or late packets in a row) sets the
// playout point `target` behind its timestamp. Audio that would sit more than
// `max` ahead of the playout point moves the point forward (the old audio is
// dropped); audio behind it is late and dropped. Not thread-safe: one
// session's worker owns it.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace gw::media {

struct JitterConfig {
  int target_ms = 40;
  int max_ms = 200;
  std::byte silence{0xFF};  // the codec's idle code, for samples missing in a frame
};

class JitterBuffer {
 public:
  static constexpr std::size_t kFrameSamples = 160;       // 20 ms at 8 kHz
  static constexpr std::size_t kMaxPacketSamples = 1280;  // 160 ms; larger packets are refused

  enum class Push : std::uint8_t {
    accepted,
    resynced,   // accepted as the start of a (new) stream
    duplicate,  // every sample of it is already here
    late,       // wholly behind the playout point: dropped
    refused,    // empty or too large
  };
  enum class Frame : std::uint8_t {
    audio,    // every sample received
    partial,  // some received, the rest filled with silence
    missing,  // none received though the stream goes on: to conceal
    idle,     // no stream (none yet, the playout delay, or it stopped): silence
  };
  struct Counters {
    std::uint64_t late = 0;       // packets dropped as late
    std::uint64_t concealed = 0;  // frames returned as `missing`
    std::uint64_t resyncs = 0;
    std::uint64_t overflows = 0;  // times the playout point jumped forward
  };

  explicit JitterBuffer(const JitterConfig& config);

  Push push(std::uint32_t ssrc, std::uint32_t timestamp, bool marker,
            std::span<const std::byte> payload);
  // The next 20 ms frame into `out` (silence for `idle` and `missing`).
  Frame pop(std::span<std::byte, kFrameSamples> out);
  // Forgets the stream (the peer changed); the counters stay.
  void reset();
  // A new codec's idle code (after a re-INVITE changed the codec).
  void set_silence(std::byte silence) noexcept { silence_ = silence; }

  [[nodiscard]] const Counters& counters() const noexcept { return counters_; }
  [[nodiscard]] bool playing() const noexcept { return playing_; }
  // Samples from the playout point to the end of the newest audio received.
  [[nodiscard]] std::uint32_t buffered() const noexcept;
  [[nodiscard]] std::uint32_t target_samples() const noexcept { return target_; }

 private:
  void resync(std::uint32_t ssrc, std::uint32_t timestamp);
  void advance_to(std::uint32_t timestamp);
  bool store(std::uint32_t timestamp, std::span<const std::byte> payload);
  [[nodiscard]] std::size_t slot(std::uint32_t timestamp) const noexcept {
    return timestamp & (samples_.size() - 1);
  }

  std::uint32_t target_;
  std::uint32_t max_;
  std::byte silence_;
  std::vector<std::byte> samples_;     // a ring indexed by timestamp, a power of two long
  std::vector<std::uint8_t> present_;  // 1 where samples_ holds a received sample
  bool playing_ = false;
  std::uint32_t ssrc_ = 0;
  std::uint32_t play_ = 0;          // timestamp of the next sample to play
  std::uint32_t newest_end_ = 0;    // one past the newest sample received
  std::uint32_t stream_start_ = 0;  // the timestamp the last resync started from
  int late_run_ = 0;                // late packets in a row
  Counters counters_;
};

}  // namespace gw::media
