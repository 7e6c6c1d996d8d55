// FailureLockout (gateway/auth/lockout): 10 failures from one address within
// 5 minutes lock it for 5 minutes, reported once, with bounded memory.

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "gateway/auth/lockout.hpp"

namespace gw::auth {
namespace {

using namespace std::chrono_literals;
using Clock = FailureLockout::Clock;

const Clock::time_point kStart = Clock::time_point{} + 1000h;
const std::string kAddress = "192.0.2.7";

// `count` failures from `address`, `step` apart from `from`; how many locked it.
int fail(FailureLockout& lockout, const std::string& address, int count, Clock::time_point from,
         Clock::duration step = 1s) {
  int locks = 0;
  for (int i = 0; i < count; ++i) locks += lockout.record_failure(address, from + i * step) ? 1 : 0;
  return locks;
}

TEST(FailureLockout, LocksAtTheTenthFailureNotTheNinth) {
  FailureLockout lockout;
  EXPECT_EQ(fail(lockout, kAddress, 9, kStart), 0);
  EXPECT_FALSE(lockout.locked(kAddress, kStart + 9s));
  EXPECT_TRUE(lockout.record_failure(kAddress, kStart + 9s));
  EXPECT_TRUE(lockout.locked(kAddress, kStart + 9s));
}

TEST(FailureLockout, ReportsTheLockExactlyOnce) {
  FailureLockout lockout;
  EXPECT_EQ(fail(lockout, kAddress, 30, kStart), 1);
  EXPECT_TRUE(lockout.locked(kAddress, kStart + 30s));
}

TEST(FailureLockout, TenFailuresSpreadOverMoreThanFiveMinutesDoNotLock) {
  FailureLockout lockout;
  // The first and the tenth 301 s apart.
  EXPECT_EQ(fail(lockout, kAddress, 10, kStart, std::chrono::milliseconds(301000 / 9 + 1)), 0);
  EXPECT_FALSE(lockout.locked(kAddress, kStart + 302s));
  // Ten within 299 s do.
  FailureLockout other;
  EXPECT_EQ(fail(other, kAddress, 10, kStart, std::chrono::milliseconds(299000 / 9)), 1);
}

TEST(FailureLockout, TheWindowSlides) {
  FailureLockout lockout;
  // Five early, then after 4 minutes five more: ten within 5 minutes.
  EXPECT_EQ(fail(lockout, kAddress, 5, kStart), 0);
  EXPECT_EQ(fail(lockout, kAddress, 5, kStart + 240s), 1);
}

TEST(FailureLockout, TheBanLiftsAfterFiveMinutesAndTheCountStartsAgain) {
  FailureLockout lockout;
  fail(lockout, kAddress, 10, kStart);
  const auto locked_at = kStart + 9s;
  EXPECT_TRUE(lockout.locked(kAddress, locked_at + 299s));
  EXPECT_FALSE(lockout.locked(kAddress, locked_at + 300s));
  EXPECT_EQ(fail(lockout, kAddress, 9, locked_at + 300s), 0);
  EXPECT_TRUE(lockout.record_failure(kAddress, locked_at + 310s));
}

TEST(FailureLockout, AddressesCountSeparately) {
  FailureLockout lockout;
  fail(lockout, "192.0.2.9", 9, kStart);
  fail(lockout, kAddress, 10, kStart);
  fail(lockout, "2001:db8::1", 10, kStart);
  EXPECT_FALSE(lockout.locked("192.0.2.9", kStart + 10s));
  EXPECT_EQ(lockout.locked_addresses(kStart + 10s),
            (std::vector<std::string>{"192.0.2.7", "2001:db8::1"}));
  EXPECT_TRUE(lockout.locked_addresses(kStart + 400s).empty());
}

TEST(FailureLockout, ForgetsIdleAddressesButNotLocks) {
  FailureLockout lockout;
  fail(lockout, "192.0.2.9", 3, kStart);
  fail(lockout, kAddress, 10, kStart + 200s);
  lockout.forget_expired(kStart + 305s);
  EXPECT_EQ(lockout.tracked(), 1U);
  EXPECT_TRUE(lockout.locked(kAddress, kStart + 305s));
  lockout.forget_expired(kStart + 600s);
  EXPECT_EQ(lockout.tracked(), 0U);
}

TEST(FailureLockout, AScanFromManyAddressesStaysBoundedAndKeepsLocks) {
  FailureLockout lockout(10, 5min, 5min, 100);
  fail(lockout, kAddress, 10, kStart);
  for (int i = 0; i < 10000; ++i) {
    lockout.record_failure("10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256),
                           kStart + 10s);
  }
  EXPECT_LE(lockout.tracked(), 100U);
  EXPECT_TRUE(lockout.locked(kAddress, kStart + 10s));
}

TEST(FailureLockout, WhenAllTrackedAreLockedANewAddressWaitsForRoom) {
  FailureLockout lockout(10, 5min, 5min, 3);
  for (const char* address : {"192.0.2.1", "192.0.2.2", "192.0.2.3"}) {
    EXPECT_EQ(fail(lockout, address, 10, kStart), 1);
  }
  EXPECT_EQ(fail(lockout, kAddress, 10, kStart + 10s), 0);
  EXPECT_FALSE(lockout.locked(kAddress, kStart + 20s));
  EXPECT_EQ(lockout.tracked(), 3U);
  // The locks are over: there is room again.
  EXPECT_EQ(fail(lockout, kAddress, 10, kStart + 310s), 1);
  EXPECT_EQ(lockout.tracked(), 1U);
}

TEST(FailureLockout, ALimitBelowOneIsRefused) {
  EXPECT_THROW(FailureLockout(0), std::invalid_argument);
}

}  // namespace
}  // namespace gw::auth
