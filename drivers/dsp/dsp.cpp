#include "drivers/dsp/dsp.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>
#include <string_view>
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

void prepare_dtmf() {
  // Making and dropping one of each fills SpanDSP's static tables.
  dtmf_tx_free(dtmf_tx_init(nullptr));
  dtmf_rx_free(dtmf_rx_init(nullptr, nullptr, nullptr));
}

namespace {

// A digit lasts until stop_after(); SpanDSP needs a finite "on" time, so give
// it more than any RFC 4733 event lasts (their duration field tops out at 8 s).
constexpr int kDtmfOnMs = 10'000;
constexpr std::uint32_t kDtmfMaxSamples = kDtmfOnMs * 8;

bool is_dtmf_digit(char digit) {
  const std::string_view digits = "0123456789*#ABCD";
  return digits.find(digit) != std::string_view::npos;
}

}  // namespace

struct DtmfGenerator::State {
  dtmf_tx_state_t* tx = nullptr;
  std::vector<std::int16_t> samples;
  ~State() {
    if (tx != nullptr) dtmf_tx_free(tx);
  }
};

DtmfGenerator::DtmfGenerator(tdm::Law law) : law_(law), state_(std::make_unique<State>()) {
  state_->tx = dtmf_tx_init(nullptr);
  if (state_->tx == nullptr) throw std::runtime_error("dsp: dtmf generator");
}

DtmfGenerator::DtmfGenerator(DtmfGenerator&&) noexcept = default;
DtmfGenerator& DtmfGenerator::operator=(DtmfGenerator&&) noexcept = default;
DtmfGenerator::~DtmfGenerator() = default;

bool DtmfGenerator::start(char digit) {
  active_ = false;
  if (!is_dtmf_digit(digit)) return false;
  // Re-initialising in place drops whatever digit was still queued or playing.
  (void)dtmf_tx_init(state_->tx);
  dtmf_tx_set_timing(state_->tx, kDtmfOnMs, 0);
  // Despite its header, 0.0.6 returns the number of digits it could NOT queue.
  if (dtmf_tx_put(state_->tx, &digit, 1) != 0) return false;
  active_ = true;
  played_ = 0;
  limit_ = kDtmfMaxSamples;
  return true;
}

void DtmfGenerator::stop_after(std::uint32_t samples) {
  limit_ = std::min(samples, kDtmfMaxSamples);
  if (played_ >= limit_) active_ = false;
}

bool DtmfGenerator::fill(std::span<std::byte> block) {
  if (!active_) return false;
  auto& samples = state_->samples;
  samples.assign(block.size(), 0);
  const auto wanted = std::min<std::size_t>(block.size(), limit_ - played_);
  const int made = dtmf_tx(state_->tx, samples.data(), static_cast<int>(wanted));
  played_ += static_cast<std::uint32_t>(wanted);
  if (played_ >= limit_ || made < static_cast<int>(wanted)) active_ = false;
  from_linear(law_, samples, block);
  return true;
}

struct DtmfDetector::State {
  dtmf_rx_state_t* rx = nullptr;
  std::vector<std::int16_t> samples;
  std::string changes;
  ~State() {
    if (rx != nullptr) dtmf_rx_free(rx);
  }
  // SpanDSP's realtime report: the digit's ASCII code at its start, 0 at its end.
  static void on_change(void* user, int code, int /*level*/, int /*delay*/) {
    static_cast<State*>(user)->changes.push_back(static_cast<char>(code));
  }
};

DtmfDetector::DtmfDetector(tdm::Law law) : law_(law), state_(std::make_unique<State>()) {
  state_->rx = dtmf_rx_init(nullptr, nullptr, nullptr);
  if (state_->rx == nullptr) throw std::runtime_error("dsp: dtmf detector");
  dtmf_rx_set_realtime_callback(state_->rx, &State::on_change, state_.get());
}

DtmfDetector::DtmfDetector(DtmfDetector&&) noexcept = default;
DtmfDetector& DtmfDetector::operator=(DtmfDetector&&) noexcept = default;
DtmfDetector::~DtmfDetector() = default;

std::string DtmfDetector::feed(std::span<const std::byte> block) {
  state_->changes.clear();
  state_->samples.resize(block.size());
  to_linear(law_, block, state_->samples);
  dtmf_rx(state_->rx, state_->samples.data(), static_cast<int>(block.size()));
  return state_->changes;
}

// SpanDSP's plc_fillin() normalises its history ring with a memcpy whose
// ranges overlap whenever the ring's write position is under half its length
// (libspandsp 0.0.6). Glibc happens to copy such ranges correctly, but it is
// undefined behaviour and AddressSanitizer aborts on it. A history of exactly
// PLC_HISTORY_LEN samples handed to plc_rx() resets that position to zero, so
// we keep our own copy of the last PLC_HISTORY_LEN samples and replay it just
// before the first concealed frame: the normalisation then has nothing to move.
struct LossConcealer::State {
  plc_state_t* plc = nullptr;
  std::array<std::int16_t, PLC_HISTORY_LEN> history{};
  bool concealing = false;

  void remember(std::span<const std::int16_t> samples) {
    const auto keep = std::min(samples.size(), history.size());
    std::shift_left(history.begin(), history.end(), static_cast<std::ptrdiff_t>(keep));
    std::copy(samples.end() - static_cast<std::ptrdiff_t>(keep), samples.end(),
              history.end() - static_cast<std::ptrdiff_t>(keep));
  }

  ~State() {
    if (plc != nullptr) plc_free(plc);
  }
};

LossConcealer::LossConcealer() : state_(std::make_unique<State>()) {
  state_->plc = plc_init(nullptr);
  if (state_->plc == nullptr) throw std::runtime_error("dsp: loss concealer");
}

LossConcealer::LossConcealer(LossConcealer&&) noexcept = default;
LossConcealer& LossConcealer::operator=(LossConcealer&&) noexcept = default;
LossConcealer::~LossConcealer() = default;

void LossConcealer::received(std::span<std::int16_t> samples) {
  plc_rx(state_->plc, samples.data(), static_cast<int>(samples.size()));
  state_->remember(samples);
  state_->concealing = false;
}

void LossConcealer::conceal(std::span<std::int16_t> samples) {
  if (!state_->concealing) {
    auto replay = state_->history;
    plc_rx(state_->plc, replay.data(), static_cast<int>(replay.size()));
    state_->concealing = true;
  }
  plc_fillin(state_->plc, samples.data(), static_cast<int>(samples.size()));
  state_->remember(samples);
}

}  // namespace gw::dsp
