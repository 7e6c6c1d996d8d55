#include <gtest/gtest.h>

#include "drivers/loopback/fcs.hpp"
#include "drivers/loopback/wire.hpp"
#include "drivers/tdm/alarm.hpp"
#include "drivers/tdm/layout.hpp"
#include "drivers/tdm/registry.hpp"

namespace gw::tdm {
namespace {

TEST(Layout, E1HasThirtyBearersAndTheDChannelOnSixteen) {
  const Layout e1(Shape::e1);
  EXPECT_EQ(e1.timeslots(), 31);
  EXPECT_EQ(e1.d_timeslot(), 16);
  EXPECT_EQ(e1.bearers().size(), 30U);
  EXPECT_FALSE(e1.is_bearer(16));
  EXPECT_TRUE(e1.is_bearer(15));
  EXPECT_TRUE(e1.is_bearer(17));
  EXPECT_TRUE(e1.is_bearer(31));
  EXPECT_FALSE(e1.is_bearer(0));
  EXPECT_FALSE(e1.is_bearer(32));
  EXPECT_EQ(e1.default_law(), Law::alaw);
}

TEST(Layout, T1HasTwentyThreeBearersAndTheDChannelOnTwentyFour) {
  const Layout t1(Shape::t1);
  EXPECT_EQ(t1.timeslots(), 24);
  EXPECT_EQ(t1.d_timeslot(), 24);
  EXPECT_EQ(t1.bearers().size(), 23U);
  EXPECT_EQ(t1.bearers().back(), 23);
  EXPECT_FALSE(t1.is_bearer(24));
  EXPECT_EQ(t1.default_law(), Law::mulaw);
}

TEST(Layout, IdleCodesArePositiveZero) {
  EXPECT_EQ(idle_code(Law::mulaw), std::byte{0xFF});
  EXPECT_EQ(idle_code(Law::alaw), std::byte{0xD5});
}

TEST(Layout, ParsesNames) {
  EXPECT_EQ(parse_shape("T1"), Shape::t1);
  EXPECT_EQ(parse_shape("j1"), std::nullopt);
  EXPECT_EQ(parse_law("pcmu"), Law::mulaw);
  EXPECT_EQ(parse_law("alaw"), Law::alaw);
  EXPECT_EQ(parse_law("g729"), std::nullopt);
}

TEST(AlarmSet, SetsClearsAndNamesAlarms) {
  AlarmSet alarms;
  EXPECT_TRUE(alarms.clear());
  EXPECT_EQ(alarms.to_string(), "OK");
  alarms.set(Alarm::red, true);
  alarms.set(Alarm::dchannel_down, true);
  EXPECT_TRUE(alarms.line_down());
  EXPECT_EQ(alarms.to_string(), "RED,DCHAN-DOWN");
  alarms.set(Alarm::red, false);
  EXPECT_FALSE(alarms.line_down());
  EXPECT_EQ(alarms.to_string(), "DCHAN-DOWN");
  alarms.set(Alarm::blue, true);
  EXPECT_TRUE(alarms.line_down());
  alarms.set(Alarm::yellow, true);
  EXPECT_EQ(alarms.to_string(), "YELLOW,BLUE,DCHAN-DOWN");
}

TEST(SpanSpec, SplitsBackendAndAddress) {
  const auto spec = parse_span_spec("loopback:connect:/run/x.sock", Shape::t1);
  EXPECT_EQ(spec.backend, "loopback");
  EXPECT_EQ(spec.address, "connect:/run/x.sock");
  EXPECT_EQ(spec.effective_law(), Law::mulaw);
  EXPECT_THROW((void)parse_span_spec("dahdi", Shape::e1), std::invalid_argument);
  EXPECT_THROW((void)parse_span_spec(":1", Shape::e1), std::invalid_argument);
}

TEST(BackendRegistry, OpensByNameAndNamesTheUnknown) {
  BackendRegistry registry;
  int opened = 0;
  registry.add("fake", [&](const SpanSpec&) -> std::unique_ptr<Span> {
    ++opened;
    return nullptr;
  });
  EXPECT_TRUE(registry.has("fake"));
  (void)registry.open(parse_span_spec("fake:1", Shape::e1));
  EXPECT_EQ(opened, 1);
  try {
    (void)registry.open(parse_span_spec("zaptel:1", Shape::e1));
    FAIL() << "an unknown backend must be refused";
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("zaptel"), std::string::npos);
    EXPECT_NE(std::string(error.what()).find("fake"), std::string::npos);
  }
}

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
