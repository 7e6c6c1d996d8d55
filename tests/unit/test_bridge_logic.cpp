// The call bridge's transition table.

#include <gtest/gtest.h>

#include "gateway/core/bridge_state.hpp"

namespace gw {
namespace {

using core::BridgeEvent;
using core::BridgeState;
using core::next_state;

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
  for (const auto state : {BridgeState::dialling, BridgeState::proceeding, BridgeState::ringing,
                           BridgeState::early_media, BridgeState::answered, BridgeState::active}) {
    EXPECT_EQ(next_state(state, BridgeEvent::sip_ended), BridgeState::done) << to_string(state);
    EXPECT_EQ(next_state(state, BridgeEvent::sip_terminated), BridgeState::done)
        << to_string(state);
  }
  for (const auto state : {BridgeState::dialling, BridgeState::proceeding, BridgeState::ringing,
                           BridgeState::early_media}) {
    EXPECT_EQ(next_state(state, BridgeEvent::isdn_cleared), BridgeState::done)
        << to_string(state) << ": a final response ends it";
  }
  for (const auto state : {BridgeState::answered, BridgeState::active}) {
    EXPECT_EQ(next_state(state, BridgeEvent::isdn_cleared), BridgeState::clearing)
        << to_string(state) << ": a BYE has to be answered";
  }
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
  for (const auto state : {BridgeState::dialling, BridgeState::proceeding, BridgeState::ringing,
                           BridgeState::early_media}) {
    EXPECT_EQ(next_state(state, BridgeEvent::gateway_hangup), BridgeState::done)
        << to_string(state) << ": a final response or CANCEL ends it";
  }
  for (const auto state : {BridgeState::answered, BridgeState::active}) {
    EXPECT_EQ(next_state(state, BridgeEvent::gateway_hangup), BridgeState::clearing)
        << to_string(state) << ": a BYE has to be answered";
  }
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
  for (const auto state : {BridgeState::dialling, BridgeState::ringing, BridgeState::early_media}) {
    EXPECT_EQ(next_state(state, BridgeEvent::sip_refused), BridgeState::done) << to_string(state);
  }
  EXPECT_FALSE(next_state(BridgeState::active, BridgeEvent::sip_refused));
}

}  // namespace
}  // namespace gw
