// RTP/RTCP port pairs from the configured range.

#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "gateway/media/port_allocator.hpp"

namespace gw::media {
namespace {

TEST(PortAllocator, HandsOutEvenPairsRoundRobinAndReusesReleasedOnes) {
  PortAllocator ports(1001, 1009);  // pairs at 1002, 1004, 1006, 1008
  std::set<std::uint16_t> bound;
  const PortAllocator::Binder bind = [&](std::uint16_t port) {
    bound.insert(port);
    return std::error_code{};
  };
  std::error_code error;
  std::vector<std::uint16_t> got;
  got.reserve(4);
  for (int i = 0; i < 4; ++i) got.push_back(ports.allocate(bind, error).value_or(0));
  EXPECT_EQ(got, (std::vector<std::uint16_t>{1002, 1004, 1006, 1008}));
  EXPECT_FALSE(ports.allocate(bind, error));
  EXPECT_EQ(error, std::errc::address_in_use);
  ports.release(1004);
  EXPECT_EQ(ports.allocate(bind, error), 1004);
  EXPECT_EQ(ports.pairs_in_use(), 4U);
}

TEST(PortAllocator, SkipsPairsInUseElsewhereAndStopsOnOtherErrors) {
  PortAllocator ports(2000, 2005);
  std::error_code error;
  const auto busy_first = [](std::uint16_t port) {
    return port == 2000 ? std::make_error_code(std::errc::address_in_use) : std::error_code{};
  };
  EXPECT_EQ(ports.allocate(busy_first, error), 2002);
  const auto refused = [](std::uint16_t) {
    return std::make_error_code(std::errc::address_not_available);
  };
  EXPECT_FALSE(ports.allocate(refused, error));
  EXPECT_EQ(error, std::errc::address_not_available);
}

// The media engine gives a pair back before its worker has closed the
// sockets: until then binding it fails, and the allocator passes over it.
TEST(PortAllocator, AReleasedPairStillBoundIsPassedOverUntilItIsFree) {
  PortAllocator ports(3000, 3003);  // pairs at 3000 and 3002
  bool closed = false;
  const PortAllocator::Binder bind = [&](std::uint16_t port) {
    return port == 3000 && !closed ? std::make_error_code(std::errc::address_in_use)
                                   : std::error_code{};
  };
  std::error_code error;
  const PortAllocator::Binder free = [](std::uint16_t) { return std::error_code{}; };
  ASSERT_EQ(ports.allocate(free, error), 3000);
  ASSERT_EQ(ports.allocate(free, error), 3002);
  ports.release(3000);
  EXPECT_FALSE(ports.allocate(bind, error)) << "3000 is released but its sockets are still open";
  EXPECT_EQ(error, std::errc::address_in_use);
  closed = true;
  EXPECT_EQ(ports.allocate(bind, error), 3000);
}

}  // namespace
}  // namespace gw::media
