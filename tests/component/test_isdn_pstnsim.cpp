// The gateway's ISDN stack against the simulated PSTN, one test per row of
// pstnsim's behaviour table, in E1 and T1 shapes, audio checked by content.

#include <gtest/gtest.h>

#include "drivers/dsp/dsp.hpp"
#include "drivers/pstnsim/bearer_media.hpp"
#include "tests/component/isdn_bench.hpp"

namespace gw::test {
namespace {

class PstnTable : public ::testing::TestWithParam<tdm::Shape> {
 protected:
  void SetUp() override {
    bench = std::make_unique<IsdnBench>(GetParam());
    ASSERT_TRUE(bench->wait_ready());
  }
  void TearDown() override {
    if (bench) {
      EXPECT_TRUE(run_until(
          bench->io, [this] { return bench->all_idle(); }, 5s))
          << "a channel or call is left over";
    }
  }

  // Opens the call's B-channel on the gateway side, sends a pattern, returns
  // what came back.
  std::unique_ptr<pstnsim::BearerMedia> start_probe(isdn::CallId call,
                                                    const pstnsim::EchoProbe& probe) {
    std::error_code error;
    auto channel = bench->spans.a->open_bearer(bench->gateway->timeslot(call), error);
    EXPECT_TRUE(channel) << error.message();
    auto media = std::make_unique<pstnsim::BearerMedia>(bench->io, std::move(channel),
                                                        bench->spans.a->law());
    media->play_and_record({probe.pattern().begin(), probe.pattern().end()});
    return media;
  }

  void expect_echo(isdn::CallId call) {
    const pstnsim::EchoProbe probe(8000);  // one second of audio
    auto media = start_probe(call, probe);
    ASSERT_TRUE(run_until(
        bench->io,
        [&] {
          return !media->playing() && media->recorded().size() > probe.pattern().size() + 8000;
        },
        5s));
    const auto match = probe.find(media->recorded());
    ASSERT_TRUE(match) << "the echoed pattern never came back";
    EXPECT_EQ(match->compared, probe.pattern().size());
    EXPECT_EQ(match->mismatches, 0U);
    EXPECT_GT(match->delay_ms(), 0.0);
    EXPECT_LT(match->delay_ms(), 500.0);
    RecordProperty("echo_delay_ms", std::to_string(match->delay_ms()));
  }

  void expect_rejected(const std::string& number, isdn::Cause cause) {
    const auto call = bench->call(number);
    ASSERT_TRUE(bench->wait_event(call, "cleared", 5s));
    EXPECT_EQ(bench->recorder.calls[call].cleared, cause);
    EXPECT_FALSE(bench->recorder.calls[call].saw("connect"));
  }

  std::unique_ptr<IsdnBench> bench;
};

TEST_P(PstnTable, BusyIsCause17) {
  expect_rejected("4865551234", isdn::Cause::user_busy);
}

TEST_P(PstnTable, UnallocatedIsCause1) {
  expect_rejected("4040000", isdn::Cause::unallocated_number);
}

TEST_P(PstnTable, CongestionIsCause34) {
  expect_rejected("5031234", isdn::Cause::no_circuit_available);
}

TEST_P(PstnTable, NoAnswerRingsUntilTheCallerGivesUp) {
  const auto call = bench->call("4801234");
  ASSERT_TRUE(bench->wait_event(call, "alerting", 3s));
  run_for(bench->io, 1500ms);
  EXPECT_FALSE(bench->recorder.calls[call].saw("connect"));
  EXPECT_FALSE(bench->recorder.calls[call].saw("cleared"));
  EXPECT_EQ(bench->pstn->active_calls(), 1U);
  bench->gateway->hangup(call, isdn::Cause::normal_clearing);
}

TEST_P(PstnTable, AnswersThenFarEndHangsUpWithCause16) {
  const auto call = bench->call("2001234");
  ASSERT_TRUE(bench->wait_event(call, "alerting", 3s));
  const auto alerted = std::chrono::steady_clock::now();
  ASSERT_TRUE(bench->wait_event(call, "connect", 3s));
  const auto answered = std::chrono::steady_clock::now();
  EXPECT_GE(answered - alerted, 400ms) << "rings about half a second first";
  ASSERT_TRUE(bench->wait_event(call, "cleared", 5s));
  EXPECT_GE(std::chrono::steady_clock::now() - answered, 1800ms) << "hangs up 2 s after answer";
  EXPECT_EQ(bench->recorder.calls[call].cleared, isdn::Cause::normal_clearing);
}

TEST_P(PstnTable, EarlyMediaPlaysATone183ThenAnswersAndEchoes) {
  const auto call = bench->call("1831234");
  ASSERT_TRUE(bench->wait_event(call, "progress:inband", 3s));
  EXPECT_FALSE(bench->recorder.calls[call].saw("connect"));
  std::error_code error;
  auto channel = bench->spans.a->open_bearer(bench->gateway->timeslot(call), error);
  ASSERT_TRUE(channel);
  pstnsim::BearerMedia listen(bench->io, std::move(channel), bench->spans.a->law());
  listen.play_and_record({});
  ASSERT_TRUE(run_until(
      bench->io, [&] { return listen.recorded().size() >= 4000; }, 3s));
  const auto tail = std::span(listen.recorded()).last(1600);  // the last 200 ms
  const double level = dsp::tone_level_dbm0(bench->spans.a->law(), tail,
                                            bench->pstn->config().early_media_tone.frequency1);
  EXPECT_GT(level, -20.0) << "no in-band tone on the B-channel";
  EXPECT_LT(dsp::tone_level_dbm0(bench->spans.a->law(), tail, 1400), level - 20.0);
  ASSERT_TRUE(bench->wait_event(call, "connect", 4s));
  bench->gateway->hangup(call, isdn::Cause::normal_clearing);
}

TEST_P(PstnTable, AnyOtherNumberRingsAnswersAndEchoesUntilCleared) {
  const auto call = bench->call("7773660");
  ASSERT_TRUE(bench->wait_event(call, "proceeding", 3s));
  ASSERT_TRUE(bench->wait_event(call, "alerting", 3s));
  ASSERT_TRUE(bench->wait_event(call, "connect", 4s));
  expect_echo(call);
  bench->gateway->hangup(call, isdn::Cause::normal_clearing);
  ASSERT_TRUE(run_until(
      bench->io, [this] { return bench->pstn->active_calls() == 0; }, 3s));
}

TEST_P(PstnTable, SetupCarriesNumbersWithTheirPlan) {
  isdn::CallSetup setup;
  setup.called = {"7773660", isdn::Ton::subscriber, isdn::Npi::private_plan};
  setup.calling = {"5551000", isdn::Ton::national, isdn::Npi::isdn, isdn::Presentation::restricted};
  const auto placed = bench->gateway->place_call(setup);
  ASSERT_TRUE(placed);
  ASSERT_TRUE(run_until(
      bench->io, [this] { return !bench->setups.empty(); }, 3s));
  const auto& seen = bench->setups.front();
  EXPECT_EQ(seen.called.digits, "7773660");
  EXPECT_EQ(seen.called.ton, isdn::Ton::subscriber);
  EXPECT_EQ(seen.called.npi, isdn::Npi::private_plan);
  EXPECT_EQ(seen.calling.digits, "5551000");
  EXPECT_EQ(seen.calling.ton, isdn::Ton::national);
  EXPECT_EQ(seen.calling.npi, isdn::Npi::isdn);
  EXPECT_EQ(seen.calling.presentation, isdn::Presentation::restricted);
  EXPECT_EQ(seen.timeslot, bench->gateway->timeslot(placed.call));
  bench->gateway->hangup(placed.call, isdn::Cause::normal_clearing);
}

INSTANTIATE_TEST_SUITE_P(Shapes, PstnTable, ::testing::Values(tdm::Shape::e1, tdm::Shape::t1),
                         [](const auto& param_info) {
                           return std::string(tdm::to_string(param_info.param));
                         });

}  // namespace
}  // namespace gw::test
