// The call bridge's transition table, the interim route table and sipgw's
// command line.

#include <gtest/gtest.h>

#include "gateway/app/options.hpp"
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

std::variant<app::Options, std::string> parse(const std::vector<std::string>& args) {
  return app::parse_options(args);
}

TEST(Options, TheDemoFlagsAreRead) {
  const auto parsed = parse({"--demo", "--bind", "127.0.0.2", "--sip-port", "5070", "--rtp-ports",
                             "20000-20999", "--data-dir", "/tmp/x", "--spans", "4"});
  ASSERT_TRUE(std::holds_alternative<app::Options>(parsed)) << std::get<std::string>(parsed);
  const auto& options = std::get<app::Options>(parsed);
  EXPECT_TRUE(options.demo);
  EXPECT_EQ(options.bind, "127.0.0.2");
  EXPECT_EQ(options.rtp_bind, "127.0.0.2") << "RTP follows --bind";
  EXPECT_EQ(options.sip_port, 5070);
  EXPECT_EQ(options.rtp_port_min, 20000);
  EXPECT_EQ(options.rtp_port_max, 20999);
  EXPECT_EQ(options.data_dir, "/tmp/x");
  EXPECT_EQ(options.demo_spans, 4);
}

TEST(Options, ABadValueIsRefusedNamingTheFlag) {
  for (const auto& [args, flag] :
       {std::pair{std::vector<std::string>{"--sip-port", "http"}, "--sip-port"},
        std::pair{std::vector<std::string>{"--sip-port", "70000"}, "--sip-port"},
        std::pair{std::vector<std::string>{"--rtp-ports", "3000"}, "--rtp-ports"},
        std::pair{std::vector<std::string>{"--rtp-ports", "9000-8000"}, "--rtp-ports"},
        std::pair{std::vector<std::string>{"--spans", "0"}, "--spans"},
        std::pair{std::vector<std::string>{"--bind"}, "--bind"},
        std::pair{std::vector<std::string>{"--frobnicate"}, "--frobnicate"}}) {
    const auto parsed = parse(args);
    ASSERT_TRUE(std::holds_alternative<std::string>(parsed)) << flag;
    EXPECT_EQ(std::get<std::string>(parsed).rfind(flag, 0), 0U) << std::get<std::string>(parsed);
  }
}

}  // namespace
}  // namespace gw
