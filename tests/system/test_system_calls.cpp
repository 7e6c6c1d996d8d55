// The call flows of issue 3 against the real sipgw daemon (--demo), driven
// by SIPp over loopback, with the caller's audio played and checked by the
// test's own RTP peer. One daemon serves the whole suite; after each test
// no call, B-channel, RTP session or PSTN call may be left.

#include <gtest/gtest.h>

#include <iostream>

#include <algorithm>
#include <map>
#include <memory>
#include <regex>

#include "tests/system/audio_check.hpp"
#include "tests/system/system_fixture.hpp"

namespace gw::test {
namespace {

std::string private_plan(const std::string& number) {
  return "sip:" + number + ";phone-context=p1234@127.0.0.1;user=phone";
}

class SystemCalls : public GatewaySuite<SystemCalls> {
 public:
  static GatewaySetup setup() { return GatewaySetup{2, {}, {}}; }
  static constexpr auto idle_timeout = std::chrono::seconds(10);

 protected:
  // Runs `scenario` for one call with the test's RTP peer as the caller's audio.
  int call(const std::string& scenario, const std::string& ruri, RtpPeer& peer,
           std::vector<std::string> extra = {}) {
    extra.insert(extra.end(), {"-m", "1"});
    return run_sipp(*gateway_, scenario,
                    {{"ruri", ruri}, {"rtp_port", std::to_string(peer.port())}}, extra);
  }

  // One call with `scenario`, held `hold_ms`: while it is up, the caller's
  // audio must come back through the PSTN (`what` names the call).
  static void call_with_echo(const std::string& scenario, const std::string& ruri, const char* what,
                             int hold_ms = 3000) {
    RtpPeer peer;
    std::map<std::string, std::string> keys{{"rtp_port", std::to_string(peer.port())}};
    if (!ruri.empty()) keys.emplace("ruri", ruri);
    const pid_t sipp =
        start_sipp(*gateway_, scenario, keys, {"-m", "1", "-d", std::to_string(hold_ms)});
    expect_echo(peer, what);
    EXPECT_EQ(finish_sipp(*gateway_, sipp, scenario), 0);
  }

  // The last call record's fields.
  static std::vector<std::string> last_record() { return gateway_->last_record(); }
};

// Record fields: start answered end call-id from request-uri called route
// trunk-group span timeslot sip-status q850-cause ended-by direction
// rtp-received rtp-lost jitter-ms.
enum Field {
  kAnswered = 1,
  kCalled = 6,
  kSipStatus = 11,
  kCause = 12,
  kEndedBy = 13,
  kDirection = 14,
  kRtpReceived = 15,
  kRtpLost = 16,
  kJitterMs = 17
};

TEST_F(SystemCalls, OptionsIsAnswered200) {
  EXPECT_EQ(run_sipp(*gateway_, "options.xml", {}, {"-m", "1"}), 0);
}

TEST_F(SystemCalls, CallToPrivatePlanNumberIsAnsweredAndTheAudioEchoes) {
  call_with_echo("call.xml", private_plan("7773660"), "7773660 in p1234");
  ASSERT_TRUE(gateway_->wait_idle(std::chrono::seconds(5)));
  const auto record = last_record();
  ASSERT_EQ(record.size(), 18U) << gateway_->call_records();
  EXPECT_EQ(record[kDirection], "to-pstn");
  // The peer sent its pattern paced in real time: the record counts it, with
  // no loss and the jitter of a loopback path (bounded loosely: a loaded
  // machine delays the sender too).
  EXPECT_GE(std::stoi(record[kRtpReceived]), 25) << "half a second of 20 ms packets";
  EXPECT_EQ(record[kRtpLost], "0");
  std::cout << "[ rtp      ] record: " << record[kRtpReceived] << " received, " << record[kRtpLost]
            << " lost, jitter " << record[kJitterMs] << " ms" << std::endl;
  EXPECT_LT(std::stod(record[kJitterMs]), 100.0);
  EXPECT_EQ(record[kCalled], "7773660");
  EXPECT_EQ(record[kSipStatus], "200");
  EXPECT_EQ(record[kCause], "16");
  EXPECT_EQ(record[kEndedBy], "caller");
  EXPECT_NE(record[kAnswered], "-");
}

// RFC 3550's interarrival jitter, end to end: a caller whose every other
// packet comes 15 ms late has a jitter of about 15 ms in its record (under
// 20 ms, so that each packet still goes before the next).
TEST_F(SystemCalls, ACallersUnevenPacketsShowAsJitterInItsRecord) {
  RtpPeer peer;
  const pid_t sipp =
      start_sipp(*gateway_, "call.xml",
                 {{"ruri", private_plan("7773660")}, {"rtp_port", std::to_string(peer.port())}},
                 {"-m", "1", "-d", "4000"});
  ASSERT_TRUE(peer.wait_for_packets(5, std::chrono::seconds(10)));
  const PcmuProbe probe(16000);  // 100 packets: the estimate settles within 1%
  peer.play(probe.pattern(), 0, true, std::chrono::milliseconds(15));
  EXPECT_EQ(finish_sipp(*gateway_, sipp, "call.xml"), 0);
  ASSERT_TRUE(gateway_->wait_idle(std::chrono::seconds(5)));
  const auto record = last_record();
  ASSERT_EQ(record.size(), 18U) << gateway_->call_records();
  std::cout << "[ rtp      ] uneven caller: " << record[kRtpReceived] << " received, jitter "
            << record[kJitterMs] << " ms" << std::endl;
  EXPECT_GE(std::stoi(record[kRtpReceived]), 100);
  // Loose bounds: the sender's and the gateway's threads wake late on a busy
  // machine, which moves what is measured by a few milliseconds either way.
  EXPECT_GT(std::stod(record[kJitterMs]), 10.0);
  EXPECT_LT(std::stod(record[kJitterMs]), 25.0);
}

TEST_F(SystemCalls, DraftSparksF2CommaFormReachesTheNumberWithAudio) {
  call_with_echo("draft_sparks_f2.xml", "", "draft-sparks 2.5 F2");
  ASSERT_TRUE(gateway_->wait_idle(std::chrono::seconds(5)));
  EXPECT_EQ(last_record()[kCalled], "7773660");
}

TEST_F(SystemCalls, DelayedOfferHasTheOfferIn200AndTheAnswerInTheAck) {
  call_with_echo("delayed_offer.xml", private_plan("7773660"), "RFC 3665 3.6 delayed offer");
}

TEST_F(SystemCalls, GlobalNumberIsDialledAndAnswered) {
  RtpPeer peer;
  EXPECT_EQ(call("call.xml", "sip:+1-555-123-4567@127.0.0.1;user=phone", peer, {"-d", "500"}), 0);
  ASSERT_TRUE(gateway_->wait_idle(std::chrono::seconds(5)));
  const auto record = last_record();
  EXPECT_EQ(record[kCalled], "15551234567");
  // The caller sent no RTP: nothing came, so nothing was lost.
  EXPECT_EQ(record[kRtpReceived], "0");
  EXPECT_EQ(record[kRtpLost], "0");
}

TEST_F(SystemCalls, TelUriIsDialled) {
  RtpPeer peer;
  EXPECT_EQ(call("call.xml", "tel:7773660;phone-context=p1234", peer, {"-d", "500"}), 0);
}

TEST_F(SystemCalls, CallOverTcp) {
  RtpPeer peer;
  EXPECT_EQ(call("call.xml", private_plan("7773660"), peer, {"-t", "t1", "-d", "500"}), 0);
}

TEST_F(SystemCalls, DtmfAsRfc4733ReachesThePstnAndComesBack) {
  // The digit is played on the B-channel as tones, the simulated PSTN echoes
  // them, the gateway detects them in-band and sends them to the caller as
  // RFC 4733 events: both directions of DTMF in one go.
  RtpPeer peer;
  const pid_t sipp =
      start_sipp(*gateway_, "call.xml",
                 {{"ruri", private_plan("7773660")}, {"rtp_port", std::to_string(peer.port())}},
                 {"-m", "1", "-d", "3000"});
  ASSERT_TRUE(peer.wait_for_packets(5, std::chrono::seconds(10)));
  peer.clear();
  peer.send_digit(7, 101);
  int events = 0;
  bool seven = false;
  bool ended = false;
  // Until the event's end comes back, which is the last of it.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!ended && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    events = 0;
    for (const auto& packet : peer.packets()) {
      if (packet.payload_type != 101 || packet.payload.size() < 4) continue;
      ++events;
      seven = seven || std::to_integer<int>(packet.payload[0]) == 7;
      ended = ended || (std::to_integer<int>(packet.payload[1]) & 0x80) != 0;
    }
  }
  EXPECT_GT(events, 0) << "no RFC 4733 event came back";
  EXPECT_TRUE(seven) << "the event that came back is not digit 7";
  EXPECT_TRUE(ended) << "no end-of-event packet";
  EXPECT_EQ(finish_sipp(*gateway_, sipp, "call.xml"), 0);
}

TEST_F(SystemCalls, PstnRefusalsGetTheRfc3398StatusWithTheQ850Reason) {
  const Refusal refusals[] = {
      {private_plan("4865551"), 486, "17"},
      {private_plan("4041234"), 404, "1"},
      {private_plan("5031234"), 503, "34"},
  };
  int index = 0;
  for (const auto& refusal : refusals) {
    RtpPeer peer;
    EXPECT_EQ(call(refusal_scenario(*gateway_, refusal, ++index), refusal.ruri, peer), 0)
        << refusal.ruri << " should be refused " << refusal.status;
    ASSERT_TRUE(gateway_->wait_idle(std::chrono::seconds(5)));
    const auto record = last_record();
    EXPECT_EQ(record[kSipStatus], std::to_string(refusal.status));
    EXPECT_EQ(record[kCause], refusal.reason);
    EXPECT_EQ(record[kEndedBy], "pstn");
  }
}

TEST_F(SystemCalls, NumbersTheGatewayCannotRouteOrDialAreRefusedWithAWarning) {
  const Refusal refusals[] = {
      {"sip:7773660;phone-context=p9999@127.0.0.1;user=phone", 404, ""},  // no route
      {"sip:alice;phone-context=p1234@127.0.0.1;user=phone", 484, ""},    // not a number
      {"sip:7773660@127.0.0.1;user=phone", 484, ""},  // local number without a context
  };
  int index = 10;
  for (const auto& refusal : refusals) {
    RtpPeer peer;
    EXPECT_EQ(call(refusal_scenario(*gateway_, refusal, ++index), refusal.ruri, peer), 0)
        << refusal.ruri << " should be refused " << refusal.status;
    ASSERT_TRUE(gateway_->wait_idle(std::chrono::seconds(5)));
    EXPECT_EQ(last_record()[kCause], "0") << "no ISDN call should have been placed";
  }
}

TEST_F(SystemCalls, CancelWhileRingingGets487AndClearsTheIsdnCall) {
  RtpPeer peer;
  EXPECT_EQ(call("cancel.xml", private_plan("4801234"), peer, {"-d", "500"}), 0);
  ASSERT_TRUE(gateway_->wait_idle(std::chrono::seconds(5)));
  const auto record = last_record();
  EXPECT_EQ(record[kSipStatus], "487");
  EXPECT_EQ(record[kCause], "16");
  EXPECT_EQ(record[kEndedBy], "caller");
}

TEST_F(SystemCalls, FarEndHangupSendsByeWithTheQ850Reason) {
  RtpPeer peer;
  EXPECT_EQ(call("far_end_hangup.xml", private_plan("2001234"), peer), 0);
  ASSERT_TRUE(gateway_->wait_idle(std::chrono::seconds(5)));
  EXPECT_EQ(last_record()[kEndedBy], "pstn");
}

// Calls 1831234 with `scenario`: pstnsim plays a 425 Hz tone for 2 s before
// it answers, and the tone must be in the audio that came before the answer.
void expect_announcement_before_the_answer(const GatewayProcess& gateway,
                                           const std::string& scenario) {
  RtpPeer peer;
  const pid_t sipp =
      start_sipp(gateway, scenario,
                 {{"ruri", private_plan("1831234")}, {"rtp_port", std::to_string(peer.port())}},
                 {"-m", "1", "-d", "1000"});
  ASSERT_TRUE(peer.wait_for_packets(40, std::chrono::seconds(10)));
  const auto audio = peer.recorded(0);
  double loudest = -100;
  for (std::size_t at = 0; at + 160 <= audio.size(); at += 160) {
    loudest = std::max(
        loudest, dsp::tone_level_dbm0(tdm::Law::mulaw, std::span(audio).subspan(at, 160), 425));
  }
  EXPECT_GT(loudest, -20.0) << "no 425 Hz announcement tone in the early media";
  EXPECT_EQ(finish_sipp(gateway, sipp, scenario), 0);
}

TEST_F(SystemCalls, EarlyMediaIs183WithSdpAndTheAnnouncementReachesTheCaller) {
  expect_announcement_before_the_answer(*gateway_, "early_media.xml");
}

// Most phones say "Supported: 100rel": the 183 then comes reliably and the
// call goes on once it is PRACKed (RFC 3262).
TEST_F(SystemCalls, ACallerWith100relGetsAReliable183ThatItsPrackAcknowledges) {
  expect_announcement_before_the_answer(*gateway_, "early_media_100rel.xml");
  ASSERT_TRUE(gateway_->wait_idle(std::chrono::seconds(5)));
  EXPECT_EQ(last_record()[kCause], "16");
}

// A proxy or phone that tries a transfer gets 405 (the gateway does no
// REFER), and the call is not disturbed: its audio still echoes.
TEST_F(SystemCalls, ARequestTheGatewayDoesNotTakeInACallGets405AndTheCallGoesOn) {
  call_with_echo("refer_405.xml", private_plan("7773660"), "7773660 in p1234, after the REFER",
                 2000);
  ASSERT_TRUE(gateway_->wait_idle(std::chrono::seconds(5)));
  EXPECT_EQ(last_record()[kEndedBy], "caller");
}

// Holds for 2 s in the middle of a 5 s call: RTP from the gateway must stop
// (no audio towards a held party) and come back after the resume.
void expect_hold_gap(const RtpPeer& peer) {
  const auto packets = peer.packets();
  ASSERT_GT(packets.size(), 50U);
  std::chrono::milliseconds longest{0};
  std::size_t after = 0;
  for (std::size_t i = 1; i < packets.size(); ++i) {
    const auto gap = std::chrono::duration_cast<std::chrono::milliseconds>(packets[i].arrival -
                                                                           packets[i - 1].arrival);
    if (gap > longest) {
      longest = gap;
      after = packets.size() - i;
    }
  }
  EXPECT_GE(longest.count(), 1500) << "RTP kept flowing to the held party";
  EXPECT_LE(longest.count(), 3000) << "RTP did not come back after the resume";
  EXPECT_GT(after, 25U) << "too little RTP after the resume";
}

TEST_F(SystemCalls, HoldWithSendonlyIsAnsweredRecvonlyAndStopsTheAudio) {
  RtpPeer peer;
  EXPECT_EQ(call("hold_sendonly.xml", private_plan("7773660"), peer), 0);
  expect_hold_gap(peer);
}

TEST_F(SystemCalls, HoldWithInactiveIsAnsweredInactive) {
  RtpPeer peer;
  EXPECT_EQ(call("hold_inactive.xml", private_plan("7773660"), peer), 0);
  expect_hold_gap(peer);
}

TEST_F(SystemCalls, HoldWithConnectionZeroAsTheServiceExamplesDoIt) {
  RtpPeer peer;
  EXPECT_EQ(call("hold_c0.xml", private_plan("7773660"), peer), 0);
  expect_hold_gap(peer);
}

}  // namespace
}  // namespace gw::test
