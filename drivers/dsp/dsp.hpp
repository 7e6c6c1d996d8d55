#pragma once
// The project's door to SpanDSP: G.711 companding, tone generation and tone
// measurement, DTMF generation and detection, packet loss concealment. Only
// this directory includes <spandsp.h>.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "drivers/tdm/layout.hpp"

namespace gw::dsp {

[[nodiscard]] std::int16_t to_linear(tdm::Law law, std::byte code) noexcept;
[[nodiscard]] std::byte from_linear(tdm::Law law, int sample) noexcept;
void to_linear(tdm::Law law, std::span<const std::byte> codes, std::span<std::int16_t> samples);
void from_linear(tdm::Law law, std::span<const std::int16_t> samples, std::span<std::byte> codes);
// Re-encodes one law into the other (PCMU on RTP over an A-law E1, say).
[[nodiscard]] std::byte transcode(tdm::Law from, tdm::Law to, std::byte code) noexcept;

struct ToneSpec {
  int frequency1 = 425;  // Hz
  int frequency2 = 0;    // Hz, 0 for a single tone
  int level_dbm0 = -10;
  int on_ms = 1000;  // cadence; off_ms 0 means continuous
  int off_ms = 0;
};

// A continuous or cadenced tone, encoded block by block in the span's law.
class ToneGenerator {
 public:
  ToneGenerator(tdm::Law law, const ToneSpec& spec);
  ToneGenerator(ToneGenerator&&) noexcept;
  ToneGenerator& operator=(ToneGenerator&&) noexcept;
  ~ToneGenerator();
  void fill(std::span<std::byte> block);

 private:
  struct State;
  tdm::Law law_;
  std::unique_ptr<State> state_;
};

// Power of `frequency` in a block of G.711 (Goertzel), in dBm0; about -10 for
// the default ToneSpec, below -40 for silence.
[[nodiscard]] double tone_level_dbm0(tdm::Law law, std::span<const std::byte> block, int frequency);

// SpanDSP fills its DTMF tables in unguarded statics the first time a DTMF
// generator or detector is made. Call this once, before threads that make
// them start, so that they never race to fill them.
void prepare_dtmf();

// One DTMF digit at a time, held for as long as the caller says (an RFC 4733
// event lasts until its end packet), encoded block by block in the span's law.
class DtmfGenerator {
 public:
  explicit DtmfGenerator(tdm::Law law);
  DtmfGenerator(DtmfGenerator&&) noexcept;
  DtmfGenerator& operator=(DtmfGenerator&&) noexcept;
  ~DtmfGenerator();

  // Starts `digit` (0-9 * # A-D), cutting any digit still playing. False,
  // and nothing plays, for any other character.
  bool start(char digit);
  // Ends the digit once `samples` of it have been played (at once when
  // already past them).
  void stop_after(std::uint32_t samples);
  [[nodiscard]] bool active() const noexcept { return active_; }
  [[nodiscard]] std::uint32_t played() const noexcept { return played_; }
  // The next block of the digit, idle code after it ends part-way. False, and
  // the block untouched, when no digit is playing.
  bool fill(std::span<std::byte> block);

 private:
  struct State;
  tdm::Law law_;
  std::unique_ptr<State> state_;
  bool active_ = false;
  std::uint32_t played_ = 0;
  std::uint32_t limit_ = 0;
};

// DTMF in G.711 audio. Each block fed reports the changes it saw: a digit's
// character when the digit starts, '\0' when it ends.
class DtmfDetector {
 public:
  explicit DtmfDetector(tdm::Law law);
  DtmfDetector(DtmfDetector&&) noexcept;
  DtmfDetector& operator=(DtmfDetector&&) noexcept;
  ~DtmfDetector();

  [[nodiscard]] std::string feed(std::span<const std::byte> block);

 private:
  struct State;
  tdm::Law law_;
  std::unique_ptr<State> state_;
};

// Packet loss concealment on linear audio: what arrived is kept as history
// (and smoothed when it follows a gap), a gap is filled from the history's
// pitch, fading to silence as the gap grows.
class LossConcealer {
 public:
  LossConcealer();
  LossConcealer(LossConcealer&&) noexcept;
  LossConcealer& operator=(LossConcealer&&) noexcept;
  ~LossConcealer();

  void received(std::span<std::int16_t> samples);
  void conceal(std::span<std::int16_t> samples);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace gw::dsp
