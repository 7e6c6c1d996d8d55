// The media engine with SRTP (RFC 3711) between 127.0.0.1 and a loopback E1
// whose far end echoes the B-channel: the peer here protects and checks
// with libsrtp through drivers/srtp, with the keys SDES would have agreed.
// Checked: the echo comes back bit-exact through SRTP both ways, what is on
// the wire is not plain RTP, forged, plain and replayed packets are counted
// and never played, SRTCP both ways, and the pcap capture keeps plain RTP.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <iostream>
#include <thread>

#include "drivers/common/unique_fd.hpp"
#include "drivers/dsp/dsp.hpp"
#include "drivers/loopback/loopback_span.hpp"
#include "drivers/pstnsim/bearer_media.hpp"
#include "drivers/pstnsim/echo_probe.hpp"
#include "drivers/srtp/srtp_context.hpp"
#include "gateway/media/media_engine.hpp"
#include "gateway/media/rtp_packet.hpp"

namespace gw::media {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using Bytes = std::vector<std::byte>;
constexpr int kTimeslot = 1;
const std::string kGatewayKey(30, '\x11');  // what the gateway sends with
const std::string kPeerKey(30, '\x22');     // what the peer sends with

// A UDP socket on 127.0.0.1 with an ephemeral port.
class Socket {
 public:
  Socket() : fd_(::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) {
    sockaddr_in address = loopback(0);
    if (::bind(fd_.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      throw std::system_error(errno, std::generic_category(), "bind");
    }
    socklen_t length = sizeof address;
    ::getsockname(fd_.get(), reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
  }
  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
  void send(std::uint16_t to, std::span<const std::byte> datagram) const {
    const sockaddr_in address = loopback(to);
    (void)::sendto(fd_.get(), datagram.data(), datagram.size(), 0,
                   reinterpret_cast<const sockaddr*>(&address), sizeof address);
  }
  // The next datagram; empty when none comes within `limit`.
  [[nodiscard]] Bytes next(std::chrono::milliseconds limit) const {
    pollfd entry{fd_.get(), POLLIN, 0};
    if (::poll(&entry, 1, static_cast<int>(limit.count())) != 1) return {};
    Bytes datagram(1500);
    const auto got = ::recv(fd_.get(), datagram.data(), datagram.size(), 0);
    datagram.resize(got > 0 ? static_cast<std::size_t>(got) : 0);
    return datagram;
  }

 private:
  static sockaddr_in loopback(std::uint16_t port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
  }
  UniqueFd fd_;
  std::uint16_t port_ = 0;
};

// A loopback E1 whose far end echoes timeslot 1, on its own io_context thread.
class EchoLine {
 public:
  EchoLine() : pair_(loopback::make_pair("srtp", tdm::Shape::e1, tdm::Law::alaw)) {
    std::error_code error;
    auto far = pair_.b->open_bearer(kTimeslot, error);
    if (!far) throw std::system_error(error, "far bearer");
    far_.emplace(io_, std::move(far), tdm::Law::alaw);
    far_->echo();
    thread_ = std::thread([this] { io_.run(); });
  }
  EchoLine(const EchoLine&) = delete;
  EchoLine& operator=(const EchoLine&) = delete;
  ~EchoLine() {
    guard_.reset();
    io_.stop();
    thread_.join();
    far_.reset();
  }
  std::unique_ptr<tdm::Channel> near_bearer() {
    std::error_code error;
    return pair_.a->open_bearer(kTimeslot, error);
  }

 private:
  loopback::SpanPair pair_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_{
      boost::asio::make_work_guard(io_)};
  std::optional<pstnsim::BearerMedia> far_;
  std::thread thread_;
};

Bytes rtp(const RtpHeader& header, std::span<const std::byte> payload) {
  Bytes packet(kRtpHeaderBytes + payload.size() + srtp::kMaxTrailerBytes);
  packet.resize(build_rtp(header, payload, packet));
  return packet;
}

Bytes protect(srtp::Context& sender, Bytes packet, bool rtcp = false) {
  std::size_t length = packet.size();
  packet.resize(length + srtp::kMaxTrailerBytes);
  const auto status =
      rtcp ? sender.protect_rtcp(packet, length) : sender.protect_rtp(packet, length);
  EXPECT_EQ(status, srtp::Status::ok);
  packet.resize(length);
  return packet;
}

// Sends `audio` as 20 ms SRTP packets (then silence) and gathers what the
// engine sends meanwhile, decrypted; wire_plain counts packets that came
// as plain RTP (they would fail authentication).
struct Exchange {
  Bytes audio;  // the engine's stream, placed by timestamp
  std::size_t packets = 0;
  std::size_t failed = 0;
  std::size_t wire_bytes = 0;
};

class MediaSrtpTest : public testing::Test {
 protected:
  static MediaConfig config() {
    MediaConfig made;
    made.port_min = static_cast<std::uint16_t>(17000 + (::getpid() % 100) * 16);
    made.port_max = static_cast<std::uint16_t>(made.port_min + 15);
    return made;
  }
  NegotiatedMedia negotiated() const {
    NegotiatedMedia media;
    media.codec = Codec::pcma;
    media.payload_type = 8;
    media.remote_address = "127.0.0.1";
    media.remote_port = peer.port();
    media.srtp = SrtpKeys{srtp::Suite::aes_cm_128_hmac_sha1_80, kGatewayKey, kPeerKey};
    return media;
  }
  SessionId start() {
    std::error_code error;
    const auto id = engine.allocate(error);
    if (!id) throw std::system_error(error, "allocate");
    engine.start(*id, negotiated(), line.near_bearer(), tdm::Law::alaw);
    return *id;
  }
  std::uint16_t port(SessionId id) const { return engine.local_endpoint(id).port; }
  SessionStats stats(SessionId id) const { return engine.stats(id).value_or(SessionStats{}); }
  Exchange exchange(SessionId id, std::span<const std::byte> pattern);

  EchoLine line;
  // Nothing is posted to control: no DTMF events are asked for.
  MediaEngine engine{config(), [](const std::function<void()>&) {}};
  Socket peer;
  srtp::Context peer_send{srtp::Suite::aes_cm_128_hmac_sha1_80, srtp::Role::sender, kPeerKey};
  srtp::Context peer_receive{srtp::Suite::aes_cm_128_hmac_sha1_80, srtp::Role::receiver,
                             kGatewayKey};
};

Exchange MediaSrtpTest::exchange(SessionId id, std::span<const std::byte> pattern) {
  Exchange result;
  std::optional<std::uint32_t> base;
  const Bytes silence(160, tdm::idle_code(tdm::Law::alaw));
  RtpHeader header{true, 8, 700, 16000, 0x5eed};
  const auto start = Clock::now();
  for (std::size_t n = 0; n < 125; ++n) {
    const std::size_t at = n * 160;
    const auto payload = at < pattern.size() ? pattern.subspan(at, 160) : std::span(silence);
    peer.send(port(id), protect(peer_send, rtp(header, payload)));
    header.marker = false;
    ++header.sequence;
    header.timestamp += 160;
    while (Clock::now() < start + (n + 1) * 20ms) {
      Bytes got = peer.next(5ms);
      if (got.empty()) continue;
      result.wire_bytes += got.size();
      std::size_t length = got.size();
      if (peer_receive.unprotect_rtp(got, length) != srtp::Status::ok) {
        ++result.failed;
        continue;
      }
      ++result.packets;
      const auto view = parse_rtp(std::span(got).first(length));
      if (!view || view->header.payload_type != 8) continue;
      if (!base) base = view->header.timestamp;
      const std::size_t offset = view->header.timestamp - *base;
      if (offset > 1'000'000) continue;
      if (result.audio.size() < offset + 160) result.audio.resize(offset + 160);
      std::copy(view->payload.begin(), view->payload.end(),
                result.audio.begin() + static_cast<std::ptrdiff_t>(offset));
    }
  }
  return result;
}

TEST_F(MediaSrtpTest, EchoComesBackThroughSrtpBothWays) {
  const auto id = start();
  const pstnsim::EchoProbe probe(8000);
  const Exchange got = exchange(id, probe.pattern());
  const auto found = probe.find(got.audio);
  ASSERT_TRUE(found) << "the pattern never came back (" << got.packets << " packets, " << got.failed
                     << " failed authentication)";
  const SessionStats after = stats(id);
  std::cout << "SRTP round trip through the E1 echo: " << found->delay_ms() << " ms, "
            << found->mismatches << " of " << found->compared << " samples differ; " << got.packets
            << " packets, " << got.wire_bytes / std::max<std::size_t>(got.packets, 1)
            << " bytes each on the wire\n";
  EXPECT_EQ(got.failed, 0U) << "everything the engine sent authenticates with its key";
  EXPECT_EQ(found->compared, 8000U);
  EXPECT_LE(found->mismatches, 160 * (after.concealed + after.late_dropped));
  // 12 header + 160 audio + the 10-byte tag of _80.
  EXPECT_EQ(got.wire_bytes, got.packets * 182);
  EXPECT_TRUE(after.srtp);
  EXPECT_GE(after.rtp_received, 120U);
  EXPECT_EQ(after.srtp_auth_failed, 0U);
  EXPECT_EQ(after.srtp_replayed, 0U);
}

TEST_F(MediaSrtpTest, ForgedPlainAndReplayedPacketsAreCountedAndNeverPlayed) {
  const auto id = start();
  const pstnsim::EchoProbe probe(8000);
  RtpHeader header{true, 8, 100, 0, 0xbad};
  std::size_t sent = 0;
  for (std::size_t at = 0; at + 160 <= 8000; at += 160, ++sent) {
    const auto payload = probe.pattern().subspan(at, 160);
    peer.send(port(id), rtp(header, payload));  // plain RTP
    Bytes forged = protect(peer_send, rtp(header, payload));
    forged[20] ^= std::byte{0x40};  // one bit of the encrypted audio
    peer.send(port(id), forged);
    ++header.sequence;
    header.timestamp += 160;
    std::this_thread::sleep_for(20ms);
  }
  const Bytes genuine = protect(peer_send, rtp(header, probe.pattern().first(160)));
  peer.send(port(id), genuine);
  peer.send(port(id), genuine);  // a replay
  const auto deadline = Clock::now() + 2s;
  while ((stats(id).srtp_auth_failed < 2 * sent || stats(id).srtp_replayed < 1) &&
         Clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
  }
  const SessionStats after = stats(id);
  EXPECT_EQ(after.srtp_auth_failed, 2 * sent);
  EXPECT_EQ(after.srtp_replayed, 1U);
  EXPECT_EQ(after.rtp_received, 1U) << "only the genuine packet reached the jitter buffer";
  // The capture has the genuine packet as plain RTP, and nothing that failed.
  std::size_t received = 0;
  for (const auto& packet : engine.captured(id)) {
    if (packet.sent) continue;
    ++received;
    const auto view = parse_rtp(std::as_bytes(std::span(packet.bytes)));
    ASSERT_TRUE(view);
    EXPECT_EQ(packet.bytes.size(), kRtpHeaderBytes + 160);
    EXPECT_TRUE(std::equal(view->payload.begin(), view->payload.end(), probe.pattern().begin()));
  }
  EXPECT_EQ(received, 1U);
}

TEST_F(MediaSrtpTest, CapturedPacketsAreThePlainRtp) {
  const auto id = start();
  Bytes wire;
  for (int i = 0; i < 50 && wire.empty(); ++i) wire = peer.next(100ms);
  ASSERT_FALSE(wire.empty()) << "the engine sends as the line clocks";
  std::size_t length = wire.size();
  ASSERT_EQ(peer_receive.unprotect_rtp(wire, length), srtp::Status::ok);
  const auto deadline = Clock::now() + 2s;
  while (engine.captured(id).empty() && Clock::now() < deadline) std::this_thread::sleep_for(10ms);
  const auto captured = engine.captured(id);
  ASSERT_FALSE(captured.empty());
  const auto& first = captured.front();
  EXPECT_TRUE(first.sent);
  EXPECT_EQ(first.bytes.size(), kRtpHeaderBytes + 160);  // no tag: RTP, not SRTP
  const auto view = parse_rtp(std::as_bytes(std::span(first.bytes)));
  ASSERT_TRUE(view);
  EXPECT_EQ(view->header.payload_type, 8);
}

TEST_F(MediaSrtpTest, RtcpIsSrtcpBothWays) {
  const auto id = start();
  Socket peer_rtcp;
  SenderInfo info;
  info.ssrc = 0x5eed;
  info.ntp_time = 0x1234567800000000ULL;
  Bytes report(512);
  report.resize(build_sender_report(info, std::nullopt, "peer@test", report));
  const std::uint16_t engine_rtcp = static_cast<std::uint16_t>(port(id) + 1);
  peer_rtcp.send(engine_rtcp, report);  // plain RTCP: refused
  peer_rtcp.send(engine_rtcp, protect(peer_send, report, true));
  const auto counted = Clock::now() + 2s;
  while (stats(id).rtcp_received == 0 && Clock::now() < counted) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(stats(id).rtcp_received, 1U);
  EXPECT_EQ(stats(id).srtcp_auth_failed, 1U);
  EXPECT_EQ(stats(id).srtp_auth_failed, 0U);
  // The engine's own sender report comes (every 5 s) to where ours came from, as SRTCP.
  Bytes theirs;
  const auto deadline = Clock::now() + 8s;
  while (theirs.empty() && Clock::now() < deadline) theirs = peer_rtcp.next(500ms);
  ASSERT_FALSE(theirs.empty()) << "no sender report came";
  std::size_t length = theirs.size();
  ASSERT_EQ(peer_receive.unprotect_rtcp(theirs, length), srtp::Status::ok);
  theirs.resize(length);
  EXPECT_TRUE(looks_like_rtcp(theirs));
  EXPECT_TRUE(sender_report_time(theirs).has_value());
}

}  // namespace
}  // namespace gw::media
