// Every switchtype the gateway supports carries a call between the CPE stack
// and pstnsim, and a preferred channel the network moves is followed.

#include <gtest/gtest.h>

#include "tests/component/isdn_bench.hpp"

namespace gw::test {
namespace {

struct Variant {
  isdn::SwitchType switchtype;
  tdm::Shape shape;
};

class Switchtypes : public ::testing::TestWithParam<Variant> {};

TEST_P(Switchtypes, CarryACallAndARefusal) {
  const auto [switchtype, shape] = GetParam();
  IsdnBench bench(shape, pstnsim::RuleSet::defaults(), {}, switchtype);
  ASSERT_TRUE(bench.wait_ready());
  isdn::CallSetup setup;
  setup.called = {"7773660", isdn::Ton::subscriber, isdn::Npi::private_plan};
  setup.calling = {"5551000", isdn::Ton::national, isdn::Npi::isdn};
  const auto placed = bench.gateway->place_call(setup);
  ASSERT_TRUE(placed);
  ASSERT_TRUE(bench.wait_event(placed.call, "connect", 4s));
  ASSERT_FALSE(bench.setups.empty());
  EXPECT_EQ(bench.setups.front().called.digits, "7773660");
  EXPECT_EQ(bench.setups.front().calling.digits, "5551000");
  bench.gateway->hangup(placed.call, isdn::Cause::normal_clearing);
  ASSERT_TRUE(run_until(
      bench.io, [&] { return bench.all_idle(); }, 3s));

  const auto busy = bench.call("4861234");
  ASSERT_TRUE(bench.wait_event(busy, "cleared", 4s));
  EXPECT_EQ(bench.recorder.calls[busy].cleared, isdn::Cause::user_busy);
  EXPECT_TRUE(run_until(
      bench.io, [&] { return bench.all_idle(); }, 3s));
}

// On the North American switches a B-channel the gateway takes out of
// service is taken out at the far end too (SERVICE, answered SERVICE
// ACKNOWLEDGE), and put back the same way; the far end's SERVICE does the
// same to the gateway. Elsewhere the mark stays local.
TEST(ServiceMessages, TakeAChannelOutOfServiceAtBothEndsOnNi2) {
  IsdnBench bench(tdm::Shape::t1, pstnsim::RuleSet::defaults(), {}, isdn::SwitchType::ni2);
  ASSERT_TRUE(bench.wait_ready());
  auto& far_end = bench.pstn->pri(0);
  bench.gateway->set_out_of_service(5, true);
  EXPECT_TRUE(run_until(
      bench.io, [&] { return far_end.channels().state(5) == isdn::ChannelState::out_of_service; },
      3s));
  bench.gateway->set_out_of_service(5, false);
  EXPECT_TRUE(run_until(
      bench.io, [&] { return far_end.channels().state(5) == isdn::ChannelState::idle; }, 3s));
  far_end.set_out_of_service(7, true);
  EXPECT_TRUE(run_until(
      bench.io,
      [&] { return bench.gateway->channels().state(7) == isdn::ChannelState::out_of_service; },
      3s));
}

TEST(ServiceMessages, StayLocalOnEuroIsdn) {
  IsdnBench bench(tdm::Shape::e1);
  ASSERT_TRUE(bench.wait_ready());
  bench.gateway->set_out_of_service(5, true);
  EXPECT_EQ(bench.gateway->channels().state(5), isdn::ChannelState::out_of_service);
  EXPECT_FALSE(run_until(
      bench.io,
      [&] { return bench.pstn->pri(0).channels().state(5) == isdn::ChannelState::out_of_service; },
      500ms));
}

INSTANTIATE_TEST_SUITE_P(All, Switchtypes,
                         ::testing::Values(Variant{isdn::SwitchType::ni2, tdm::Shape::t1},
                                           Variant{isdn::SwitchType::dms100, tdm::Shape::t1},
                                           Variant{isdn::SwitchType::att4ess, tdm::Shape::t1},
                                           Variant{isdn::SwitchType::lucent5e, tdm::Shape::t1},
                                           Variant{isdn::SwitchType::euroisdn_e1, tdm::Shape::e1},
                                           Variant{isdn::SwitchType::qsig, tdm::Shape::e1}),
                         [](const auto& param_info) {
                           return std::string(isdn::to_string(param_info.param.switchtype)) + "_" +
                                  std::string(tdm::to_string(param_info.param.shape));
                         });

TEST(ChannelSelection, APreferredChannelTheNetworkMovesIsFollowed) {
  IsdnBench bench(tdm::Shape::e1);
  ASSERT_TRUE(bench.wait_ready());
  bench.recorder.on_incoming_call = [&bench](isdn::CallId call, const isdn::IncomingCall&) {
    bench.gateway->proceeding(call);
  };
  // The network seizes timeslot 1 while our SETUP asks for it as preferred:
  // the network keeps its call and gives ours another channel.
  isdn::CallSetup ours;
  ours.called.digits = "7773660";
  ours.timeslot = 1;
  ours.exclusive = false;
  isdn::CallSetup theirs;
  theirs.called.digits = "5550100";
  theirs.timeslot = 1;
  const auto outgoing = bench.gateway->place_call(ours);
  ASSERT_TRUE(bench.pstn->place_call(0, theirs, {}));
  ASSERT_TRUE(outgoing);
  ASSERT_TRUE(bench.wait_event(outgoing.call, "connect", 4s));
  EXPECT_EQ(bench.gateway->timeslot(outgoing.call), 31)
      << "the network's choice, hunted from the top";
  EXPECT_EQ(bench.gateway->channels().owner(31), outgoing.call);
  EXPECT_EQ(bench.recorder.incoming.front().second.timeslot, 1);
  bench.gateway->hangup(outgoing.call, isdn::Cause::normal_clearing);
  bench.gateway->hangup(bench.recorder.incoming.front().first, isdn::Cause::normal_clearing);
  EXPECT_TRUE(run_until(
      bench.io, [&] { return bench.all_idle(); }, 3s));
}

}  // namespace
}  // namespace gw::test
