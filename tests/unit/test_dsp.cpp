// SpanDSP's DTMF and packet loss concealment through the project's wrappers,
// and the tones and G.711 laws around them.

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdlib>
#include <numbers>
#include <string>
#include <vector>

#include "drivers/dsp/dsp.hpp"

namespace gw::dsp {
namespace {

class DtmfThroughG711 : public testing::TestWithParam<tdm::Law> {};

TEST_P(DtmfThroughG711, AGeneratedDigitIsDetectedWithItsStartAndEnd) {
  prepare_dtmf();
  DtmfGenerator generator(GetParam());
  DtmfDetector detector(GetParam());
  std::string seen;
  for (const char digit : std::string("5#")) {
    ASSERT_TRUE(generator.start(digit));
    generator.stop_after(100 * 8);
    for (int block = 0; block < 12; ++block) {
      std::array<std::byte, 160> audio{};
      audio.fill(tdm::idle_code(GetParam()));
      (void)generator.fill(audio);
      seen += detector.feed(audio);
    }
    EXPECT_FALSE(generator.active());
  }
  EXPECT_EQ(seen, std::string("5\0#\0", 4));
  EXPECT_FALSE(generator.start('x'));
}

INSTANTIATE_TEST_SUITE_P(Laws, DtmfThroughG711, testing::Values(tdm::Law::alaw, tdm::Law::mulaw));

constexpr std::size_t frame_samples = 160;
using Frame = std::array<std::int16_t, frame_samples>;

// A 500 Hz tone, continuous across frames, so a concealed frame has a known
// continuation to be compared with.
Frame tone_frame(std::size_t index) {
  Frame frame{};
  for (std::size_t i = 0; i < frame.size(); ++i) {
    const double t = static_cast<double>(index * frame_samples + i) / 8000.0;
    frame[i] = static_cast<std::int16_t>(8000.0 * std::sin(2.0 * std::numbers::pi * 500.0 * t));
  }
  return frame;
}

double rms(const Frame& frame) {
  double sum = 0;
  for (const auto sample : frame) sum += static_cast<double>(sample) * sample;
  return std::sqrt(sum / static_cast<double>(frame.size()));
}

double rms_difference(const Frame& a, const Frame& b) {
  double sum = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const double d = static_cast<double>(a[i]) - b[i];
    sum += d * d;
  }
  return std::sqrt(sum / static_cast<double>(a.size()));
}

// Every count of received frames before a loss leaves SpanDSP's history ring
// at another position; some of those used to make plc_fillin() copy between
// overlapping ranges, which AddressSanitizer reports.
class LossAfterReceivedFrames : public testing::TestWithParam<std::size_t> {};

TEST_P(LossAfterReceivedFrames, TheLostFrameContinuesTheTone) {
  LossConcealer concealer;
  std::size_t index = 0;
  for (; index < GetParam(); ++index) {
    auto frame = tone_frame(index);
    concealer.received(frame);
  }
  Frame concealed{};
  concealer.conceal(concealed);
  const Frame expected = tone_frame(index);
  EXPECT_GT(rms(concealed), 0.5 * rms(expected));
  EXPECT_LT(rms_difference(concealed, expected), 0.5 * rms(expected));
}

INSTANTIATE_TEST_SUITE_P(Counts, LossAfterReceivedFrames, testing::Range<std::size_t>(2, 9));

TEST(LossConcealer, AlternatingLossAndRecoveryKeepsTheToneGoing) {
  LossConcealer concealer;
  for (std::size_t index = 0; index < 40; ++index) {
    auto frame = tone_frame(index);
    if (index >= 4 && index % 3 == 0) {
      Frame concealed{};
      concealer.conceal(concealed);
      EXPECT_GT(rms(concealed), 0.5 * rms(frame)) << "frame " << index;
    } else {
      concealer.received(frame);
    }
  }
}

TEST(LossConcealer, ALongLossFadesToSilence) {
  LossConcealer concealer;
  for (std::size_t index = 0; index < 4; ++index) {
    auto frame = tone_frame(index);
    concealer.received(frame);
  }
  Frame concealed{};
  for (int lost = 0; lost < 10; ++lost) concealer.conceal(concealed);
  EXPECT_EQ(rms(concealed), 0.0);
}

TEST(Dsp, ToneIsMeasuredAtItsFrequencyAndLevel) {
  for (const auto law : {tdm::Law::alaw, tdm::Law::mulaw}) {
    dsp::ToneGenerator tone(law, dsp::ToneSpec{425, 0, -10, 1000, 0});
    std::vector<std::byte> block(1600);
    tone.fill(block);
    const double level = dsp::tone_level_dbm0(law, block, 425);
    EXPECT_NEAR(level, -10.0, 2.0);
    EXPECT_LT(dsp::tone_level_dbm0(law, block, 1000), -40.0);
  }
}

TEST(Dsp, LawsTranscodeThroughLinear) {
  for (int sample : {0, 100, -100, 4000, -4000, 30000}) {
    const auto a = dsp::from_linear(tdm::Law::alaw, sample);
    const auto u = dsp::transcode(tdm::Law::alaw, tdm::Law::mulaw, a);
    EXPECT_NEAR(dsp::to_linear(tdm::Law::mulaw, u), dsp::to_linear(tdm::Law::alaw, a),
                std::abs(sample) / 16.0 + 16.0);
  }
}

}  // namespace
}  // namespace gw::dsp
