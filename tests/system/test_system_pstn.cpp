// Calls from the PSTN to SIP against the real sipgw daemon: the simulated
// PSTN places them (through the gateway's control socket), SIPp plays the
// SIP side (a phone, a refusing peer, a challenging proxy), and the test
// checks the INVITE as it arrived, the Q.931 events the PSTN saw, the
// audio, and the call records.

#include <gtest/gtest.h>
#include <poll.h>

#include "tests/system/audio_check.hpp"
#include "tests/system/system_fixture.hpp"

namespace gw::test {
namespace {

int sipp_port() {
  return GatewayProcess::sip_port_of_this_process() + 1;
}

// span1 (trunk t1) sends its calls to the SIPp phone; span2 (trunk t2)
// first to a port where nobody listens, then to the phone.
std::string pstn_plan(const std::string& outbound_proxy = {}) {
  const std::string phone = "127.0.0.1:" + std::to_string(sipp_port());
  const std::string nobody = "127.0.0.1:" + std::to_string(sipp_port() + 8);
  return R"({
  "trust": {"peers": ["127.0.0.1"]},
  "trunks": [
    {"name": "t1", "spans": ["span1"], "private_context": "p1234", "public_context": "+1212",
     "sip_peers": [")" +
         phone + R"("]},
    {"name": "t2", "spans": ["span2"], "sip_peers": [")" +
         nobody + R"(", ")" + phone + R"("]}
  ],
  "trunk_groups": [{"name": "A", "trunks": ["t1", "t2"]}],
  "routes": [{"name": "p1234", "match": {"phone_context": "p1234"}, "trunk_groups": ["A"]}],
  "credentials": [{"realm": "example.com", "user": "gw1", "password": "s3cret"}],
  "screening": {"blocked_callers": ["+4969"]},
  "outbound_proxy": ")" +
         outbound_proxy + R"("
}
)";
}

// A call the simulated PSTN places towards the gateway, and the Q.931
// events it sees: "proceeding", "alerting", "progress", "connect",
// "cleared CAUSE".
class PstnCall {
 public:
  PstnCall(const GatewayProcess& gateway, const std::string& arguments) : gateway_(gateway) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    const std::string path = (gateway.dir() / "sipgw.ctl").string();
    path.copy(address.sun_path, sizeof address.sun_path - 1);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) return;
    const std::string request = "pstn call " + arguments + "\n";
    if (::write(fd_, request.data(), request.size()) != static_cast<ssize_t>(request.size()))
      return;
    const std::string reply = next_line(5s);
    if (reply.rfind("ok ", 0) == 0) id_ = reply.substr(3);
    placed_reply_ = reply;
  }
  PstnCall(const PstnCall&) = delete;
  PstnCall& operator=(const PstnCall&) = delete;
  ~PstnCall() { ::close(fd_); }

  [[nodiscard]] bool placed() const { return !id_.empty(); }
  [[nodiscard]] const std::string& reply() const { return placed_reply_; }

  // Waits for an event starting with `what`; false if the call cleared (or
  // time ran out) first. Every event seen is kept in events().
  bool wait_for(const std::string& what, std::chrono::milliseconds timeout = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (const auto& seen : events_) {
      if (seen.rfind(what, 0) == 0) return true;
    }
    while (std::chrono::steady_clock::now() < deadline) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      const std::string line = next_line(left);
      const std::string prefix = "event " + id_ + " ";
      if (line.rfind(prefix, 0) != 0) continue;
      events_.push_back(line.substr(prefix.size()));
      if (events_.back().rfind(what, 0) == 0) return true;
      if (events_.back().rfind("cleared", 0) == 0) return false;
    }
    return false;
  }
  // The cause the gateway cleared the call with; -1 when it did not.
  int cleared_cause(std::chrono::milliseconds timeout = 15s) {
    if (!wait_for("cleared", timeout)) return -1;
    for (const auto& seen : events_) {
      if (seen.rfind("cleared ", 0) == 0) return std::stoi(seen.substr(8));
    }
    return -1;
  }
  void hang_up() const { EXPECT_EQ(gateway_.command("pstn hangup " + id_ + " 16"), "ok\n"); }
  [[nodiscard]] std::string events() const {
    std::string text;
    for (const auto& seen : events_) text += seen + "; ";
    return text;
  }

 private:
  std::string next_line(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      if (const auto end = buffer_.find('\n'); end != std::string::npos) {
        std::string line = buffer_.substr(0, end);
        buffer_.erase(0, end + 1);
        return line;
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return {};
      pollfd readable{fd_, POLLIN, 0};
      if (::poll(&readable, 1, static_cast<int>(left.count())) <= 0) return {};
      char chunk[1024];
      const auto got = ::read(fd_, chunk, sizeof chunk);
      if (got <= 0) return {};
      buffer_.append(chunk, static_cast<std::size_t>(got));
    }
  }

  const GatewayProcess& gateway_;
  int fd_ = -1;
  std::string id_;
  std::string placed_reply_;
  std::string buffer_;
  std::vector<std::string> events_;
};

// The first INVITE SIPp received, from its message trace.
std::string received_invite(const GatewayProcess& gateway, const std::string& scenario) {
  const std::string trace = read_text((gateway.dir() / (scenario + ".messages")).string());
  const auto start = trace.find("INVITE sip:");
  if (start == std::string::npos) return {};
  return trace.substr(start, trace.find("\n\n", start) - start);
}

// sipp/uas_refuse.xml.in for one refusal, written as uas_refuse.xml in the
// gateway's directory (SIPp checks status codes before keys are known).
std::string refusing_phone(const GatewayProcess& gateway, const std::string& status,
                           const std::string& phrase, const std::string& header) {
  std::string scenario = read_text(std::string(SIPP_SCENARIOS) + "/uas_refuse.xml.in");
  for (const auto& [marker, text] : {std::pair{"@STATUS@", status}, std::pair{"@PHRASE@", phrase},
                                     std::pair{"@HEADER@", header}}) {
    for (auto at = scenario.find(marker); at != std::string::npos; at = scenario.find(marker)) {
      scenario.replace(at, std::string_view(marker).size(), text);
    }
  }
  const auto path = gateway.dir() / "uas_refuse.xml";
  std::ofstream(path) << scenario;
  return path.string();
}

class SystemPstn : public GatewaySuite<SystemPstn> {
 public:
  static GatewaySetup setup() { return GatewaySetup{2, {}, pstn_plan()}; }
  static constexpr auto idle_timeout = 10s;

 protected:
  // SIPp as the SIP side, listening before the PSTN call is placed.
  static pid_t start_phone(const std::string& scenario,
                           const std::map<std::string, std::string>& keys) {
    const pid_t sipp = start_sipp(*gateway_, scenario, keys, {"-m", "1"});
    EXPECT_TRUE(wait_for_udp_port(sipp_port(), 10s)) << "SIPp did not bind its port";
    return sipp;
  }
  // A SIP side answering with `scenario`: 183 with SDP, the 200 1.5 s later.
  static void expect_progress_then_answer(const std::string& scenario) {
    RtpPeer peer;
    const pid_t sipp = start_phone(scenario, {{"rtp_port", std::to_string(peer.port())}});
    PstnCall call(*gateway_, "5550000 7773660 span1 called=subscriber/private");
    ASSERT_TRUE(call.placed()) << call.reply();
    ASSERT_TRUE(call.wait_for("progress")) << "183 with SDP is PROGRESS: " << call.events();
    // The B-channel is cut through before the answer: its audio reaches the
    // SIP side while the PSTN call is not connected yet. The simulated PSTN
    // echoes only once connected, so the content is checked after the answer.
    ASSERT_TRUE(peer.wait_for_packets(5, 1s)) << "no early RTP from the gateway";
    EXPECT_EQ(call.events().find("connect"), std::string::npos) << "answered too soon to tell";
    EXPECT_TRUE(call.wait_for("connect")) << call.events();
    expect_echo(peer, "after an early-media answer");
    call.hang_up();
    EXPECT_EQ(finish_sipp(*gateway_, sipp, scenario), 0);
  }
  static std::vector<std::string> last_record() { return gateway_->last_record(); }
  static constexpr std::size_t kSpan = 9;
  static constexpr std::size_t kSipStatus = 11;
  static constexpr std::size_t kCause = 12;
  static constexpr std::size_t kEndedBy = 13;
  static constexpr std::size_t kDirection = 14;
};

TEST_F(SystemPstn, APrivatePlanCallRingsIsAnsweredCarriesAudioAndTheCallerHangsUp) {
  RtpPeer peer;
  const pid_t sipp = start_phone("uas_answer.xml", {{"rtp_port", std::to_string(peer.port())}});
  PstnCall call(*gateway_, "+4930123 7773660 span1 called=subscriber/private");
  ASSERT_TRUE(call.placed()) << call.reply();
  EXPECT_TRUE(call.wait_for("proceeding")) << call.events();
  EXPECT_TRUE(call.wait_for("alerting")) << "180 must ring the PSTN caller: " << call.events();
  ASSERT_TRUE(call.wait_for("connect")) << call.events() << gateway_->log();

  // The PSTN echoes what it hears: a pattern the phone sends must come back.
  expect_echo(peer, "a PSTN call to a SIP phone");

  call.hang_up();
  EXPECT_EQ(finish_sipp(*gateway_, sipp, "uas_answer.xml"), 0);
  const std::string invite = received_invite(*gateway_, "uas_answer.xml");
  const std::string port = std::to_string(sipp_port());
  EXPECT_NE(invite.find("INVITE sip:7773660;phone-context=p1234@127.0.0.1:" + port +
                        ";user=phone SIP/2.0"),
            std::string::npos)
      << invite;
  EXPECT_NE(invite.find("From: <sip:+4930123@"), std::string::npos) << invite;
  EXPECT_NE(invite.find("P-Asserted-Identity: <sip:+4930123@"), std::string::npos) << invite;
  EXPECT_EQ(invite.find("Privacy:"), std::string::npos) << invite;
  ASSERT_TRUE(gateway_->wait_idle(5s));
  const auto record = last_record();
  ASSERT_GT(record.size(), kDirection);
  EXPECT_EQ(record[kDirection], "from-pstn");
  EXPECT_EQ(record[kSipStatus], "200");
  EXPECT_EQ(record[kEndedBy], "pstn");
}

TEST_F(SystemPstn, ARestrictedForwardedCallerIsAnonymousAssertedAndCarriesDiversion) {
  const pid_t sipp = start_phone(refusing_phone(*gateway_, "486", "Busy Here", "X-Test: 1"), {});
  PstnCall call(*gateway_,
                "5550000 5551234 span1 called=subscriber/isdn calling=subscriber/isdn restricted "
                "redirecting=+15550001/1");
  ASSERT_TRUE(call.placed()) << call.reply();
  EXPECT_EQ(call.cleared_cause(), 17) << "486 is cause 17: " << call.events();
  EXPECT_EQ(finish_sipp(*gateway_, sipp, "uas_refuse.xml"), 0);
  const std::string invite = received_invite(*gateway_, "uas_refuse.xml");
  EXPECT_NE(invite.find("INVITE sip:5551234;phone-context=+1212@"), std::string::npos) << invite;
  EXPECT_NE(invite.find("From: \"Anonymous\" <sip:anonymous@anonymous.invalid>"), std::string::npos)
      << invite;
  EXPECT_NE(invite.find("P-Asserted-Identity: <sip:5550000;phone-context=+1212@"),
            std::string::npos)
      << invite;
  EXPECT_NE(invite.find("Privacy: id"), std::string::npos) << invite;
  EXPECT_NE(invite.find("Diversion: <sip:+15550001@"), std::string::npos) << invite;
  EXPECT_NE(invite.find(";reason=user-busy;counter=1"), std::string::npos) << invite;
}

TEST_F(SystemPstn, EarlyMediaIsProgressWithInbandAudioBeforeTheAnswer) {
  expect_progress_then_answer("uas_early_media.xml");
}

// A SIP side that sends its 183 reliably gets our PRACK (RFC 3262), and the
// call goes on as with an unreliable one.
TEST_F(SystemPstn, AReliable183IsPrackedAndIsProgress) {
  expect_progress_then_answer("uas_early_media_100rel.xml");
}

TEST_F(SystemPstn, APstnCallNamesItsSpanAsTheTrunkDoes) {
  // Every other command names a span as the plan does; so does "pstn call".
  const std::string refused = gateway_->command("pstn call 5550000 7773660 0");
  EXPECT_EQ(refused.rfind("error 0 no span '0'", 0), 0U) << refused;
  EXPECT_NE(refused.find("span1, span2"), std::string::npos) << "the spans there are: " << refused;
  const pid_t sipp = start_phone(refusing_phone(*gateway_, "486", "Busy Here", ""), {});
  PstnCall call(*gateway_, "5550000 7773660 span1 called=subscriber/private");
  ASSERT_TRUE(call.placed()) << call.reply();
  EXPECT_EQ(call.cleared_cause(), 17) << call.events();
  EXPECT_EQ(finish_sipp(*gateway_, sipp, "uas_refuse.xml"), 0);
  EXPECT_EQ(last_record()[kSpan], "span1") << "placed on the span it named";
}

TEST_F(SystemPstn, TheRouteTesterShowsWhereASetupWouldGo) {
  const std::string decision = gateway_->command("route-pstn span1 7773660 subscriber/private");
  EXPECT_NE(decision.find("route: trunk:t1\n"), std::string::npos) << decision;
  EXPECT_NE(decision.find("request-user: 7773660;phone-context=p1234\n"), std::string::npos)
      << decision;
  EXPECT_NE(decision.find("sip-peers: 127.0.0.1:" + std::to_string(sipp_port())), std::string::npos)
      << decision;
  EXPECT_EQ(gateway_->command("route-pstn span1 7773660 sideways/private").rfind("error", 0), 0U);
}

TEST_F(SystemPstn, EachSipRefusalClearsThePstnCallWithItsRfc3398Cause) {
  struct Case {
    std::string status, phrase, header;
    int cause;
  };
  const Case cases[] = {
      {"404", "Not Found", "X-Test: 1", 1},
      {"480", "Temporarily Unavailable", "X-Test: 1", 18},
      {"603", "Decline", "X-Test: 1", 21},
      {"503", "Service Unavailable", "X-Test: 1", 41},
      {"484", "Address Incomplete", "X-Test: 1", 28},
      // The Reason header wins over the status (RFC 3398 7.2.4.1 note).
      {"480", "Temporarily Unavailable", "Reason: Q.850;cause=19", 19},
  };
  for (const auto& c : cases) {
    const pid_t sipp = start_phone(refusing_phone(*gateway_, c.status, c.phrase, c.header), {});
    PstnCall call(*gateway_, "5550000 7773660 span1 called=subscriber/private");
    ASSERT_TRUE(call.placed()) << call.reply();
    EXPECT_EQ(call.cleared_cause(), c.cause)
        << c.status << " " << c.header << ": " << call.events();
    EXPECT_EQ(finish_sipp(*gateway_, sipp, "uas_refuse.xml"), 0) << c.status;
    ASSERT_TRUE(gateway_->wait_idle(5s));
    EXPECT_EQ(last_record()[kSipStatus], c.status);
    EXPECT_EQ(last_record()[kCause], std::to_string(c.cause));
  }
}

TEST_F(SystemPstn, TheSipSideHangsUpAndThePstnCallClearsNormally) {
  RtpPeer peer;
  const pid_t sipp = start_phone("uas_hangup.xml", {{"rtp_port", std::to_string(peer.port())}});
  // An unscreened calling number is passed on, but not asserted.
  PstnCall call(*gateway_, "5550000 7773660 span1 called=subscriber/private unscreened");
  ASSERT_TRUE(call.placed()) << call.reply();
  EXPECT_TRUE(call.wait_for("connect")) << call.events();
  // Inside the call the phone sends OPTIONS and a re-INVITE: the call goes on.
  EXPECT_EQ(call.cleared_cause(), 16) << call.events();
  EXPECT_EQ(finish_sipp(*gateway_, sipp, "uas_hangup.xml"), 0);
  ASSERT_TRUE(gateway_->wait_idle(5s));
  EXPECT_EQ(last_record()[kEndedBy], "sip");
  const std::string invite = received_invite(*gateway_, "uas_hangup.xml");
  EXPECT_NE(invite.find("From: <sip:5550000;phone-context=+1212@"), std::string::npos) << invite;
  EXPECT_EQ(invite.find("P-Asserted-Identity"), std::string::npos) << invite;
}

TEST_F(SystemPstn, A180AfterA183WithoutSdpStillRingsThePstnCaller) {
  const pid_t sipp = start_phone("uas_progress_then_ring.xml", {});
  PstnCall call(*gateway_, "5550000 7773660 span1 called=subscriber/private");
  ASSERT_TRUE(call.placed()) << call.reply();
  EXPECT_TRUE(call.wait_for("alerting")) << call.events();
  EXPECT_EQ(call.cleared_cause(), 17) << call.events();
  EXPECT_EQ(finish_sipp(*gateway_, sipp, "uas_progress_then_ring.xml"), 0);
}

TEST_F(SystemPstn, AScreenedCallerIsRejectedWithCause21AndNoInvite) {
  PstnCall call(*gateway_, "+4969123 7773660 span1 called=subscriber/private");
  ASSERT_TRUE(call.placed()) << call.reply();
  EXPECT_EQ(call.cleared_cause(), 21) << call.events();
}

TEST_F(SystemPstn, ThePstnCallerGivingUpWhileItRingsCancelsTheInvite) {
  const pid_t sipp = start_phone("uas_cancelled.xml", {});
  PstnCall call(*gateway_, "5550000 7773660 span1 called=subscriber/private");
  ASSERT_TRUE(call.placed()) << call.reply();
  ASSERT_TRUE(call.wait_for("alerting")) << call.events();
  call.hang_up();
  EXPECT_EQ(finish_sipp(*gateway_, sipp, "uas_cancelled.xml"), 0);
  ASSERT_TRUE(gateway_->wait_idle(5s));
  EXPECT_EQ(last_record()[kSipStatus], "487");
  EXPECT_EQ(last_record()[kEndedBy], "pstn");
}

TEST_F(SystemPstn, AChallengedInviteIsSentAgainWithDigestCredentials) {
  RtpPeer peer;
  const pid_t sipp = start_phone("uas_challenge.xml", {{"rtp_port", std::to_string(peer.port())}});
  PstnCall call(*gateway_, "5550000 7773660 span1 called=subscriber/private");
  ASSERT_TRUE(call.placed()) << call.reply();
  EXPECT_TRUE(call.wait_for("connect")) << call.events() << gateway_->log();
  call.hang_up();
  EXPECT_EQ(finish_sipp(*gateway_, sipp, "uas_challenge.xml"), 0);
}

TEST_F(SystemPstn, AProxyChallengeIsAnsweredWithProxyAuthorization) {
  RtpPeer peer;
  const pid_t sipp =
      start_phone("uas_challenge_proxy.xml", {{"rtp_port", std::to_string(peer.port())}});
  PstnCall call(*gateway_, "5550000 7773660 span1 called=subscriber/private");
  ASSERT_TRUE(call.placed()) << call.reply();
  EXPECT_TRUE(call.wait_for("connect")) << call.events() << gateway_->log();
  call.hang_up();
  EXPECT_EQ(finish_sipp(*gateway_, sipp, "uas_challenge_proxy.xml"), 0);
}

// The plan is changed while the gateway runs (import, then reload): every
// INVITE now goes through the outbound proxy, here the SIPp phone, even the
// one whose Request-URI names the peer nobody listens on.
TEST_F(SystemPstn, AnOutboundProxyTakesEveryInviteWhateverItsRequestUri) {
  const auto import_plan = [](const std::string& plan) {
    std::ofstream(gateway_->dir() / "proxy-plan.json") << plan;
    std::string output;
    EXPECT_EQ(run_sipgw({"import", "--data-dir", gateway_->dir().string(),
                         (gateway_->dir() / "proxy-plan.json").string()},
                        (gateway_->dir() / "proxy-import.out").string(), &output),
              0)
        << output;
  };
  import_plan(pstn_plan("127.0.0.1:" + std::to_string(sipp_port())));
  RtpPeer peer;
  const pid_t sipp = start_phone("uas_answer.xml", {{"rtp_port", std::to_string(peer.port())}});
  PstnCall call(*gateway_, "+4930123 3001 span2");  // span2: its first peer is nobody
  ASSERT_TRUE(call.placed()) << call.reply();
  EXPECT_TRUE(call.wait_for("connect")) << call.events() << gateway_->log();
  call.hang_up();
  EXPECT_EQ(finish_sipp(*gateway_, sipp, "uas_answer.xml"), 0);
  const std::string invite = received_invite(*gateway_, "uas_answer.xml");
  EXPECT_EQ(invite.rfind("INVITE sip:3001@127.0.0.1:" + std::to_string(sipp_port() + 8) + " ", 0),
            0U)
      << "the INVITE for the first peer reached the proxy:\n"
      << invite;
  import_plan(pstn_plan());
}

TEST_F(SystemPstn, AnOperatorHangsUpACallFromTheControlSocket) {
  RtpPeer peer;
  const pid_t sipp = start_phone("uas_answer.xml", {{"rtp_port", std::to_string(peer.port())}});
  PstnCall call(*gateway_, "5550000 7773660 span1 called=subscriber/private");
  ASSERT_TRUE(call.placed()) << call.reply();
  ASSERT_TRUE(call.wait_for("connect")) << call.events();
  // "call N active span1/31 7773660": the call's number is the first word.
  std::istringstream status(gateway_->command("status"));
  std::string number;
  for (std::string word; status >> word;) {
    if (word == "call" && status >> number) break;
  }
  ASSERT_FALSE(number.empty()) << gateway_->command("status");
  EXPECT_EQ(gateway_->command("hangup " + number), "ok\n");
  EXPECT_EQ(call.cleared_cause(), 16) << call.events();
  EXPECT_EQ(finish_sipp(*gateway_, sipp, "uas_answer.xml"), 0) << "BYE with cause 16";
  ASSERT_TRUE(gateway_->wait_idle(5s));
  EXPECT_EQ(last_record()[kEndedBy], "gateway");
  EXPECT_EQ(gateway_->command("hangup " + number).rfind("error no call", 0), 0U);
}

TEST_F(SystemPstn, AChannelTakenOutOfServiceIsNotUsedUntilItIsBack) {
  // The gateway (CPE) hunts from channel 1: with 1 out, a call takes 2.
  EXPECT_EQ(gateway_->command("service span1 1 out"), "ok\n");
  EXPECT_NE(gateway_->command("status").find("idle 29 "), std::string::npos)
      << gateway_->command("status");
  EXPECT_EQ(gateway_->command("service span1 16 out").rfind("error", 0), 0U)
      << "16 is the D-channel";
  RtpPeer peer;
  const auto call_out = [&] {
    return run_sipp(*gateway_, "call.xml",
                    {{"ruri", "sip:7773660;phone-context=p1234@127.0.0.1;user=phone"},
                     {"rtp_port", std::to_string(peer.port())}},
                    {"-m", "1", "-d", "100", "-p", std::to_string(sipp_port() + 2)});
  };
  EXPECT_EQ(call_out(), 0);
  EXPECT_NE(gateway_->log().rfind("/t1/span1 B2"), std::string::npos) << "channel 1 was used";
  EXPECT_EQ(gateway_->command("service span1 1 in"), "ok\n");
  ASSERT_TRUE(gateway_->wait_idle(5s));
  EXPECT_EQ(call_out(), 0);
  const std::string log = gateway_->log();
  EXPECT_GT(log.rfind("/t1/span1 B1"), log.rfind("/t1/span1 B2")) << "channel 1 is back";
}

TEST_F(SystemPstn, APeerThatCannotBeReachedIsPassedOverForTheNext) {
  RtpPeer peer;
  const pid_t sipp = start_phone("uas_answer.xml", {{"rtp_port", std::to_string(peer.port())}});
  PstnCall call(*gateway_, "+4930123 3001 span2");  // span2: nobody first, then the phone
  ASSERT_TRUE(call.placed()) << call.reply();
  EXPECT_TRUE(call.wait_for("connect", 40s)) << call.events() << gateway_->log();
  call.hang_up();
  EXPECT_EQ(finish_sipp(*gateway_, sipp, "uas_answer.xml"), 0);
  EXPECT_NE(gateway_->log().find("trying the next peer"), std::string::npos);
}

}  // namespace
}  // namespace gw::test
