// The loopback line's own pieces: the D-channel's FCS and the messages two
// spans exchange over their socket.

#include <gtest/gtest.h>

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "drivers/loopback/fcs.hpp"
#include "drivers/loopback/wire.hpp"
#include "drivers/tdm/layout.hpp"

namespace gw::tdm {
namespace {

TEST(Fcs, MatchesTheX25CheckValue) {
  // CRC-16/X.25 of "123456789" is 0x906E (the catalogue's check value).
  const std::string text = "123456789";
  const auto fcs = loopback::hdlc_fcs(std::as_bytes(std::span(text)));
  EXPECT_EQ(fcs, 0x906E);
}

TEST(Fcs, AppendedFrameValidatesAndACorruptedOneDoesNot) {
  std::vector<std::byte> frame{std::byte{0x02}, std::byte{0x01}, std::byte{0x7F}, std::byte{0},
                               std::byte{0}};
  loopback::fcs_append(frame);
  EXPECT_TRUE(loopback::fcs_valid(frame));
  frame[1] ^= std::byte{0x10};
  EXPECT_FALSE(loopback::fcs_valid(frame));
  EXPECT_FALSE(loopback::fcs_valid(std::span(frame).first(1)));
}

TEST(Wire, TdmFrameRoundTrips) {
  std::vector<std::byte> frame;
  std::vector<std::byte> block(kBlockBytes, std::byte{0x42});
  loopback::wire::begin_tdm(frame, loopback::wire::kFlagRai);
  loopback::wire::add_slot(frame, 5, block);
  loopback::wire::add_slot(frame, 17, block);
  std::vector<int> slots;
  const auto flags = loopback::wire::parse_tdm(frame, [&](const loopback::wire::TdmSlot& slot) {
    slots.push_back(slot.timeslot);
    EXPECT_EQ(slot.block.size(), kBlockBytes);
    EXPECT_EQ(slot.block[0], std::byte{0x42});
  });
  ASSERT_TRUE(flags);
  EXPECT_EQ(*flags, loopback::wire::kFlagRai);
  EXPECT_EQ(slots, (std::vector<int>{5, 17}));
  frame.pop_back();  // a truncated frame is refused whole
  EXPECT_FALSE(loopback::wire::parse_tdm(frame, [](const auto&) {}));
}

TEST(Wire, HelloCarriesTheShape) {
  EXPECT_EQ(loopback::wire::parse_hello(loopback::wire::hello(Shape::t1)), Shape::t1);
  auto bad = loopback::wire::hello(Shape::e1);
  bad[1] = std::byte{99};  // another version
  EXPECT_EQ(loopback::wire::parse_hello(bad), std::nullopt);
}

}  // namespace
}  // namespace gw::tdm
