// Call control on its own: CallBridge between a fake SIP stack and fake ISDN
// spans (tests/fakes), with the real dialplan and the real media engine on
// loopback ports. Each test plays one side's events and checks what the
// bridge asked of the other, so the bridge's logic is tested without the
// daemon, Sofia-SIP or libpri.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <string>
#include <vector>

#include "dialplan/router.hpp"
#include "dialplan/validate.hpp"
#include "gateway/core/call_bridge.hpp"
#include "tests/fakes/fake_signalling_span.hpp"
#include "tests/fakes/fake_sip_legs.hpp"

namespace gw::core {
namespace {

using fakes::FakeSignallingSpan;
using fakes::FakeSipLegs;

// Two spans, one trunk group each; p1234 goes out on A, then on B for
// causes 17 and 34. Calls from span s1 go to two SIP peers in turn.
dialplan::Plan plan() {
  dialplan::Plan plan;
  for (const auto* name : {"t1", "t2"}) {
    dialplan::Trunk trunk;
    trunk.name = name;
    trunk.spans = {name == std::string("t1") ? "s1" : "s2"};
    trunk.called_ton = isdn::Ton::subscriber;
    trunk.private_context = "p1234";
    plan.trunks.push_back(trunk);
  }
  plan.trunks[0].sip_peers = {"127.0.0.1:5999", "127.0.0.1:5998"};
  plan.trunk_groups = {{"A", {"t1"}, isdn::Hunting::ascending, 0},
                       {"B", {"t2"}, isdn::Hunting::ascending, 0}};
  dialplan::Route route;
  route.name = "p1234";
  route.match.phone_context = "p1234";
  route.trunk_groups = {"A", "B"};
  route.failover_causes = {17, 34};
  plan.routes.push_back(route);
  return plan;
}

// A port range of this test process's own (16000-20799): apart from the
// media engine's and SIP stack's component tests and the system tests.
media::MediaConfig media_config() {
  media::MediaConfig config;
  config.port_min = static_cast<std::uint16_t>(16000 + (::getpid() % 150) * 32);
  config.port_max = static_cast<std::uint16_t>(config.port_min + 31);
  config.workers = 1;
  return config;
}

media::SessionDescription offer_from(std::uint16_t port) {
  media::Origin origin{4242, 0};
  return media::make_offer(media::MediaCapabilities{}, {"127.0.0.1", port}, origin);
}

// The caller's RTP socket on loopback.
class UdpPeer {
 public:
  UdpPeer() : fd_(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (::bind(fd_.get(), reinterpret_cast<sockaddr*>(&address), length) == 0 &&
        ::getsockname(fd_.get(), reinterpret_cast<sockaddr*>(&address), &length) == 0) {
      port_ = ntohs(address.sin_port);
    }
  }
  [[nodiscard]] std::uint16_t port() const { return port_; }
  // The next datagram, or nothing after `timeout_ms`.
  [[nodiscard]] std::vector<std::byte> receive(int timeout_ms) const {
    pollfd wait{fd_.get(), POLLIN, 0};
    if (::poll(&wait, 1, timeout_ms) != 1) return {};
    std::vector<std::byte> datagram(2048);
    const ssize_t got = ::recv(fd_.get(), datagram.data(), datagram.size(), 0);
    datagram.resize(got > 0 ? static_cast<std::size_t>(got) : 0);
    return datagram;
  }

 private:
  UniqueFd fd_;
  std::uint16_t port_ = 0;
};

class CallBridgeTest : public ::testing::Test {
 protected:
  CallBridgeTest() {
    EXPECT_TRUE(dialplan::validate(plan()).empty());
    BridgeConfig config;
    config.record = [this](const CallRecord& record) { records.push_back(record); };
    bridge = std::make_unique<CallBridge>(
        io, sip, media, std::make_shared<dialplan::Router>(plan()), std::move(config));
    s1_listener = &bridge->listener_for("s1");
    bridge->add_span("s1", s1);
    s2_listener = &bridge->listener_for("s2");
    bridge->add_span("s2", s2);
  }
  ~CallBridgeTest() override { bridge.reset(); }

  // A caller's INVITE to 7773660 in p1234, with an SDP offer.
  void invite(sip::LegId leg, std::uint16_t rtp_port = 6000,
              const std::string& number = "7773660;phone-context=p1234") {
    sip::InviteRequest request;
    request.leg = leg;
    request.request_uri = "sip:" + number + "@gw;user=phone";
    request.scheme = "sip";
    request.number = number;
    request.from_uri = "sip:5551000@127.0.0.1";
    request.from_user = "5551000";
    request.call_id = "call-" + std::to_string(leg);
    request.source_address = "127.0.0.1";
    request.offer.sdp = offer_from(rtp_port);
    bridge->on_invite(request);
  }
  // An SDP answer to the bridge's last INVITE's offer.
  sip::Body answer_to_invite() {
    media::Origin origin{77, 0};
    auto answered = media::answer_offer(sip.invites.back().offer, media::MediaCapabilities{},
                                        {"127.0.0.1", 6100}, origin);
    sip::Body body;
    body.sdp = std::get<media::Answer>(answered).sdp;
    return body;
  }
  // A SETUP from the PSTN on s1 to 7773660 in the private plan.
  isdn::CallId setup_from_pstn() {
    isdn::IncomingCall details;
    details.called = {"7773660", isdn::Ton::subscriber, isdn::Npi::private_plan};
    details.calling = {"5550000", isdn::Ton::subscriber, isdn::Npi::isdn};
    const isdn::CallId id = s1.incoming();
    details.timeslot = s1.timeslot(id);
    s1_listener->on_incoming(id, details);
    return id;
  }
  std::string state_of(sip::LegId leg) const {
    for (const auto& call : bridge->calls()) {
      if (call.leg == leg) return call.state;
    }
    return "(gone)";
  }

  boost::asio::io_context io;
  FakeSipLegs sip;
  media::MediaEngine media{media_config(), [](const std::function<void()>& /*event*/) {}};
  FakeSignallingSpan s1;
  FakeSignallingSpan s2;
  std::vector<CallRecord> records;
  std::unique_ptr<CallBridge> bridge;
  isdn::Listener* s1_listener = nullptr;
  isdn::Listener* s2_listener = nullptr;
};

TEST_F(CallBridgeTest, ASipCallRingsIsAnsweredCarriesAudioAndTheCallerHangsUp) {
  const UdpPeer caller;
  invite(1, caller.port());
  ASSERT_EQ(s1.sent, std::vector<std::string>{"SETUP 7773660 on B1"});
  EXPECT_EQ(s1.setups.front().called.npi, isdn::Npi::private_plan) << "a number in p1234";
  s1_listener->on_proceeding(1);
  EXPECT_TRUE(sip.statuses(1).empty()) << "100 Trying is the stack's; nothing more yet";
  s1_listener->on_alerting(1, false);
  s1_listener->on_connect(1);
  EXPECT_EQ(sip.statuses(1), (std::vector<int>{180, 200}));
  ASSERT_TRUE(sip.last_response(1)->sdp) << "the 200 answers the caller's offer";
  EXPECT_EQ(s1.far_ends.count(1), 1U) << "the B-channel is opened for the audio";
  bridge->on_ack(1, {});
  EXPECT_EQ(state_of(1), "active");
  // The B-channel's 20 ms block goes to the caller as one RTP packet.
  const std::vector<std::byte> block(160, std::byte{0xD5});  // A-law silence
  ASSERT_EQ(::send(s1.far_ends.at(1).get(), block.data(), block.size(), MSG_NOSIGNAL), 160);
  const auto packet = caller.receive(2000);
  ASSERT_EQ(packet.size(), 12U + 160U) << "an RTP header and 20 ms of PCMU";
  EXPECT_EQ(std::to_integer<int>(packet[1]) & 0x7F, 0) << "payload type 0, PCMU as offered";
  // A-law 0xD5 is +8, which mu-law writes 0xFE (G.711's tables).
  EXPECT_TRUE(std::all_of(packet.begin() + 12, packet.end(),
                          [](std::byte octet) { return octet == std::byte{0xFE}; }));
  bridge->on_bye(1, std::nullopt);
  EXPECT_EQ(s1.sent.back(), "DISCONNECT 1 cause 16");
  ASSERT_EQ(records.size(), 1U);
  EXPECT_EQ(records[0].sip_status, 200);
  EXPECT_EQ(records[0].cause, 16);
  EXPECT_EQ(records[0].ended_by, "caller");
  EXPECT_TRUE(records[0].answered);
  EXPECT_EQ(bridge->call_count(), 0U);
}

TEST_F(CallBridgeTest, BusyFailsOverToTheNextGroupThenIs486WithItsCause) {
  invite(1);
  s1.release(1);
  s1_listener->on_cleared(1, isdn::Cause::user_busy);
  ASSERT_EQ(s2.sent, std::vector<std::string>{"SETUP 7773660 on B1"}) << "cause 17 fails over";
  EXPECT_TRUE(sip.statuses(1).empty());
  s2.release(1);
  s2_listener->on_cleared(1, isdn::Cause::user_busy);
  EXPECT_EQ(sip.statuses(1), std::vector<int>{486});
  EXPECT_EQ(sip.last_response(1)->reason.rfind("Q.850;cause=17", 0), 0U)
      << sip.last_response(1)->reason;
  ASSERT_EQ(records.size(), 1U);
  EXPECT_EQ(records[0].trunk_group, "B");
  EXPECT_EQ(records[0].ended_by, "pstn");
}

TEST_F(CallBridgeTest, ACallThatRangIsNotFailedOver) {
  invite(1);
  s1_listener->on_alerting(1, false);
  s1.release(1);
  s1_listener->on_cleared(1, isdn::Cause::user_busy);
  EXPECT_TRUE(s2.sent.empty()) << "the caller heard ringing: the table allows no failover";
  EXPECT_EQ(sip.statuses(1), (std::vector<int>{180, 486}));
}

TEST_F(CallBridgeTest, ACancelWhileRingingClearsWithCause16AndIsRecorded487) {
  invite(1);
  s1_listener->on_alerting(1, false);
  bridge->on_cancel(1);
  EXPECT_EQ(s1.sent.back(), "DISCONNECT 1 cause 16");
  ASSERT_EQ(records.size(), 1U);
  EXPECT_EQ(records[0].sip_status, 487);
  EXPECT_EQ(records[0].ended_by, "caller");
  s1_listener->on_connect(1);
  EXPECT_EQ(sip.statuses(1), std::vector<int>{180}) << "a CONNECT after the CANCEL answers nothing";
}

TEST_F(CallBridgeTest, ThePstnHangingUpAfterTheAnswerSendsAByeAndWaitsForItsAnswer) {
  invite(1);
  s1_listener->on_connect(1);
  bridge->on_ack(1, {});
  s1.release(1);
  s1_listener->on_cleared(1, isdn::Cause::normal_clearing);
  EXPECT_EQ(sip.bye_reason(1).value_or("none").rfind("Q.850;cause=16", 0), 0U);
  EXPECT_EQ(state_of(1), "clearing");
  EXPECT_TRUE(records.empty()) << "the call is over when the BYE is answered";
  bridge->on_terminated(1, 200, "OK");
  ASSERT_EQ(records.size(), 1U);
  EXPECT_EQ(records[0].ended_by, "pstn");
  EXPECT_EQ(records[0].cause, 16);
  EXPECT_EQ(bridge->call_count(), 0U);
}

TEST_F(CallBridgeTest, EventsTheTableRefusesChangeNothing) {
  invite(1);
  bridge->on_ack(1, {});
  EXPECT_EQ(state_of(1), "dialling") << "an ACK before any answer";
  s1_listener->on_connect(1);
  s1_listener->on_alerting(1, false);
  s1_listener->on_connect(1);
  EXPECT_EQ(sip.statuses(1), std::vector<int>{200}) << "one 200, no 180 after it";
  EXPECT_EQ(s1.far_ends.size(), 1U) << "the B-channel opened once";
}

TEST_F(CallBridgeTest, TheGatewayHangsUpWith503BeforeTheAnswerAndByeAfterIt) {
  invite(1);
  invite(2);
  s1_listener->on_connect(2);
  bridge->on_ack(2, {});
  bridge->hang_up_all(isdn::Cause::normal_clearing);
  EXPECT_EQ(sip.statuses(1), std::vector<int>{503});
  EXPECT_FALSE(sip.bye_reason(1));
  EXPECT_TRUE(sip.bye_reason(2));
  EXPECT_EQ(state_of(2), "clearing");
  EXPECT_TRUE(bridge->hang_up(2, isdn::Cause::normal_clearing)) << "known, and ending already";
  EXPECT_EQ(sip.byes.size(), 1U) << "a call that is clearing gets no second BYE";
  EXPECT_EQ(std::count(s1.sent.begin(), s1.sent.end(), "DISCONNECT 2 cause 16"), 1);
}

TEST_F(CallBridgeTest, ACallFromThePstnAlertsOnceAndIsAnswered) {
  const isdn::CallId id = setup_from_pstn();
  ASSERT_EQ(sip.invites.size(), 1U);
  EXPECT_EQ(sip.invites[0].request_uri,
            "sip:7773660;phone-context=p1234@127.0.0.1:5999;user=phone");
  const sip::LegId leg = 1000;
  EXPECT_EQ(s1.sent, std::vector<std::string>{"CALL PROCEEDING " + std::to_string(id)});
  bridge->on_progress(leg, 183, {});
  EXPECT_EQ(s1.sent.size(), 1U) << "a 183 without audio tells the PSTN caller nothing";
  bridge->on_progress(leg, 180, {});
  bridge->on_progress(leg, 180, {});
  EXPECT_EQ(std::count(s1.sent.begin(), s1.sent.end(), "ALERTING " + std::to_string(id)), 1)
      << "ALERTING once, after a 183 without SDP too";
  bridge->on_answered(leg, answer_to_invite());
  EXPECT_EQ(s1.sent.back(), "CONNECT " + std::to_string(id));
  EXPECT_EQ(s1.far_ends.count(id), 1U);
  bridge->on_bye(leg, std::nullopt);
  EXPECT_EQ(s1.sent.back(), "DISCONNECT " + std::to_string(id) + " cause 16");
  ASSERT_EQ(records.size(), 1U);
  EXPECT_TRUE(records[0].from_pstn);
  EXPECT_EQ(records[0].ended_by, "sip");
}

TEST_F(CallBridgeTest, ASipRefusalClearsThePstnCallWithItsRfc3398Cause) {
  const isdn::CallId id = setup_from_pstn();
  bridge->on_refused(1000, 486, std::nullopt);
  EXPECT_EQ(s1.sent.back(), "DISCONNECT " + std::to_string(id) + " cause 17");
  ASSERT_EQ(records.size(), 1U);
  EXPECT_EQ(records[0].sip_status, 486);
}

TEST_F(CallBridgeTest, AnUnreachablePeerIsPassedOverOnlyBeforeTheCallerHearsRinging) {
  setup_from_pstn();
  bridge->on_refused(1000, 503, std::nullopt);
  ASSERT_EQ(sip.invites.size(), 2U) << "the next peer";
  EXPECT_EQ(sip.invites[1].request_uri.find("@127.0.0.1:5998"),
            sip.invites[1].request_uri.find('@'));
  EXPECT_EQ(sip.invites[1].call_id, sip.invites[0].call_id) << "the same call";

  const isdn::CallId second = setup_from_pstn();
  bridge->on_progress(1002, 180, {});
  bridge->on_refused(1002, 503, std::nullopt);
  EXPECT_EQ(sip.invites.size(), 3U) << "ringing was heard: no other peer is tried";
  EXPECT_EQ(s1.sent.back().rfind("DISCONNECT " + std::to_string(second), 0), 0U);
}

}  // namespace
}  // namespace gw::core
