// The journal fields of the daemon's log lines.

#include <gtest/gtest.h>

#include "gateway/systemd/journal.hpp"

namespace {

TEST(JournalFields, ACallsLinesGiveItsLegAndCallId) {
  const auto line = gw::systemd::call_line("call 12 [a84b4c76e66710@pc33.example.com]: answered");
  ASSERT_TRUE(line);
  EXPECT_EQ(line->leg, "12");
  EXPECT_EQ(line->call_id, "a84b4c76e66710@pc33.example.com");
  EXPECT_FALSE(gw::systemd::call_line("call 12: answered"));
  EXPECT_FALSE(gw::systemd::call_line("calls 3"));
  EXPECT_FALSE(gw::systemd::call_line("call x [y]: z"));
  EXPECT_FALSE(gw::systemd::call_line("span span1/a: link up"));
}

}  // namespace
