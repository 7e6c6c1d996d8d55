#include "drivers/dsp/dsp.hpp"

#include <cmath>
#include <stdexcept>
#include <vector>

extern "C" {
#include <spandsp.h>
}

namespace gw::dsp {

std::int16_t to_linear(tdm::Law law, std::byte code) noexcept {
  const auto value = std::to_integer<std::uint8_t>(code);
  return law == tdm::Law::alaw ? alaw_to_linear(value) : ulaw_to_linear(value);
}

std::byte from_linear(tdm::Law law, int sample) noexcept {
  return static_cast<std::byte>(law == tdm::Law::alaw ? linear_to_alaw(sample)
                                                      : linear_to_ulaw(sample));
}

void to_linear(tdm::Law law, std::span<const std::byte> codes, std::span<std::int16_t> samples) {
  const std::size_t n = std::min(codes.size(), samples.size());
  for (std::size_t i = 0; i < n; ++i) samples[i] = to_linear(law, codes[i]);
}

void from_linear(tdm::Law law, std::span<const std::int16_t> samples, std::span<std::byte> codes) {
  const std::size_t n = std::min(codes.size(), samples.size());
  for (std::size_t i = 0; i < n; ++i) codes[i] = from_linear(law, samples[i]);
}

std::byte transcode(tdm::Law from, tdm::Law to, std::byte code) noexcept {
  if (from == to) return code;
  const auto value = std::to_integer<std::uint8_t>(code);
  return static_cast<std::byte>(from == tdm::Law::alaw ? alaw_to_ulaw(value) : ulaw_to_alaw(value));
}

struct ToneGenerator::State {
  tone_gen_descriptor_t* descriptor = nullptr;
  tone_gen_state_t* generator = nullptr;
  std::vector<std::int16_t> samples;
  ~State() {
    if (generator != nullptr) tone_gen_free(generator);
    if (descriptor != nullptr) tone_gen_descriptor_free(descriptor);
  }
};

ToneGenerator::ToneGenerator(tdm::Law law, const ToneSpec& spec)
    : law_(law), state_(std::make_unique<State>()) {
  // A continuous tone is one long "on" period repeated.
  const int off = spec.off_ms;
  const int on = off == 0 ? 60'000 : spec.on_ms;
  state_->descriptor =
      tone_gen_descriptor_init(nullptr, spec.frequency1, spec.level_dbm0, spec.frequency2,
                               spec.frequency2 == 0 ? 0 : spec.level_dbm0, on, off, 0, 0, 1);
  if (state_->descriptor == nullptr) throw std::runtime_error("dsp: tone descriptor");
  state_->generator = tone_gen_init(nullptr, state_->descriptor);
  if (state_->generator == nullptr) throw std::runtime_error("dsp: tone generator");
}

ToneGenerator::ToneGenerator(ToneGenerator&&) noexcept = default;
ToneGenerator& ToneGenerator::operator=(ToneGenerator&&) noexcept = default;
ToneGenerator::~ToneGenerator() = default;

void ToneGenerator::fill(std::span<std::byte> block) {
  state_->samples.assign(block.size(), 0);
  tone_gen(state_->generator, state_->samples.data(), static_cast<int>(block.size()));
  from_linear(law_, state_->samples, block);
}

double tone_level_dbm0(tdm::Law law, std::span<const std::byte> block, int frequency) {
  goertzel_descriptor_t descriptor{};
  make_goertzel_descriptor(&descriptor, static_cast<float>(frequency),
                           static_cast<int>(block.size()));
  goertzel_state_t state{};
  goertzel_init(&state, &descriptor);
  std::vector<std::int16_t> samples(block.size());
  to_linear(law, block, samples);
  goertzel_update(&state, samples.data(), static_cast<int>(samples.size()));
  const float power = goertzel_result(&state);
  // For a sine of amplitude A over N samples goertzel_result() gives
  // 2 (N A / 2)^2 (measured against synthetic sines); a full-scale sine,
  // A = 32767, is +3.14 dBm0 (G.711).
  const double n = static_cast<double>(block.size());
  const double full_scale = 2.0 * (n * 32767.0 / 2.0) * (n * 32767.0 / 2.0);
  const double relative = std::max(static_cast<double>(power), 1e-12) / full_scale;
  return 10.0 * std::log10(relative) + 3.14;
}

}  // namespace gw::dsp
