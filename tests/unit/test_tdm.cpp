#include <gtest/gtest.h>

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

}  // namespace
}  // namespace gw::tdm
