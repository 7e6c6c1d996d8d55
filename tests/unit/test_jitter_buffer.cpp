// The jitter buffer places audio by RTP timestamp and plays it out one 20 ms
// frame at a time: in order, reordered, lost, duplicated, late, 10 and 30 ms
// packets, a new SSRC, wrapping timestamps, overflow and a stopped stream.

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "gateway/media/jitter_buffer.hpp"

namespace gw::media {
namespace {

using Frame = JitterBuffer::Frame;
using Push = JitterBuffer::Push;
constexpr std::uint32_t kFrame = JitterBuffer::kFrameSamples;
constexpr std::byte kSilence{0xFF};

// Audio whose every sample says which timestamp it belongs to (never the
// silence code), so that what plays out can be checked sample by sample.
std::byte code_at(std::uint32_t timestamp) {
  return static_cast<std::byte>(timestamp % 251);
}

std::vector<std::byte> audio(std::uint32_t timestamp, std::uint32_t samples) {
  std::vector<std::byte> out;
  out.reserve(samples);
  for (std::uint32_t i = 0; i < samples; ++i) out.push_back(code_at(timestamp + i));
  return out;
}

// One side of a call in miniature: packets pushed, frames popped, and a
// record of what played.
struct Player {
  JitterBuffer buffer{JitterConfig{40, 200, kSilence}};
  std::vector<Frame> kinds;
  std::vector<std::byte> played;

  Push push(std::uint32_t timestamp, std::uint32_t samples, std::uint32_t ssrc = 7,
            bool marker = false) {
    return buffer.push(ssrc, timestamp, marker, audio(timestamp, samples));
  }
  Frame pop() {
    std::array<std::byte, kFrame> out{};
    const Frame kind = buffer.pop(out);
    kinds.push_back(kind);
    played.insert(played.end(), out.begin(), out.end());
    return kind;
  }
  [[nodiscard]] std::size_t count(Frame kind) const {
    return static_cast<std::size_t>(std::count(kinds.begin(), kinds.end(), kind));
  }
  // The frame `index` holds the audio of timestamps [start, start + 160).
  [[nodiscard]] bool frame_is(std::size_t index, std::uint32_t start) const {
    for (std::uint32_t i = 0; i < kFrame; ++i) {
      if (played.at(index * kFrame + i) != code_at(start + i)) return false;
    }
    return true;
  }
  // Every frame from the third on (the first two are the playout delay) is
  // audio, in timestamp order from `first`.
  [[nodiscard]] ::testing::AssertionResult audio_in_order_from(std::uint32_t first) const {
    for (std::size_t j = 2; j < kinds.size(); ++j) {
      if (kinds[j] != Frame::audio) return ::testing::AssertionFailure() << "frame " << j;
      if (!frame_is(j, first + static_cast<std::uint32_t>(j - 2) * kFrame)) {
        return ::testing::AssertionFailure() << "frame " << j << " is not the next audio";
      }
    }
    return ::testing::AssertionSuccess();
  }
};

constexpr std::uint32_t kStart = 1000;

TEST(JitterBuffer, InOrderPacketsPlayAfterTheTargetDelay) {
  Player player;
  EXPECT_EQ(player.pop(), Frame::idle) << "nothing before the first packet";
  for (std::uint32_t k = 0; k < 50; ++k) {
    EXPECT_NE(player.push(kStart + k * kFrame, kFrame), Push::late);
    player.pop();
  }
  // 40 ms target: two frames of delay after the first packet, then its audio.
  EXPECT_EQ(player.kinds.at(1), Frame::idle);
  EXPECT_EQ(player.kinds.at(2), Frame::idle);
  for (std::size_t j = 3; j < player.kinds.size(); ++j) {
    ASSERT_EQ(player.kinds[j], Frame::audio) << "frame " << j;
    EXPECT_TRUE(player.frame_is(j, kStart + static_cast<std::uint32_t>(j - 3) * kFrame));
  }
  EXPECT_EQ(player.buffer.counters().concealed, 0U);
  EXPECT_EQ(player.buffer.counters().late, 0U);
  EXPECT_EQ(player.buffer.counters().resyncs, 1U);
}

TEST(JitterBuffer, ReorderedPacketsPlayInTimestampOrder) {
  Player player;
  player.push(kStart, kFrame);
  for (std::uint32_t k = 1; k + 1 < 40; k += 2) {
    player.push(kStart + (k + 1) * kFrame, kFrame);  // the later one first
    player.pop();
    player.push(kStart + k * kFrame, kFrame);
    player.pop();
  }
  EXPECT_TRUE(player.audio_in_order_from(kStart));
  EXPECT_EQ(player.buffer.counters().concealed, 0U);
}

TEST(JitterBuffer, ALostPacketIsOneMissingFrame) {
  Player player;
  for (std::uint32_t k = 0; k < 30; ++k) {
    if (k != 10) player.push(kStart + k * kFrame, kFrame);
    player.pop();
  }
  EXPECT_EQ(player.kinds.at(12), Frame::missing);
  EXPECT_EQ(player.count(Frame::missing), 1U);
  EXPECT_EQ(player.buffer.counters().concealed, 1U);
  EXPECT_TRUE(player.frame_is(13, kStart + 11 * kFrame)) << "the audio after the gap is in place";
}

TEST(JitterBuffer, DuplicatesAreRecognisedAndPlayOnce) {
  Player player;
  for (std::uint32_t k = 0; k < 20; ++k) {
    player.push(kStart + k * kFrame, kFrame);
    if (k > 0) {
      EXPECT_EQ(player.push(kStart + k * kFrame, kFrame), Push::duplicate);
    }
    player.pop();
  }
  for (std::size_t j = 2; j < player.kinds.size(); ++j) {
    EXPECT_TRUE(player.frame_is(j, kStart + static_cast<std::uint32_t>(j - 2) * kFrame));
  }
  EXPECT_EQ(player.buffer.counters().concealed, 0U);
}

TEST(JitterBuffer, APacketBehindThePlayoutPointIsDroppedAsLate) {
  Player player;
  for (std::uint32_t k = 0; k < 30; ++k) {
    if (k != 5) player.push(kStart + k * kFrame, kFrame);
    if (k == 10) {
      EXPECT_EQ(player.push(kStart + 5 * kFrame, kFrame), Push::late);
    }
    player.pop();
  }
  EXPECT_EQ(player.buffer.counters().late, 1U);
  EXPECT_EQ(player.count(Frame::missing), 1U) << "its frame was concealed instead";
  EXPECT_EQ(player.buffer.counters().resyncs, 1U) << "one late packet does not resync";
}

TEST(JitterBuffer, TenMillisecondPacketsMakeWholeFrames) {
  Player player;
  for (std::uint32_t k = 0; k < 60; k += 2) {
    player.push(kStart + k * 80, 80);
    player.push(kStart + (k + 1) * 80, 80);
    player.pop();
  }
  EXPECT_TRUE(player.audio_in_order_from(kStart));
}

TEST(JitterBuffer, ALostTenMillisecondPacketLeavesAPartialFrame) {
  Player player;
  for (std::uint32_t k = 0; k < 20; k += 2) {
    player.push(kStart + k * 80, 80);
    if (k != 8) player.push(kStart + (k + 1) * 80, 80);
    player.pop();
  }
  EXPECT_EQ(player.kinds.at(6), Frame::partial);
  EXPECT_EQ(player.played.at(6 * kFrame + 100), kSilence) << "the lost half is silence";
  EXPECT_EQ(player.played.at(6 * kFrame + 10), code_at(kStart + 4 * kFrame + 10));
}

TEST(JitterBuffer, ThirtyMillisecondPacketsPlayContinuously) {
  Player player;
  // A packet every 30 ms, a frame every 20 ms, on one timeline in ms.
  std::uint32_t next_packet = 0;
  for (int now = 0; now < 1200; now += 10) {
    if (now % 30 == 0) {
      player.push(kStart + next_packet * 240, 240);
      ++next_packet;
    }
    if (now % 20 == 0) player.pop();
  }
  ASSERT_GT(player.kinds.size(), 10U);
  EXPECT_TRUE(player.audio_in_order_from(kStart));
  EXPECT_EQ(player.buffer.counters().concealed, 0U);
}

TEST(JitterBuffer, ANewSsrcStartsANewStream) {
  Player player;
  for (std::uint32_t k = 0; k < 10; ++k) {
    player.push(kStart + k * kFrame, kFrame);
    player.pop();
  }
  constexpr std::uint32_t kOther = 900'000;
  EXPECT_EQ(player.push(kOther, kFrame, 8), Push::resynced);
  const std::size_t first = player.kinds.size();
  player.pop();
  for (std::uint32_t k = 1; k < 10; ++k) {
    EXPECT_EQ(player.push(kOther + k * kFrame, kFrame, 8), Push::accepted);
    player.pop();
  }
  EXPECT_EQ(player.kinds.at(first), Frame::idle) << "the new stream's playout delay";
  EXPECT_TRUE(player.frame_is(first + 2, kOther));
  EXPECT_TRUE(player.frame_is(first + 9, kOther + 7 * kFrame));
  EXPECT_EQ(player.buffer.counters().resyncs, 2U);
  EXPECT_EQ(player.buffer.counters().late, 0U);
}

TEST(JitterBuffer, TimestampsWrapAroundWithoutAHitch) {
  Player player;
  const std::uint32_t start = 0xFFFFFFFFU - 5 * kFrame + 1;
  for (std::uint32_t k = 0; k < 20; ++k) {
    EXPECT_NE(player.push(start + k * kFrame, kFrame), Push::late);
    player.pop();
  }
  EXPECT_TRUE(player.audio_in_order_from(start));
  EXPECT_EQ(player.buffer.counters().resyncs, 1U);
}

TEST(JitterBuffer, ABigTimestampJumpResyncs) {
  Player player;
  for (std::uint32_t k = 0; k < 5; ++k) {
    player.push(kStart + k * kFrame, kFrame);
    player.pop();
  }
  EXPECT_EQ(player.push(kStart + 100'000, kFrame), Push::resynced);
  EXPECT_EQ(player.push(kStart - 100'000, kFrame), Push::resynced) << "backwards too";
  EXPECT_EQ(player.buffer.counters().overflows, 0U);
}

TEST(JitterBuffer, ABurstBeyondTheMaximumMovesThePlayoutPointForward) {
  Player player;
  player.push(kStart, kFrame);
  player.pop();
  for (std::uint32_t k = 1; k < 30; ++k)
    player.push(kStart + k * kFrame, kFrame);  // 600 ms at once
  EXPECT_GE(player.buffer.counters().overflows, 1U);
  EXPECT_LE(player.buffer.buffered(), 200U * 8U) << "never more than the maximum delay";
  EXPECT_EQ(player.pop(), Frame::audio);
  EXPECT_EQ(player.buffer.counters().late, 0U);
}

TEST(JitterBuffer, LateAudioInARowMovesThePlayoutPointBack) {
  Player player;
  for (std::uint32_t k = 0; k < 5; ++k) {
    player.push(kStart + k * kFrame, kFrame);
    player.pop();
  }
  // The path got 200 ms longer: ten frames go by, then the audio comes on.
  for (int j = 0; j < 10; ++j) player.pop();
  std::vector<Push> results;
  results.reserve(5);
  for (std::uint32_t k = 5; k < 10; ++k)
    results.push_back(player.push(kStart + k * kFrame, kFrame));
  EXPECT_EQ(results.at(0), Push::late);
  EXPECT_EQ(results.at(1), Push::late);
  EXPECT_EQ(results.at(2), Push::resynced);
  EXPECT_EQ(results.at(3), Push::accepted);
  EXPECT_EQ(player.buffer.counters().late, 3U);
}

TEST(JitterBuffer, AStoppedStreamFallsIdleAndAMarkerRestartsIt) {
  Player player;
  for (std::uint32_t k = 0; k < 5; ++k) {
    player.push(kStart + k * kFrame, kFrame);
    player.pop();
  }
  for (int j = 0; j < 40; ++j) player.pop();  // the peer holds: 800 ms of nothing
  EXPECT_FALSE(player.buffer.playing());
  EXPECT_LE(player.buffer.counters().concealed, 200U / 20U + 1U)
      << "concealment stops once the gap outlasts the buffer";
  EXPECT_EQ(player.pop(), Frame::idle);
  const std::uint32_t resumed = kStart + 60 * kFrame;
  EXPECT_EQ(player.push(resumed, kFrame, 7, true), Push::resynced);
  player.pop();
  player.pop();
  EXPECT_EQ(player.pop(), Frame::audio);
  EXPECT_TRUE(player.frame_is(player.kinds.size() - 1, resumed));
}

TEST(JitterBuffer, EmptyAndOversizedPacketsAreRefused) {
  Player player;
  EXPECT_EQ(player.buffer.push(1, 0, false, {}), Push::refused);
  const std::vector<std::byte> huge(JitterBuffer::kMaxPacketSamples + 1, std::byte{1});
  EXPECT_EQ(player.buffer.push(1, 0, false, huge), Push::refused);
  EXPECT_FALSE(player.buffer.playing());
}

}  // namespace
}  // namespace gw::media
