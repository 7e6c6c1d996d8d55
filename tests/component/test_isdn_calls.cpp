// Calls both ways, glare, a full span, the 64 kbit/s D-channel, and losing
// and regaining the line, between the gateway's ISDN stack and pstnsim.

#include <gtest/gtest.h>

#include "drivers/pstnsim/bearer_media.hpp"
#include "tests/component/isdn_bench.hpp"

namespace gw::test {
namespace {

using pstnsim::SimCallRef;

struct SimEvents {
  std::vector<std::string> seen;
  std::optional<isdn::Cause> cleared;
  pstnsim::CallEvents sink() {
    return [this](SimCallRef, std::string_view what, isdn::Cause cause) {
      seen.emplace_back(what);
      if (what == "cleared") cleared = cause;
    };
  }
  [[nodiscard]] bool saw(std::string_view what) const {
    return std::find(seen.begin(), seen.end(), what) != seen.end();
  }
};

void answer_everything(IsdnBench& bench) {
  bench.recorder.on_incoming_call = [&bench](isdn::CallId call, const isdn::IncomingCall&) {
    bench.gateway->proceeding(call);
    bench.gateway->alerting(call, false);
    bench.gateway->answer(call);
  };
}

TEST(IsdnCalls, ChannelsAreRestartedWhenTheLinkComesUp) {
  IsdnBench bench(tdm::Shape::e1);
  std::vector<int> restarted;
  bench.pstn->on_restart = [&](std::size_t, int timeslot) { restarted.push_back(timeslot); };
  ASSERT_TRUE(bench.wait_ready());
  EXPECT_EQ(restarted, tdm::Layout(tdm::Shape::e1).bearers());
  EXPECT_TRUE(bench.all_idle());
}

TEST(IsdnCalls, ACallFromThePstnIsAnsweredAndCarriesAudio) {
  IsdnBench bench(tdm::Shape::e1);
  ASSERT_TRUE(bench.wait_ready());
  answer_everything(bench);
  isdn::CallSetup setup;
  setup.called = {"5550100", isdn::Ton::national, isdn::Npi::isdn};
  setup.calling = {"2125550000", isdn::Ton::national, isdn::Npi::isdn};
  SimEvents events;
  const auto placed = bench.pstn->place_call(0, setup, events.sink());
  ASSERT_TRUE(placed);
  ASSERT_TRUE(run_until(
      bench.io, [&] { return events.saw("connect"); }, 3s));
  ASSERT_EQ(bench.recorder.incoming.size(), 1U);
  const auto& [call, details] = bench.recorder.incoming.front();
  EXPECT_EQ(details.called.digits, "5550100");
  EXPECT_EQ(details.called.ton, isdn::Ton::national);
  EXPECT_EQ(details.calling.digits, "2125550000");
  EXPECT_EQ(details.timeslot, 31) << "the network hunts from the top";
  EXPECT_TRUE(events.saw("proceeding"));
  EXPECT_TRUE(events.saw("alerting"));

  const pstnsim::EchoProbe probe(4000);
  std::error_code error;
  pstnsim::BearerMedia media(bench.io, bench.spans.a->open_bearer(details.timeslot, error),
                             bench.spans.a->law());
  media.play_and_record({probe.pattern().begin(), probe.pattern().end()});
  ASSERT_TRUE(run_until(
      bench.io,
      [&] {
        return probe.find(media.recorded()).has_value() &&
               probe.find(media.recorded())->compared == 4000;
      },
      5s));
  EXPECT_EQ(probe.find(media.recorded())->mismatches, 0U);

  bench.pstn->hangup({0, placed.call}, isdn::Cause::normal_clearing);
  ASSERT_TRUE(bench.wait_event(call, "cleared", 3s));
  EXPECT_EQ(bench.recorder.calls[call].cleared, isdn::Cause::normal_clearing);
  EXPECT_TRUE(run_until(
      bench.io, [&] { return bench.all_idle(); }, 3s));
}

TEST(IsdnCalls, TheGatewayClearingACallFromThePstnReachesTheSwitch) {
  IsdnBench bench(tdm::Shape::t1);
  ASSERT_TRUE(bench.wait_ready());
  answer_everything(bench);
  isdn::CallSetup setup;
  setup.called.digits = "5550100";
  SimEvents events;
  ASSERT_TRUE(bench.pstn->place_call(0, setup, events.sink()));
  ASSERT_TRUE(run_until(
      bench.io, [&] { return events.saw("connect"); }, 3s));
  bench.gateway->hangup(bench.recorder.incoming.front().first, isdn::Cause::user_busy);
  ASSERT_TRUE(run_until(
      bench.io, [&] { return events.cleared.has_value(); }, 3s));
  EXPECT_EQ(events.cleared, isdn::Cause::user_busy);
  EXPECT_TRUE(run_until(
      bench.io, [&] { return bench.all_idle(); }, 3s));
}

// Call traces show each Q.931 message as libpri decodes it: the numbers
// of a SETUP, the cause of a DISCONNECT, for messages both ways.
TEST(IsdnCalls, EveryQ931MessageComesWithLibprisDecode) {
  IsdnBench bench(tdm::Shape::e1);
  ASSERT_TRUE(bench.wait_ready());
  const auto call = bench.call("4801234");
  ASSERT_TRUE(bench.wait_event(call, "alerting", 3s));
  bench.gateway->hangup(call, isdn::Cause::user_busy);
  ASSERT_TRUE(run_until(
      bench.io, [&] { return bench.all_idle(); }, 3s));
  run_for(bench.io, 50ms);  // the last frames' decodes are handed out after libpri returns

  const auto setup = bench.decode_of("SETUP", true);
  ASSERT_TRUE(setup.has_value());
  EXPECT_NE(setup->find("Message Type: SETUP"), std::string::npos) << *setup;
  EXPECT_NE(setup->find("'4801234'"), std::string::npos) << "the called number: " << *setup;
  EXPECT_NE(setup->find("'5551000'"), std::string::npos) << "the calling number: " << *setup;
  EXPECT_EQ(setup->find("DL-DATA"), std::string::npos) << "libpri's note before queuing it";
  const auto alerting = bench.decode_of("ALERTING", false);
  ASSERT_TRUE(alerting.has_value());
  EXPECT_NE(alerting->find("Message Type: ALERTING"), std::string::npos) << *alerting;
  const auto disconnect = bench.decode_of("DISCONNECT", true);
  ASSERT_TRUE(disconnect.has_value());
  EXPECT_NE(disconnect->find("Cause"), std::string::npos) << *disconnect;
  EXPECT_NE(disconnect->find("User busy"), std::string::npos) << *disconnect;
  for (const auto& frame : bench.frames) {
    if (!isdn::q931_header(frame.bytes)) {
      EXPECT_EQ(frame.decoded, "") << "a Q.921 frame";
    }
  }
}

TEST(IsdnCalls, GlareOnAChannelIsRetriedOnAnother) {
  IsdnBench bench(tdm::Shape::e1);
  ASSERT_TRUE(bench.wait_ready());
  answer_everything(bench);
  // Both sides seize timeslot 1 in the same instant: the SETUPs cross.
  isdn::CallSetup ours;
  ours.called.digits = "7773660";
  ours.timeslot = 1;
  isdn::CallSetup theirs;
  theirs.called.digits = "5550100";
  theirs.timeslot = 1;
  const auto outgoing = bench.gateway->place_call(ours);
  SimEvents events;
  const auto incoming = bench.pstn->place_call(0, theirs, events.sink());
  ASSERT_TRUE(outgoing);
  ASSERT_TRUE(incoming);
  ASSERT_TRUE(bench.wait_event(outgoing.call, "connect", 5s))
      << "our call must survive the glare on another channel";
  ASSERT_TRUE(run_until(
      bench.io, [&] { return events.saw("connect"); }, 3s))
      << "the network's call wins timeslot 1";
  EXPECT_NE(bench.gateway->timeslot(outgoing.call), 1);
  EXPECT_EQ(bench.recorder.incoming.front().second.timeslot, 1);
  bench.gateway->hangup(outgoing.call, isdn::Cause::normal_clearing);
  bench.gateway->hangup(bench.recorder.incoming.front().first, isdn::Cause::normal_clearing);
  EXPECT_TRUE(run_until(
      bench.io, [&] { return bench.all_idle(); }, 3s));
}

TEST(IsdnCalls, AFullSpanRefusesTheNextCallWithCause34) {
  IsdnBench bench(tdm::Shape::t1);
  ASSERT_TRUE(bench.wait_ready());
  std::vector<isdn::CallId> calls;
  calls.reserve(23);
  for (int i = 0; i < 23; ++i) calls.push_back(bench.call("4801234"));
  ASSERT_TRUE(run_until(
      bench.io,
      [&] {
        return std::all_of(calls.begin(), calls.end(),
                           [&](auto call) { return bench.recorder.calls[call].saw("alerting"); });
      },
      5s));
  isdn::CallSetup one_more;
  one_more.called.digits = "4801234";
  const auto refused = bench.gateway->place_call(one_more);
  EXPECT_FALSE(refused);
  EXPECT_EQ(refused.refused, isdn::Cause::no_circuit_available);
  for (const auto call : calls) bench.gateway->hangup(call, isdn::Cause::normal_clearing);
  EXPECT_TRUE(run_until(
      bench.io, [&] { return bench.all_idle(); }, 5s));
}

TEST(IsdnCalls, LosingTheLineClearsCallsAndItsReturnRestartsChannels) {
  IsdnBench bench(tdm::Shape::e1);
  ASSERT_TRUE(bench.wait_ready());
  const auto call = bench.call("7773660");
  ASSERT_TRUE(bench.wait_event(call, "connect", 4s));

  bench.spans.a->cut_line(loopback::LoopbackSpan::Cut::both);
  ASSERT_TRUE(bench.wait_event(call, "cleared", 5s));
  EXPECT_EQ(bench.recorder.calls[call].cleared, isdn::Cause::network_out_of_order);
  EXPECT_TRUE(bench.gateway->alarms().has(tdm::Alarm::red));
  EXPECT_EQ(bench.gateway->call_count(), 0U);
  EXPECT_EQ(bench.gateway->channels().count(isdn::ChannelState::in_use), 0U);
  ASSERT_TRUE(run_until(
      bench.io, [&] { return bench.pstn->active_calls() == 0; }, 5s))
      << "the far end loses the call too";
  EXPECT_FALSE(bench.gateway->place_call({}).call != 0) << "no call while the line is down";
  // On a silent link Q.921 polls after T203 (10 s) and gives up after N200
  // unanswered polls (3 x T200): the D-channel alarm follows some 13 s later.
  ASSERT_TRUE(run_until(
      bench.io, [&] { return bench.gateway->alarms().has(tdm::Alarm::dchannel_down); }, 20s));
  EXPECT_TRUE(
      std::any_of(bench.recorder.alarms.begin(), bench.recorder.alarms.end(),
                  [](tdm::AlarmSet alarms) { return alarms.has(tdm::Alarm::dchannel_down); }))
      << "the listener was told";

  std::vector<int> restarted;
  bench.pstn->on_restart = [&](std::size_t, int timeslot) { restarted.push_back(timeslot); };
  bench.spans.a->cut_line(loopback::LoopbackSpan::Cut::none);
  ASSERT_TRUE(bench.wait_ready(15s));
  EXPECT_FALSE(bench.gateway->alarms().has(tdm::Alarm::dchannel_down)) << "the alarm clears";
  // Every channel restarted after the link came back, as the far end saw it.
  const auto missing = [&] {
    std::string slots;
    for (const int bearer : bench.spans.a->layout().bearers()) {
      if (std::find(restarted.begin(), restarted.end(), bearer) == restarted.end()) {
        slots += " " + std::to_string(bearer);
      }
    }
    return slots;
  };
  EXPECT_TRUE(run_until(
      bench.io, [&] { return missing().empty(); }, 5s))
      << "no RESTART reached the switch for channel(s)" << missing() << " of " << restarted.size()
      << " RESTARTs";
  const auto again = bench.call("7773660");
  ASSERT_TRUE(bench.wait_event(again, "connect", 4s));
  bench.gateway->hangup(again, isdn::Cause::normal_clearing);
  EXPECT_TRUE(run_until(
      bench.io, [&] { return bench.all_idle(); }, 3s));
}

TEST(IsdnCalls, ASixtyFourKilobitDChannelStillCarriesCalls) {
  loopback::LineOptions slow;
  slow.limit_dchannel = true;
  IsdnBench bench(tdm::Shape::e1, pstnsim::RuleSet::parse("* answer ring=0ms\n"), slow);
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(bench.wait_ready());
  // 30 RESTART / RESTART ACKNOWLEDGE round trips of about 20 octets each way
  // cannot take less than 30 x 2 x 20 x 125 us = 150 ms at 64 kbit/s.
  EXPECT_GE(std::chrono::steady_clock::now() - start, 150ms);
  const auto call = bench.call("7773660");
  ASSERT_TRUE(bench.wait_event(call, "connect", 3s));
  bench.gateway->hangup(call, isdn::Cause::normal_clearing);
  EXPECT_TRUE(run_until(
      bench.io, [&] { return bench.all_idle(); }, 3s));
}

TEST(IsdnCalls, TheSwitchGivesUpOnANeverAnsweredCallWithCause19) {
  IsdnBench bench(tdm::Shape::e1,
                  pstnsim::RuleSet::parse("480 no-answer timeout=300ms cause=19\n"));
  ASSERT_TRUE(bench.wait_ready());
  const auto call = bench.call("4801234");
  ASSERT_TRUE(bench.wait_event(call, "cleared", 3s));
  EXPECT_TRUE(bench.recorder.calls[call].saw("alerting"));
  EXPECT_EQ(bench.recorder.calls[call].cleared, isdn::Cause::no_answer);
  EXPECT_TRUE(run_until(
      bench.io, [&] { return bench.all_idle(); }, 3s));
}

}  // namespace
}  // namespace gw::test
