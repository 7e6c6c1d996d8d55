// CallBridge with SRTP (issue 13 section 3): the plan's media_encryption per
// SIP peer, with the fake SIP stack and spans of tests/fakes and the real
// media engine on loopback. Checked: a caller over TLS offering RTP/SAVP
// gets an answer with its tag and our key, and its audio goes out as SRTP;
// keys over UDP count as absent (488 when required, plain RTP when
// optional); calls to a peer that requires SRTP go only where TLS can carry
// the key.

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
#include "drivers/crypto/base64.hpp"
#include "drivers/srtp/srtp_context.hpp"
#include "gateway/core/call_bridge.hpp"
#include "tests/fakes/fake_signalling_span.hpp"
#include "tests/fakes/fake_sip_legs.hpp"

namespace gw::core {
namespace {

using dialplan::MediaEncryption;
using fakes::FakeSignallingSpan;
using fakes::FakeSipLegs;

const std::string kCallerKey(30, '\x33');

// p1234 goes out on span s1; calls from s1 go to the SIP peers in turn.
// 127.0.0.1 requires SRTP, 127.0.0.2 may have it, the rest have none.
dialplan::Plan plan(std::vector<std::string> pstn_peers) {
  dialplan::Plan plan;
  dialplan::Trunk trunk;
  trunk.name = "t1";
  trunk.spans = {"s1"};
  trunk.called_ton = isdn::Ton::subscriber;
  trunk.private_context = "p1234";
  trunk.sip_peers = std::move(pstn_peers);
  plan.trunks.push_back(trunk);
  plan.trunk_groups = {{"A", {"t1"}, isdn::Hunting::ascending, 0}};
  dialplan::Route route;
  route.name = "p1234";
  route.match.phone_context = "p1234";
  route.trunk_groups = {"A"};
  plan.routes.push_back(route);
  plan.media_encryption = {
      MediaEncryption::none,
      {{"127.0.0.1", MediaEncryption::required}, {"127.0.0.2", MediaEncryption::optional}}};
  return plan;
}

media::MediaConfig media_config() {
  media::MediaConfig config;
  config.port_min = static_cast<std::uint16_t>(16000 + (::getpid() % 150) * 32 + 16);
  config.port_max = static_cast<std::uint16_t>(config.port_min + 15);
  config.workers = 1;
  return config;
}

// The caller's offer: PCMA, and an a=crypto line with its key when `protocol` asks.
media::SessionDescription offer(std::uint16_t port, const std::string& protocol, bool crypto) {
  media::Origin origin{4242, 0};
  auto sdp = media::make_offer(media::MediaCapabilities{}, {"127.0.0.1", port}, origin);
  sdp.audio_protocol = protocol;
  if (crypto) {
    sdp.crypto.push_back(
        {7, "AES_CM_128_HMAC_SHA1_80", "inline:" + crypto::base64_encode(kCallerKey), ""});
  }
  return sdp;
}

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

class CallBridgeSrtpTest : public ::testing::Test {
 protected:
  void make_bridge(std::vector<std::string> pstn_peers = {"127.0.0.3"}) {
    // A peer written with ;transport=tls is the SIP-over-TLS work's to
    // validate; the bridge is tested with it here either way.
    const bool uri_peers = std::any_of(pstn_peers.begin(), pstn_peers.end(), [](const auto& peer) {
      return peer.find(';') != std::string::npos;
    });
    const auto made = plan(std::move(pstn_peers));
    if (!uri_peers) {
      EXPECT_TRUE(dialplan::validate(made).empty());
    }
    bridge = std::make_unique<CallBridge>(io, sip, media, std::make_shared<dialplan::Router>(made),
                                          BridgeConfig{});
    s1_listener = &bridge->listener_for("s1");
    bridge->add_span("s1", s1);
  }
  void TearDown() override { bridge.reset(); }

  void invite(sip::LegId leg, const std::string& source, bool secure,
              std::optional<media::SessionDescription> sdp) {
    sip::InviteRequest request;
    request.leg = leg;
    request.request_uri = "sip:7773660;phone-context=p1234@gw;user=phone";
    request.scheme = "sip";
    request.number = "7773660;phone-context=p1234";
    request.from_uri = "sip:5551000@" + source;
    request.from_user = "5551000";
    request.call_id = "srtp-" + std::to_string(leg);
    request.source_address = source;
    request.secure = secure;
    request.offer.sdp = std::move(sdp);
    bridge->on_invite(request);
  }
  isdn::CallId setup_from_pstn() {
    isdn::IncomingCall details;
    details.called = {"7773660", isdn::Ton::subscriber, isdn::Npi::private_plan};
    details.calling = {"5550000", isdn::Ton::subscriber, isdn::Npi::isdn};
    const isdn::CallId id = s1.incoming();
    details.timeslot = s1.timeslot(id);
    s1_listener->on_incoming(id, details);
    return id;
  }

  boost::asio::io_context io;
  FakeSipLegs sip;
  media::MediaEngine media{media_config(), [](const std::function<void()>& /*event*/) {}};
  FakeSignallingSpan s1;
  std::unique_ptr<CallBridge> bridge;
  isdn::Listener* s1_listener = nullptr;
};

TEST_F(CallBridgeSrtpTest, ACallerOverTlsGetsSrtpAndItsAudioIsEncrypted) {
  make_bridge();
  const UdpPeer caller;
  invite(1, "127.0.0.1", true, offer(caller.port(), "RTP/SAVP", true));
  ASSERT_EQ(s1.sent, std::vector<std::string>{"SETUP 7773660 on B1"});
  s1_listener->on_connect(1);
  ASSERT_EQ(sip.statuses(1), std::vector<int>{200});
  const auto& answer = *sip.last_response(1)->sdp;
  EXPECT_EQ(answer.audio_protocol, "RTP/SAVP");
  ASSERT_EQ(answer.crypto.size(), 1U);
  EXPECT_EQ(answer.crypto[0].tag, 7);
  EXPECT_EQ(answer.crypto[0].suite, "AES_CM_128_HMAC_SHA1_80");
  const auto our_key = crypto::base64_decode(answer.crypto[0].key_params.substr(7));
  ASSERT_TRUE(our_key && our_key->size() == 30U);
  EXPECT_NE(*our_key, kCallerKey);
  bridge->on_ack(1, {});
  // The B-channel's block reaches the caller as SRTP under the key of our answer.
  const std::vector<std::byte> block(160, std::byte{0xD5});
  ASSERT_EQ(::send(s1.far_ends.at(1).get(), block.data(), block.size(), MSG_NOSIGNAL), 160);
  auto packet = caller.receive(2000);
  ASSERT_EQ(packet.size(), 12U + 160U + 10U) << "RTP header, 20 ms, an 80-bit tag";
  srtp::Context receiver(srtp::Suite::aes_cm_128_hmac_sha1_80, srtp::Role::receiver, *our_key);
  std::size_t length = packet.size();
  ASSERT_EQ(receiver.unprotect_rtp(packet, length), srtp::Status::ok);
  EXPECT_EQ(length, 172U);
  // The session says so once its worker has the keys (it has: it sent).
  const auto calls = bridge->calls();
  ASSERT_EQ(calls.size(), 1U);
  EXPECT_TRUE(calls[0].srtp);
  bridge->on_bye(1, std::nullopt);
}

TEST_F(CallBridgeSrtpTest, KeysOverUdpCountAsAbsent) {
  make_bridge();
  // Required: 488, and nothing is placed on the span.
  invite(1, "127.0.0.1", false, offer(6000, "RTP/SAVP", true));
  EXPECT_EQ(sip.statuses(1), std::vector<int>{488});
  EXPECT_NE(sip.last_response(1)->warning.find("TLS"), std::string::npos);
  // A delayed offer from a peer that requires SRTP: our offer could carry no key.
  invite(2, "127.0.0.1", false, std::nullopt);
  EXPECT_EQ(sip.statuses(2), std::vector<int>{488});
  EXPECT_TRUE(s1.sent.empty());
  // Optional: plain RTP, and no key of ours in the answer.
  invite(3, "127.0.0.2", false, offer(6002, "RTP/AVP", true));
  s1_listener->on_connect(1);
  ASSERT_EQ(sip.statuses(3), std::vector<int>{200});
  EXPECT_TRUE(sip.last_response(3)->sdp->crypto.empty());
  EXPECT_EQ(sip.last_response(3)->sdp->audio_protocol, "RTP/AVP");
  // Required over TLS without a=crypto: 488.
  invite(4, "127.0.0.1", true, offer(6004, "RTP/AVP", false));
  EXPECT_EQ(sip.statuses(4), std::vector<int>{488});
}

TEST_F(CallBridgeSrtpTest, AnUnknownPeerTakesTheDefaultNone) {
  make_bridge();
  invite(1, "127.0.0.9", true, offer(6000, "RTP/SAVP", true));
  EXPECT_EQ(sip.statuses(1), std::vector<int>{488});
  invite(2, "127.0.0.9", true, offer(6002, "RTP/AVP", true));
  s1_listener->on_connect(1);
  ASSERT_EQ(sip.statuses(2), std::vector<int>{200});
  EXPECT_TRUE(sip.last_response(2)->sdp->crypto.empty());
}

TEST_F(CallBridgeSrtpTest, CallsToAPeerThatRequiresSrtpGoOnlyOverTls) {
  make_bridge({"127.0.0.1:5999", "127.0.0.1:5061;transport=tls", "127.0.0.2"});
  setup_from_pstn();
  ASSERT_EQ(sip.invites.size(), 1U) << "the first peer, without TLS, is passed over";
  const auto& sent = sip.invites.back();
  EXPECT_NE(sent.request_uri.find(";transport=tls"), std::string::npos) << sent.request_uri;
  EXPECT_EQ(sent.offer.audio_protocol, "RTP/SAVP");
  ASSERT_EQ(sent.offer.crypto.size(), 1U);
  EXPECT_EQ(sent.offer.crypto[0].tag, 1);
}

TEST_F(CallBridgeSrtpTest, CallsToAnOptionalPeerWithoutTlsOfferPlainRtp) {
  make_bridge({"127.0.0.2"});
  setup_from_pstn();
  ASSERT_EQ(sip.invites.size(), 1U);
  EXPECT_EQ(sip.invites.back().offer.audio_protocol, "RTP/AVP");
  EXPECT_TRUE(sip.invites.back().offer.crypto.empty());
}

}  // namespace
}  // namespace gw::core
