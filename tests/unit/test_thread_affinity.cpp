#include "drivers/common/thread_affinity.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace gw {
namespace {

// Only where the checks are compiled in: in release builds check() is empty.
class ThreadAffinityDeathTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!ThreadAffinity::enabled) {
      GTEST_SKIP() << "thread checks compiled out (NDEBUG without SIPGW_THREAD_CHECKS)";
    }
    // The tests start threads: the child re-runs the test binary rather than fork alone.
    GTEST_FLAG_SET(death_test_style, "threadsafe");
  }
};

TEST(ThreadAffinity, PassesOnTheOwningThread) {
  const ThreadAffinity affinity;
  affinity.check("owner");
  affinity.check("owner again");
}

TEST_F(ThreadAffinityDeathTest, AbortsOnAnotherThreadNamingTheEntryPoint) {
  const ThreadAffinity affinity;
  EXPECT_DEATH(std::thread([&] { affinity.check("Widget::poke"); }).join(),
               "thread affinity violated: Widget::poke called on thread .*, owned by thread ");
}

TEST_F(ThreadAffinityDeathTest, ADeferredBindingBelongsToItsFirstCaller) {
  const ThreadAffinity affinity(ThreadAffinity::deferred);
  std::thread([&] { affinity.check("first"); }).join();
  EXPECT_DEATH(affinity.check("Widget::later"), "Widget::later called on thread");
}

TEST_F(ThreadAffinityDeathTest, RebindHandsTheObjectToAnotherThread) {
  ThreadAffinity affinity;
  std::thread([&] {
    affinity.rebind();
    affinity.check("new owner");
  }).join();
  EXPECT_DEATH(affinity.check("Widget::old_owner"), "Widget::old_owner");
}

TEST_F(ThreadAffinityDeathTest, UnbindLetsTheNextCallerTakeIt) {
  ThreadAffinity affinity;
  affinity.unbind();
  std::thread([&] { affinity.check("taker"); }).join();
  EXPECT_DEATH(affinity.check("Widget::former"), "Widget::former");
}

}  // namespace
}  // namespace gw
