// The call bridge's transition table.

#include <gtest/gtest.h>

#include "gateway/core/bridge_state.hpp"

namespace gw {
namespace {

using core::BridgeEvent;
using core::BridgeState;
using core::next_state;
using S = BridgeState;

// Whether `event` takes each of `states` to `expected`.
::testing::AssertionResult leads_to(std::initializer_list<BridgeState> states, BridgeEvent event,
                                    BridgeState expected) {
  for (const auto state : states) {
    const auto next = next_state(state, event);
    if (next != expected) {
      return ::testing::AssertionFailure() << to_string(event) << " in " << to_string(state)
                                           << " leads to " << (next ? to_string(*next) : "nothing");
    }
  }
  return ::testing::AssertionSuccess();
}

TEST(BridgeState, TheBasicCallGoesDiallingRingingAnsweredActive) {
  auto state = BridgeState::dialling;
  for (const auto& [event, expected] :
       {std::pair{BridgeEvent::isdn_proceeding, BridgeState::proceeding},
        std::pair{BridgeEvent::isdn_alerting, BridgeState::ringing},
        std::pair{BridgeEvent::isdn_connect, BridgeState::answered},
        std::pair{BridgeEvent::sip_ack, BridgeState::active},
        std::pair{BridgeEvent::sip_reinvite, BridgeState::active},
        std::pair{BridgeEvent::isdn_cleared, BridgeState::clearing},
        std::pair{BridgeEvent::sip_terminated, BridgeState::done}}) {
    const auto next = next_state(state, event);
    ASSERT_TRUE(next.has_value()) << to_string(event) << " in " << to_string(state);
    EXPECT_EQ(*next, expected) << to_string(event) << " in " << to_string(state);
    state = *next;
  }
}

TEST(BridgeState, InbandInformationLeadsToEarlyMediaAndStaysThereOnAlerting) {
  EXPECT_EQ(next_state(BridgeState::proceeding, BridgeEvent::isdn_inband),
            BridgeState::early_media);
  EXPECT_EQ(next_state(BridgeState::ringing, BridgeEvent::isdn_inband), BridgeState::early_media);
  EXPECT_EQ(next_state(BridgeState::early_media, BridgeEvent::isdn_alerting),
            BridgeState::early_media);
  EXPECT_EQ(next_state(BridgeState::early_media, BridgeEvent::isdn_connect), BridgeState::answered);
}

TEST(BridgeState, EitherSideEndingFromAnyLiveStateEndsTheCall) {
  for (const auto event : {BridgeEvent::sip_ended, BridgeEvent::sip_terminated}) {
    EXPECT_TRUE(
        leads_to({S::dialling, S::proceeding, S::ringing, S::early_media, S::answered, S::active},
                 event, S::done));
  }
  EXPECT_TRUE(leads_to({S::dialling, S::proceeding, S::ringing, S::early_media},
                       BridgeEvent::isdn_cleared, S::done))
      << "a final response ends it";
  EXPECT_TRUE(leads_to({S::answered, S::active}, BridgeEvent::isdn_cleared, S::clearing))
      << "a BYE has to be answered";
  EXPECT_EQ(next_state(BridgeState::clearing, BridgeEvent::sip_terminated), BridgeState::done);
  EXPECT_EQ(next_state(BridgeState::clearing, BridgeEvent::sip_ended), BridgeState::done)
      << "BYEs crossed";
}

TEST(BridgeState, EventsThatMakeNoSenseAreRefused) {
  EXPECT_FALSE(next_state(BridgeState::active, BridgeEvent::isdn_connect));
  EXPECT_FALSE(next_state(BridgeState::active, BridgeEvent::isdn_alerting));
  EXPECT_FALSE(next_state(BridgeState::ringing, BridgeEvent::sip_ack));
  EXPECT_FALSE(next_state(BridgeState::answered, BridgeEvent::sip_reinvite));
  EXPECT_FALSE(next_state(BridgeState::done, BridgeEvent::isdn_cleared));
  EXPECT_FALSE(next_state(BridgeState::clearing, BridgeEvent::isdn_connect));
}

TEST(BridgeState, FailoverIsOnlyBeforeTheCallerHearsAnything) {
  EXPECT_EQ(next_state(BridgeState::dialling, BridgeEvent::isdn_failover), BridgeState::dialling);
  EXPECT_EQ(next_state(BridgeState::proceeding, BridgeEvent::isdn_failover), BridgeState::dialling);
  EXPECT_FALSE(next_state(BridgeState::ringing, BridgeEvent::isdn_failover));
  EXPECT_FALSE(next_state(BridgeState::early_media, BridgeEvent::isdn_failover));
  EXPECT_FALSE(next_state(BridgeState::active, BridgeEvent::isdn_failover));
}

TEST(BridgeState, TheGatewayRefusesOnlyANewCallAndEndsOthersAsFarAsTheyGot) {
  EXPECT_EQ(next_state(BridgeState::dialling, BridgeEvent::gateway_refused), BridgeState::done);
  EXPECT_FALSE(next_state(BridgeState::ringing, BridgeEvent::gateway_refused))
      << "a call that rings has been routed: it is hung up, not refused";
  EXPECT_TRUE(leads_to({S::dialling, S::proceeding, S::ringing, S::early_media},
                       BridgeEvent::gateway_hangup, S::done))
      << "a final response or CANCEL ends it";
  EXPECT_TRUE(leads_to({S::answered, S::active}, BridgeEvent::gateway_hangup, S::clearing))
      << "a BYE has to be answered";
  EXPECT_FALSE(next_state(BridgeState::clearing, BridgeEvent::gateway_hangup))
      << "a call already ending is not ended twice";
}

TEST(BridgeState, ACallFromThePstnAlertsOnceAndRetriesOnlyBeforeItWasHeard) {
  EXPECT_EQ(next_state(BridgeState::dialling, BridgeEvent::sip_progress), BridgeState::dialling)
      << "a 183 without audio tells the PSTN caller nothing";
  EXPECT_EQ(next_state(BridgeState::dialling, BridgeEvent::sip_ringing), BridgeState::ringing);
  EXPECT_EQ(next_state(BridgeState::ringing, BridgeEvent::sip_ringing), BridgeState::ringing);
  EXPECT_EQ(next_state(BridgeState::early_media, BridgeEvent::sip_ringing),
            BridgeState::early_media);
  EXPECT_EQ(next_state(BridgeState::dialling, BridgeEvent::sip_retry), BridgeState::dialling);
  EXPECT_FALSE(next_state(BridgeState::ringing, BridgeEvent::sip_retry))
      << "the caller hears ringing: this callee's refusal is the answer";
  EXPECT_TRUE(
      leads_to({S::dialling, S::ringing, S::early_media}, BridgeEvent::sip_refused, S::done));
  EXPECT_FALSE(next_state(BridgeState::active, BridgeEvent::sip_refused));
}

}  // namespace
}  // namespace gw
