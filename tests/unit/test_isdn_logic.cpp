#include <gtest/gtest.h>

#include "drivers/isdn/call_state.hpp"
#include "drivers/isdn/channel_table.hpp"
#include "drivers/isdn/types.hpp"

namespace gw::isdn {
namespace {

TEST(ChannelTable, HuntsAscendingAndSkipsTheDChannel) {
  ChannelTable table(tdm::Layout(tdm::Shape::e1), Hunting::ascending);
  for (int expected = 1; expected <= 15; ++expected) EXPECT_EQ(table.hunt(100), expected);
  EXPECT_EQ(table.hunt(100), 17) << "timeslot 16 is the D-channel";
  EXPECT_EQ(table.count(ChannelState::in_use), 16U);
}

TEST(ChannelTable, HuntsDescendingFromTheTop) {
  ChannelTable table(tdm::Layout(tdm::Shape::t1), Hunting::descending);
  EXPECT_EQ(table.hunt(1), 23) << "channel 24 is the D-channel";
  EXPECT_EQ(table.hunt(2), 22);
}

TEST(ChannelTable, RoundRobinMovesOnAfterEachCall) {
  ChannelTable table(tdm::Layout(tdm::Shape::t1), Hunting::round_robin);
  EXPECT_EQ(table.hunt(1), 1);
  table.release(1, 1);
  EXPECT_EQ(table.hunt(2), 2) << "not the channel just freed";
  table.release(2, 2);
  EXPECT_EQ(table.hunt(3), 3);
}

TEST(ChannelTable, LeastRecentTakesTheBearerIdleLongest) {
  ChannelTable table(tdm::Layout(tdm::Shape::t1), Hunting::least_recent);
  EXPECT_EQ(table.hunt(1), 1) << "never used: lowest first";
  EXPECT_EQ(table.hunt(2), 2);
  table.release(2, 2);
  table.release(1, 1);
  EXPECT_EQ(table.hunt(3), 3) << "channels never used are idle longest";
  for (CallId call = 4; call <= 23; ++call) ASSERT_TRUE(table.hunt(call));
  EXPECT_EQ(table.hunt(24), 2) << "released before channel 1";
  EXPECT_EQ(table.hunt(25), 1);
}

TEST(ChannelTable, ACallsOwnHuntingOverridesTheTables) {
  ChannelTable table(tdm::Layout(tdm::Shape::e1), Hunting::ascending);
  EXPECT_EQ(table.hunt(1, Hunting::descending), 31);
  EXPECT_EQ(table.hunt(2), 1);
}

TEST(ChannelTable, FullSpanHuntsNothing) {
  ChannelTable table(tdm::Layout(tdm::Shape::t1), Hunting::ascending);
  for (int i = 0; i < 23; ++i) ASSERT_TRUE(table.hunt(static_cast<CallId>(i + 1)));
  EXPECT_EQ(table.hunt(99), std::nullopt);
  table.release(7, 7);
  EXPECT_EQ(table.hunt(99), 7);
}

TEST(ChannelTable, ReleaseOnlyByTheOwner) {
  ChannelTable table(tdm::Layout(tdm::Shape::e1), Hunting::ascending);
  ASSERT_TRUE(table.claim(5, 10));
  EXPECT_FALSE(table.claim(5, 11));
  table.release(5, 11);
  EXPECT_EQ(table.state(5), ChannelState::in_use);
  EXPECT_EQ(table.owner(5), 10U);
  table.release(5, 10);
  EXPECT_EQ(table.state(5), ChannelState::idle);
  EXPECT_FALSE(table.claim(16, 1)) << "the D-channel is never a bearer";
}

TEST(ChannelTable, TakeOverHandsTheChannelToTheWinner) {
  ChannelTable table(tdm::Layout(tdm::Shape::e1), Hunting::ascending);
  ASSERT_TRUE(table.claim(1, 10));
  EXPECT_EQ(table.take_over(1, 20), 10U);
  EXPECT_EQ(table.owner(1), 20U);
  table.release(1, 10);  // the loser's late release changes nothing
  EXPECT_EQ(table.owner(1), 20U);
  EXPECT_EQ(table.take_over(2, 20), std::nullopt) << "nothing to take over on an idle channel";
}

TEST(ChannelTable, RestartingChannelsAreNotHunted) {
  ChannelTable table(tdm::Layout(tdm::Shape::t1), Hunting::ascending);
  table.begin_restart(1);
  EXPECT_EQ(table.hunt(1), 2);
  table.end_restart(1);
  EXPECT_EQ(table.hunt(2), 1);
}

TEST(ChannelTable, OutOfServiceSurvivesCallsAndResets) {
  ChannelTable table(tdm::Layout(tdm::Shape::t1), Hunting::ascending);
  ASSERT_TRUE(table.claim(3, 1));
  table.set_out_of_service(3, true);
  EXPECT_EQ(table.state(3), ChannelState::in_use) << "the call keeps its channel";
  table.release(3, 1);
  EXPECT_EQ(table.state(3), ChannelState::out_of_service);
  table.reset_all();
  EXPECT_EQ(table.state(3), ChannelState::out_of_service);
  table.set_out_of_service(3, false);
  EXPECT_EQ(table.state(3), ChannelState::idle);
}

TEST(CallState, OutgoingCallWalksToActiveAndClears) {
  auto state = CallState::call_initiated;
  for (const auto event : {CallEvent::proceeding_in, CallEvent::progress_in, CallEvent::alerting_in,
                           CallEvent::connect_in}) {
    const auto next = next_state(state, event);
    ASSERT_TRUE(next) << to_string(event) << " in " << to_string(state);
    state = *next;
  }
  EXPECT_EQ(state, CallState::active);
  EXPECT_EQ(next_state(state, CallEvent::disconnect_out), CallState::disconnect_request);
  EXPECT_EQ(next_state(CallState::disconnect_request, CallEvent::cleared_in), CallState::released);
}

TEST(CallState, RefusesWhatTheTableDoesNotAllow) {
  EXPECT_EQ(next_state(CallState::active, CallEvent::alerting_in), std::nullopt);
  EXPECT_EQ(next_state(CallState::call_present, CallEvent::connect_in), std::nullopt);
  EXPECT_EQ(next_state(CallState::call_initiated, CallEvent::alerting_out), std::nullopt);
  EXPECT_EQ(next_state(CallState::released, CallEvent::connect_in), std::nullopt);
}

TEST(CallState, IncomingCallCanBeAnsweredAtOnce) {
  EXPECT_EQ(next_state(CallState::call_present, CallEvent::connect_out), CallState::active);
  EXPECT_EQ(next_state(CallState::call_received, CallEvent::connect_out), CallState::active);
}

TEST(Numbers, PlanOctetPacksTonAndNpi) {
  const PartyNumber priv{"7773660", Ton::subscriber, Npi::private_plan};
  EXPECT_EQ(priv.plan_octet(), 0x49);  // libpri's PRI_PRIVATE
  const PartyNumber intl{"15551234567", Ton::international, Npi::isdn};
  EXPECT_EQ(intl.plan_octet(), 0x11);
  const PartyNumber restricted{"1", Ton::unknown, Npi::unknown, Presentation::restricted,
                               Screening::network};
  EXPECT_EQ(restricted.presentation_octet(), 0x23);
}

TEST(Numbers, FromWireReadsTonNpiAndPresentation) {
  const auto number = number_from_wire("5551000", 0x21, 0x21);
  EXPECT_EQ(number.ton, Ton::national);
  EXPECT_EQ(number.npi, Npi::isdn);
  EXPECT_EQ(number.presentation, Presentation::restricted);
  EXPECT_EQ(number.screening, Screening::user_passed);
  EXPECT_EQ(number_from_wire("1", 0x7F, 0).npi, Npi::unknown) << "reserved values are unknown";
}

TEST(Names, SwitchtypesParseAsChanDahdiSpellsThem) {
  EXPECT_EQ(parse_switchtype("national"), SwitchType::ni2);
  EXPECT_EQ(parse_switchtype("dms100"), SwitchType::dms100);
  EXPECT_EQ(parse_switchtype("4ess"), SwitchType::att4ess);
  EXPECT_EQ(parse_switchtype("5ess"), SwitchType::lucent5e);
  EXPECT_EQ(parse_switchtype("euroisdn"), SwitchType::euroisdn_e1);
  EXPECT_EQ(parse_switchtype("qsig"), SwitchType::qsig);
  EXPECT_EQ(parse_switchtype("gr303"), std::nullopt);
  EXPECT_EQ(parse_side("network"), Side::net);
  EXPECT_EQ(parse_hunting("round-robin"), Hunting::round_robin);
}

TEST(Causes, WireValuesMapAndNamesAreGiven) {
  EXPECT_EQ(cause_from_wire(17), Cause::user_busy);
  EXPECT_EQ(cause_from_wire(0), Cause::normal_unspecified);
  EXPECT_EQ(cause_from_wire(200), Cause::normal_unspecified);
  EXPECT_EQ(to_string(Cause::no_circuit_available), "no circuit/channel available");
  EXPECT_EQ(to_string(cause_from_wire(126)), "unknown cause") << "a safe default for the unlisted";
}

}  // namespace
}  // namespace gw::isdn
