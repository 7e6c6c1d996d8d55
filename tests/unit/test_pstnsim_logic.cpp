#include <gtest/gtest.h>

#include <vector>

#include "drivers/pstnsim/echo_probe.hpp"
#include "drivers/pstnsim/rules.hpp"

namespace gw::pstnsim {
namespace {

using namespace std::chrono_literals;

TEST(Rules, DefaultsFollowTheDocumentedTable) {
  const auto rules = RuleSet::defaults();
  EXPECT_EQ(rules.match("4865551234").action, Action::reject);
  EXPECT_EQ(rules.match("4865551234").cause, isdn::Cause::user_busy);
  EXPECT_EQ(rules.match("404").cause, isdn::Cause::unallocated_number);
  EXPECT_EQ(rules.match("5031").cause, isdn::Cause::no_circuit_available);
  EXPECT_EQ(rules.match("4801").action, Action::no_answer);
  EXPECT_EQ(rules.match("4801").cause, isdn::Cause::no_answer);
  const auto& hangs_up = rules.match("2001234");
  EXPECT_EQ(hangs_up.action, Action::answer);
  EXPECT_EQ(hangs_up.ring, 500ms);
  EXPECT_EQ(hangs_up.hangup_after, 2s);
  EXPECT_EQ(rules.match("1831").action, Action::early_media);
  EXPECT_EQ(rules.match("1831").tone, 2s);
  const auto& other = rules.match("7773660");
  EXPECT_EQ(other.action, Action::answer);
  EXPECT_EQ(other.ring, 1s);
  EXPECT_FALSE(other.hangup_after);
}

TEST(Rules, LongestPrefixWins) {
  auto rules = RuleSet::parse("48 reject cause=21\n486 reject cause=17\n");
  EXPECT_EQ(rules.match("4861").cause, isdn::Cause::user_busy);
  EXPECT_EQ(rules.match("4801").cause, isdn::Cause::call_rejected);
  EXPECT_EQ(rules.match("9").action, Action::answer) << "the built-in default answers";
}

TEST(Rules, ASpansOwnRuleBeatsTheGeneralOneOfTheSamePrefix) {
  const auto rules = RuleSet::parse(
      "777 reject cause=17 span=span1\n"
      "7773 answer\n"
      "* no-answer span=span2\n");
  EXPECT_EQ(rules.match("7773660", "span1/b").action, Action::answer) << "longer prefix first";
  EXPECT_EQ(rules.match("7779999", "span1/b").action, Action::reject);
  EXPECT_EQ(rules.match("7779999", "span1").action, Action::reject);
  EXPECT_EQ(rules.match("7779999", "span10/b").action, Action::answer)
      << "span10 is not span1; the default answers";
  EXPECT_EQ(rules.match("5551234", "span2/b").action, Action::no_answer);
  EXPECT_EQ(rules.match("5551234").action, Action::answer);
}

TEST(Rules, ParsesOptionsAndComments) {
  const auto rules = RuleSet::parse(
      "# test plan\n"
      "  777 answer ring=250ms hangup=3s cause=31  # hangs up after 3 s\n"
      "* no-answer timeout=2m\n");
  const auto& rule = rules.match("7773660");
  EXPECT_EQ(rule.ring, 250ms);
  EXPECT_EQ(rule.hangup_after, 3s);
  EXPECT_EQ(rule.cause, isdn::Cause::normal_unspecified);
  EXPECT_EQ(rules.match("1").action, Action::no_answer);
  EXPECT_EQ(rules.match("1").timeout, 120s);
}

void expect_refused(const std::string& text, const std::string& mentions) {
  try {
    (void)RuleSet::parse(text);
    FAIL() << "accepted: " << text;
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find(mentions), std::string::npos) << error.what();
  }
}

TEST(Rules, BadLinesAreRefusedNamingLineAndField) {
  expect_refused("486 reject cause=0\n", "line 1: cause");
  expect_refused("486 reject\n49x answer\n", "line 2: prefix");
  expect_refused("486 hold\n", "line 1: action");
  expect_refused("486 answer ring=fast\n", "line 1: ring");
  expect_refused("486 answer ring=5h\n", "unknown unit");
  expect_refused("486 answer colour=red\n", "line 1: colour");
  expect_refused("486\n", "line 1: action: missing");
}

TEST(EchoProbe, FindsThePatternAndMeasuresTheDelay) {
  const EchoProbe probe(800);
  std::vector<std::byte> received(240 + 800, std::byte{0xD5});  // 30 ms of idle first
  std::copy(probe.pattern().begin(), probe.pattern().end(), received.begin() + 240);
  const auto match = probe.find(received);
  ASSERT_TRUE(match);
  EXPECT_EQ(match->offset, 240U);
  EXPECT_DOUBLE_EQ(match->delay_ms(), 30.0);
  EXPECT_EQ(match->mismatches, 0U);
  EXPECT_EQ(match->compared, 800U);
}

TEST(EchoProbe, CountsCorruptedBytesAndMissesAbsentAudio) {
  const EchoProbe probe(800);
  std::vector<std::byte> received(probe.pattern().begin(), probe.pattern().end());
  received[500] ^= std::byte{0x01};
  EXPECT_EQ(probe.find(received)->mismatches, 1U);
  const std::vector<std::byte> silence(2000, std::byte{0xFF});
  EXPECT_FALSE(probe.find(silence));
  for (const auto octet : probe.pattern()) {
    ASSERT_NE(octet, std::byte{0xFF});
    ASSERT_NE(octet, std::byte{0xD5});
  }
}

}  // namespace
}  // namespace gw::pstnsim
