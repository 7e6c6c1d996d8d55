// The daemon under load and under abuse: 100 calls at once with audio
// flowing both ways, and the 49 RFC 4475 torture messages (each followed by
// an OPTIONS that must be answered; the invalid ones refused, no torture
// INVITE ever answered 2xx) followed by a normal call with its audio checked.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <set>
#include <string>

#include "tests/support/rfc4475.hpp"
#include "tests/system/audio_check.hpp"
#include "tests/system/system_fixture.hpp"

namespace gw::test {
namespace {

const std::string kPrivatePlanCall = "sip:7773660;phone-context=p1234@127.0.0.1;user=phone";

class SystemLoad : public GatewaySuite<SystemLoad> {
 public:
  static GatewaySetup setup() { return GatewaySetup{4, {}, {}}; }  // 120 B-channels
  static constexpr auto idle_timeout = std::chrono::seconds(15);
};

TEST_F(SystemLoad, HundredConcurrentCallsWithAudioAllSucceed) {
  // 100 calls started at 50/s, each held 4 s with SIPp echoing the
  // gateway's RTP back into it; at the peak all 100 are up at once.
  const int media_port = gateway_->sip_port() + 2;
  const pid_t sipp = start_sipp(*gateway_, "load.xml", {{"ruri", kPrivatePlanCall}},
                                {"-m", "100", "-l", "100", "-r", "50", "-d", "4000", "-rtp_echo",
                                 "-mp", std::to_string(media_port), "-max_socket", "500"});
  long peak_calls = 0;
  long peak_busy = 0;
  long peak_media = 0;
  for (int i = 0; i < 120 && ::kill(sipp, 0) == 0; ++i) {
    peak_calls = std::max(peak_calls, gateway_->status_sum("calls"));
    peak_busy = std::max(peak_busy, gateway_->status_sum("busy"));
    peak_media = std::max(peak_media, gateway_->status_sum("media-sessions"));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(finish_sipp(*gateway_, sipp, "load.xml", std::chrono::seconds(60)), 0);
  std::cout << "[ load     ] peak: " << peak_calls << " calls, " << peak_busy << " B-channels, "
            << peak_media << " RTP sessions" << std::endl;
  EXPECT_GE(peak_calls, 95) << "the calls did not overlap as intended";
  EXPECT_GE(peak_busy, 95);
}

TEST_F(SystemLoad, AFullGatewayAnswers503WithRetryAfterToCallsAndToOptions) {
  // 120 calls ringing (4801234 never answers) take every B-channel; then a
  // load balancer's OPTIONS and one more INVITE both get 503 with
  // Retry-After; the ringing calls are cancelled after 6 s.
  const pid_t ringing = start_sipp(
      *gateway_, "cancel.xml",
      {{"ruri", "sip:4801234;phone-context=p1234@127.0.0.1;user=phone"}, {"rtp_port", "9"}},
      {"-m", "120", "-l", "120", "-r", "100", "-d", "6000", "-max_socket", "500"});
  bool full = false;
  for (int i = 0; i < 50 && !full; ++i) {
    full = gateway_->status_sum("idle") == 0;
    if (!full) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(full) << gateway_->command("status");
  const auto options = start_sipp(*gateway_, "options_503.xml", {},
                                  {"-m", "1", "-p", std::to_string(gateway_->sip_port() + 3)});
  EXPECT_EQ(finish_sipp(*gateway_, options, "options_503.xml"), 0);
  const Refusal refusal{kPrivatePlanCall, 503, "34", true};
  const auto one_more = start_sipp(*gateway_, refusal_scenario(*gateway_, refusal, 1),
                                   {{"ruri", kPrivatePlanCall}, {"rtp_port", "9"}},
                                   {"-m", "1", "-p", std::to_string(gateway_->sip_port() + 4)});
  EXPECT_EQ(finish_sipp(*gateway_, one_more, "refused_1.xml"), 0);
  EXPECT_EQ(finish_sipp(*gateway_, ringing, "cancel.xml", std::chrono::seconds(60)), 0);
}

// RFC 4475 3.1.2: invalid, must be rejected (a 4xx, or dropped), never taken.
// badaspec (spaces inside < > in To) is accepted by Sofia-SIP's lenient
// parser; it is an OPTIONS-free INVITE to a user name, refused 484 anyway.
// Each may be dropped, but not all: those Sofia-SIP's parser refuses itself
// must get their 400, so a gateway that answers none of them fails.
void expect_invalid_ones_refused(std::map<std::string, std::set<int>>& answers) {
  const std::set<std::string> must_reject{"badinv01", "clerr",   "ncl",      "scalar02",
                                          "scalarlg", "quotbal", "ltgtruri", "lwsruri",
                                          "lwsstart", "trws",    "baddn",    "bigcode"};
  const std::set<std::string> refused_400{"baddn", "clerr", "ltgtruri", "lwsstart", "ncl"};
  for (const auto& name : must_reject) {
    const auto& codes = answers[name];
    for (const int code : codes) {
      EXPECT_TRUE(code == 100 || (code >= 400 && code < 500)) << name << " answered " << code;
    }
    // A 100 with no final answer after it means the request was taken.
    const bool refused =
        std::any_of(codes.begin(), codes.end(), [](int code) { return code >= 400 && code < 500; });
    EXPECT_TRUE(codes.empty() || refused) << name << " was taken, not refused";
    if (refused_400.contains(name)) {
      EXPECT_TRUE(codes.contains(400)) << name << " was not refused 400";
    }
  }
}

TEST_F(SystemLoad, TheGatewaySurvivesEveryRfc4475MessageAndACallWorksAfter) {
  ASSERT_TRUE(std::filesystem::is_directory(RFC4475_DIR))
      << RFC4475_DIR << " is missing: the tests read ../shared beside the clone";
  const auto files = torture_files(RFC4475_DIR);
  ASSERT_EQ(files.size(), 49U);
  RawPeer peer(gateway_->sip_port());
  ASSERT_TRUE(peer.bound()) << peer_address() << ":5060 is taken";
  std::map<std::string, std::set<int>> answers;
  int probe = 0;
  for (const auto& file : files) {
    const auto message = read_file(file);
    const auto call_id = call_id_of(message);
    peer.send(message);
    const auto probe_message = options_probe(++probe);
    for (const auto& answer : peer.responses(std::chrono::milliseconds(200))) {
      if (!call_id.empty() && answer.call_id == call_id) answers[file.stem()].insert(answer.code);
    }
    peer.send(probe_message);
    const auto after = peer.responses(std::chrono::milliseconds(3000), call_id_of(probe_message));
    for (const auto& answer : after) {
      if (!call_id.empty() && answer.call_id == call_id) answers[file.stem()].insert(answer.code);
    }
    ASSERT_TRUE(std::any_of(after.begin(), after.end(),
                            [](const auto& answer) { return answer.code == 200; }))
        << "sipgw did not answer OPTIONS after " << file.stem() << "\n"
        << gateway_->log();
  }
  expect_invalid_ones_refused(answers);
  // No torture INVITE reaches the PSTN: their Request-URIs are not numbers
  // the gateway can dial (RFC 4475's are user names at example hosts).
  for (const auto& [name, codes] : answers) {
    const bool invite =
        read_file(std::filesystem::path(RFC4475_DIR) / (name + ".dat")).rfind("INVITE", 0) == 0;
    for (const int code : codes) {
      EXPECT_FALSE(invite && code >= 200 && code < 300) << name << " was answered " << code;
    }
  }
  EXPECT_EQ(answers["mcl01"], std::set<int>{400});
  // RFC 4475 3.1.2 and 3.3: parsed, then answered 400 (a mismatched CSeq
  // method; two Content-Length headers).
  EXPECT_EQ(answers["mismatch01"], std::set<int>{400});
  EXPECT_EQ(answers["multi01"], std::set<int>{400});
  EXPECT_EQ(answers["invut"], (std::set<int>{100, 415})) << "unsupported body type";
  std::string table;
  for (const auto& [name, codes] : answers) {
    table += name + ":";
    for (const int code : codes) table += " " + std::to_string(code);
    table += "  ";
  }
  std::cout << "[ torture  ] " << table << std::endl;
  ASSERT_TRUE(gateway_->wait_idle(std::chrono::seconds(40)))
      << "a torture message left something behind:\n"
      << gateway_->command("status");
  // And a normal call, with its audio, right after.
  RtpPeer audio;
  const pid_t sipp =
      start_sipp(*gateway_, "call.xml",
                 {{"ruri", kPrivatePlanCall}, {"rtp_port", std::to_string(audio.port())}},
                 {"-m", "1", "-d", "3000"});
  expect_echo(audio, "a call after the torture messages");
  EXPECT_EQ(finish_sipp(*gateway_, sipp, "call.xml"), 0);
}

}  // namespace
}  // namespace gw::test
