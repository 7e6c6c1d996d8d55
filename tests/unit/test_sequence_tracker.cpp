// Loss and duplicates counted from a peer's RTP sequence numbers.

#include <gtest/gtest.h>

#include <cstdint>

#include "gateway/media/sequence_tracker.hpp"

namespace gw::media {
namespace {

TEST(SequenceTracker, CountsLossAcrossTheWrap) {
  SequenceTracker tracker;
  for (std::uint32_t s = 65530; s < 65536 + 6; ++s) {
    if (s == 65535 || s == 65537) continue;  // two lost, either side of the wrap
    (void)tracker.track(1, static_cast<std::uint16_t>(s));
  }
  EXPECT_EQ(tracker.received(), 10U);
  EXPECT_EQ(tracker.lost(), 2U);
  // As a report block has it: one cycle, highest 5; 12 expected, 10 came.
  const auto stream = tracker.stream();
  ASSERT_TRUE(stream);
  EXPECT_EQ(stream->ssrc, 1U);
  EXPECT_EQ(stream->extended_highest, 0x00010005U);
  EXPECT_EQ(stream->expected, 12U);
  EXPECT_EQ(stream->received, 10U);
  EXPECT_FALSE(SequenceTracker().stream()) << "nothing before the first packet";
}

TEST(SequenceTracker, DuplicatesAndReorderingAreNotLoss) {
  SequenceTracker tracker;
  EXPECT_EQ(tracker.track(1, 100), SequenceTracker::Verdict::restarted);
  EXPECT_EQ(tracker.track(1, 102), SequenceTracker::Verdict::fresh);
  EXPECT_EQ(tracker.lost(), 1U) << "101 missing, for now";
  EXPECT_EQ(tracker.track(1, 101), SequenceTracker::Verdict::fresh);
  EXPECT_EQ(tracker.track(1, 101), SequenceTracker::Verdict::duplicate);
  EXPECT_EQ(tracker.track(1, 102), SequenceTracker::Verdict::duplicate);
  EXPECT_EQ(tracker.track(1, 99), SequenceTracker::Verdict::fresh) << "before the first one";
  EXPECT_EQ(tracker.received(), 4U);
  EXPECT_EQ(tracker.lost(), 0U);
}

TEST(SequenceTracker, ANewSsrcOrAHugeJumpStartsOverAndKeepsTheLossSoFar) {
  SequenceTracker tracker;
  (void)tracker.track(1, 10);
  (void)tracker.track(1, 13);  // 11 and 12 lost
  EXPECT_EQ(tracker.track(2, 5000), SequenceTracker::Verdict::restarted);
  (void)tracker.track(2, 5001);
  EXPECT_EQ(tracker.lost(), 2U);
  EXPECT_EQ(tracker.track(2, 30000), SequenceTracker::Verdict::restarted);
  EXPECT_EQ(tracker.lost(), 2U) << "a restart is not 25000 lost packets";
}

TEST(SequenceTracker, NothingIsLostBeforeTheFirstPacket) {
  // A call that never got RTP must not be recorded as having lost a packet.
  const SequenceTracker tracker;
  EXPECT_EQ(tracker.received(), 0U);
  EXPECT_EQ(tracker.lost(), 0U);
}

TEST(SequenceTracker, OnePacketIsNoLoss) {
  SequenceTracker tracker;
  (void)tracker.track(7, 0);
  EXPECT_EQ(tracker.received(), 1U);
  EXPECT_EQ(tracker.lost(), 0U);
}

}  // namespace
}  // namespace gw::media
