// Pairing D-channel frames with libpri's decode, as libpri writes it: the
// frame first, then its decode, in pieces that need not be whole lines.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "drivers/isdn/frame_decode.hpp"

namespace gw::isdn {
namespace {

// SAPI 0 TEI 0 I-frame carrying a Q.931 message with call reference 1.
std::vector<std::byte> q931_frame(std::uint8_t message_type) {
  std::vector<std::byte> frame;
  for (const int octet : {0x00, 0x01, 0x00, 0x00, 0x08, 0x02, 0x00, 0x01}) {
    frame.push_back(static_cast<std::byte>(octet));
  }
  frame.push_back(static_cast<std::byte>(message_type));
  return frame;
}
const std::vector<std::byte> kReceiveReady{std::byte{0x00}, std::byte{0x01}, std::byte{0x01},
                                           std::byte{0x02}};

struct Joined {
  std::vector<DChannelFrame> frames;
  FrameDecodeJoiner joiner{[this](const DChannelFrame& frame) { frames.push_back(frame); }};
};

TEST(FrameDecode, TheLinesAfterAFrameAreItsDecodeAndAQ921FrameTakesNone) {
  Joined joined;
  joined.joiner.frame(false, q931_frame(0x05));
  EXPECT_TRUE(joined.joiner.text("\n"));
  EXPECT_TRUE(joined.joiner.text("< Message Type: SETUP (5)\n"));
  joined.joiner.frame(true, kReceiveReady);  // libpri acknowledges it meanwhile
  EXPECT_TRUE(joined.joiner.text("< ["));
  EXPECT_TRUE(joined.joiner.text("a1"));  // a line in pieces
  EXPECT_TRUE(joined.joiner.text("]\n"));
  EXPECT_TRUE(joined.frames.empty()) << "held until libpri has returned";
  joined.joiner.flush();
  ASSERT_EQ(joined.frames.size(), 2U);
  EXPECT_EQ(joined.frames[0].decoded, "Message Type: SETUP (5)\n[a1]");
  EXPECT_FALSE(joined.frames[0].sent);
  EXPECT_EQ(joined.frames[1].decoded, "");
  EXPECT_TRUE(joined.frames[1].sent);
  joined.joiner.flush();
  EXPECT_EQ(joined.frames.size(), 2U) << "a flush gives each frame out once";
}

TEST(FrameDecode, TheNoteOfAMessageToQueueIsNoFramesDecode) {
  Joined joined;
  joined.joiner.frame(false, q931_frame(0x07));
  EXPECT_TRUE(joined.joiner.text("< Message Type: CONNECT (7)\n"));
  // libpri answers it: first its note of the message it queues...
  EXPECT_TRUE(joined.joiner.text("\n"));
  EXPECT_TRUE(joined.joiner.text("> DL-DATA request\n"));
  EXPECT_TRUE(joined.joiner.text("> Message Type: CONNECT ACKNOWLEDGE (15)\n"));
  // ...then the frame, then its decode.
  joined.joiner.frame(true, q931_frame(0x0f));
  EXPECT_TRUE(joined.joiner.text("> Message Type: CONNECT ACKNOWLEDGE (15)\n"));
  EXPECT_TRUE(joined.joiner.text("> [18 03 a9 83 81]\n"));
  joined.joiner.flush();
  ASSERT_EQ(joined.frames.size(), 2U);
  EXPECT_EQ(joined.frames[0].decoded, "Message Type: CONNECT (7)");
  EXPECT_EQ(joined.frames[1].decoded, "Message Type: CONNECT ACKNOWLEDGE (15)\n[18 03 a9 83 81]");
}

TEST(FrameDecode, ErrorsAndStateLinesAreForTheLog) {
  Joined joined;
  joined.joiner.frame(false, q931_frame(0x45));
  EXPECT_TRUE(joined.joiner.text("< Message Type: DISCONNECT (69)\n"));
  EXPECT_FALSE(joined.joiner.text("-- Processing IE 8 (cs0, Cause)\n"));
  EXPECT_FALSE(joined.joiner.text("!! Unknown IE "));
  EXPECT_FALSE(joined.joiner.text("99\n")) << "the rest of the error's line";
  EXPECT_TRUE(joined.joiner.text("<                  Ext: 1  Cause: User busy (17)\n"));
  joined.joiner.flush();
  ASSERT_EQ(joined.frames.size(), 1U);
  EXPECT_EQ(joined.frames[0].decoded,
            "Message Type: DISCONNECT (69)\n                 Ext: 1  Cause: User busy (17)");
}

TEST(FrameDecode, WithoutAFrameADecodeIsDroppedNotLogged) {
  Joined joined;
  EXPECT_TRUE(joined.joiner.text("< Message Type: STATUS (125)\n"));
  joined.joiner.flush();
  EXPECT_TRUE(joined.frames.empty());
}

}  // namespace
}  // namespace gw::isdn
