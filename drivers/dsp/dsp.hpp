#pragma once
// The project's door to SpanDSP: G.711 companding, tone generation and tone
// measurement. Only this directory includes <spandsp.h>.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

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

}  // namespace gw::dsp
