// RFC 3550's interarrival jitter of a peer's stream: zero for a steady one,
// the deviation it settles at for an uneven one, wrapping timestamps, and a
// restarted or interrupted stream that is not taken for a huge deviation.

#include <gtest/gtest.h>

#include <cstdint>

#include "gateway/media/interarrival_jitter.hpp"

namespace gw::media {
namespace {

using namespace std::chrono_literals;
constexpr std::uint32_t kFrame = 160;  // 20 ms at 8 kHz

TEST(InterarrivalJitter, AStreamArrivingAsItWasTimedHasNone) {
  InterarrivalJitter jitter;
  const auto start = InterarrivalJitter::Clock::now();
  const std::uint32_t first = 0xFFFFFF00U;  // wraps after two packets
  for (std::uint32_t i = 0; i < 100; ++i) jitter.on_packet(first + i * kFrame, start + i * 20ms);
  EXPECT_NEAR(jitter.units(), 0.0, 1e-6);
}

TEST(InterarrivalJitter, OneDeviationMovesItASixteenthOfTheWay) {
  InterarrivalJitter jitter;
  const auto start = InterarrivalJitter::Clock::now();
  jitter.on_packet(0, start);
  jitter.on_packet(kFrame, start + 22ms);  // 2 ms = 16 units late
  EXPECT_NEAR(jitter.units(), 1.0, 1e-6);
  EXPECT_NEAR(jitter.milliseconds(), 0.125, 1e-6);
}

TEST(InterarrivalJitter, PacketsAlternatelyTenMillisecondsLateSettleAtTenMilliseconds) {
  InterarrivalJitter jitter;
  const auto start = InterarrivalJitter::Clock::now();
  for (std::uint32_t i = 0; i < 500; ++i) {
    jitter.on_packet(i * kFrame, start + i * 20ms + (i % 2 == 1 ? 10ms : 0ms));
  }
  EXPECT_NEAR(jitter.milliseconds(), 10.0, 0.01);
}

TEST(InterarrivalJitter, ARestartedStreamStartsFromItsNextPacket) {
  InterarrivalJitter jitter;
  const auto start = InterarrivalJitter::Clock::now();
  jitter.on_packet(1000, start);
  jitter.on_packet(1000 + kFrame, start + 20ms);
  jitter.restart();
  jitter.on_packet(90000000, start + 40ms);  // the new stream's own timestamps
  jitter.on_packet(90000000 + kFrame, start + 60ms);
  EXPECT_NEAR(jitter.units(), 0.0, 1e-6);
}

TEST(InterarrivalJitter, AGapOfMoreThanASecondIsABreakNotJitter) {
  InterarrivalJitter jitter;
  const auto start = InterarrivalJitter::Clock::now();
  jitter.on_packet(0, start);
  jitter.on_packet(kFrame, start + 20ms);
  // Sixty seconds on hold, the peer's timestamps running on by one frame only.
  jitter.on_packet(2 * kFrame, start + 60s);
  jitter.on_packet(3 * kFrame, start + 60s + 20ms);
  EXPECT_NEAR(jitter.units(), 0.0, 1e-6);
}

}  // namespace
}  // namespace gw::media
