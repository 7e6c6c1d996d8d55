// The media engine between RTP on 127.0.0.1 and a loopback E1 whose far end
// echoes the B-channel (pstnsim's BearerMedia): audio checked by content
// after the round trip, hold and resume, symmetric RTP, RFC 4733 digits both
// ways, and ports freed by release(). Waits are bounded; nothing asserts on
// how fast things happen.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <iostream>
#include <mutex>
#include <thread>

#include "drivers/common/unique_fd.hpp"
#include "drivers/dsp/dsp.hpp"
#include "drivers/loopback/loopback_span.hpp"
#include "drivers/pstnsim/bearer_media.hpp"
#include "drivers/pstnsim/echo_probe.hpp"
#include "gateway/media/media_engine.hpp"
#include "gateway/media/rtp_packet.hpp"

namespace gw::media {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
constexpr int kTimeslot = 1;
constexpr int kEventPayloadType = 101;

// A port range of this test process's own, so that parallel test processes
// do not take each other's ports (the engine would skip them anyway).
std::uint16_t range_base() {
  // 12000-15999: below Linux's ephemeral ports (32768 up), where the test's
  // own sockets land, and apart from the SIP stack test's (10000-11999) and
  // the system tests' gateways (21000 up). The engine takes the first 16
  // ports of the slice, test peers the next.
  return static_cast<std::uint16_t>(12000 + (::getpid() % 125) * 32);
}

struct Packet {
  Clock::time_point arrival;
  RtpHeader header;
  std::vector<std::byte> payload;
};

// The SIP side's RTP end: a plain UDP socket on 127.0.0.1.
class UdpPeer {
 public:
  explicit UdpPeer(std::uint16_t port = 0)
      : socket_(::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) {
    sockaddr_in address = loopback(port);
    if (::bind(socket_.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      throw std::system_error(errno, std::generic_category(), "bind");
    }
    socklen_t length = sizeof address;
    ::getsockname(socket_.get(), reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
  }
  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }

  void send(std::uint16_t to, const RtpHeader& header, std::span<const std::byte> payload) const {
    std::array<std::byte, 1500> datagram{};
    const std::size_t length = build_rtp(header, payload, datagram);
    send_raw(to, std::span(datagram).first(length));
  }
  void send_raw(std::uint16_t to, std::span<const std::byte> datagram) const {
    const sockaddr_in address = loopback(to);
    (void)::sendto(socket_.get(), datagram.data(), datagram.size(), 0,
                   reinterpret_cast<const sockaddr*>(&address), sizeof address);
  }
  // The next datagram as it came, whatever it is; empty when none within `limit`.
  [[nodiscard]] std::vector<std::byte> next_raw(std::chrono::milliseconds limit) const {
    pollfd entry{socket_.get(), POLLIN, 0};
    if (::poll(&entry, 1, static_cast<int>(limit.count())) != 1) return {};
    std::vector<std::byte> datagram(1500);
    const auto got = ::recv(socket_.get(), datagram.data(), datagram.size(), 0);
    datagram.resize(got > 0 ? static_cast<std::size_t>(got) : 0);
    return datagram;
  }

  // Everything that arrives until `deadline`, appended to `into`.
  void collect_until(Clock::time_point deadline, std::vector<Packet>& into) const {
    for (auto now = Clock::now(); now < deadline; now = Clock::now()) {
      const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
      pollfd entry{socket_.get(), POLLIN, 0};
      if (::poll(&entry, 1, static_cast<int>(wait.count()) + 1) != 1) continue;
      drain(into);
    }
  }
  void drain(std::vector<Packet>& into) const {
    std::array<std::byte, 1500> datagram{};
    for (;;) {
      const auto got = ::recv(socket_.get(), datagram.data(), datagram.size(), 0);
      if (got <= 0) return;
      const auto parsed = parse_rtp(std::span(datagram).first(static_cast<std::size_t>(got)));
      if (!parsed) continue;
      into.push_back(
          Packet{Clock::now(), parsed->header, {parsed->payload.begin(), parsed->payload.end()}});
    }
  }
  // Waits for a packet; nullopt when none comes within `limit`.
  [[nodiscard]] std::optional<Packet> next(std::chrono::milliseconds limit) const {
    std::vector<Packet> got;
    const auto deadline = Clock::now() + limit;
    while (got.empty() && Clock::now() < deadline) {
      pollfd entry{socket_.get(), POLLIN, 0};
      if (::poll(&entry, 1, 20) == 1) drain(got);
    }
    if (got.empty()) return std::nullopt;
    return got.front();
  }
  // True once `quiet` passes with nothing arriving, trying until `limit`.
  [[nodiscard]] bool falls_silent(std::chrono::milliseconds quiet,
                                  std::chrono::milliseconds limit) const {
    const auto give_up = Clock::now() + limit;
    while (Clock::now() < give_up) {
      std::vector<Packet> got;
      collect_until(Clock::now() + quiet, got);
      if (got.empty()) return true;
    }
    return false;
  }

 private:
  static sockaddr_in loopback(std::uint16_t port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
  }
  UniqueFd socket_;
  std::uint16_t port_ = 0;
};

// Control thread of the test: runs the engine's callbacks, records digits.
class Control {
 public:
  Control() : guard_(boost::asio::make_work_guard(io_)), thread_([this] { io_.run(); }) {}
  ~Control() {
    guard_.reset();
    thread_.join();
  }
  std::function<void(std::function<void()>)> poster() {
    return [this](std::function<void()> task) { boost::asio::post(io_, std::move(task)); };
  }
  SessionEvents events() {
    return SessionEvents{[this](char digit) {
      const std::lock_guard lock(mutex_);
      digits_.push_back(digit);
    }};
  }
  std::string digits() {
    const std::lock_guard lock(mutex_);
    return digits_;
  }

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
  std::mutex mutex_;
  std::string digits_;
  std::thread thread_;
};

// A loopback E1 whose far end echoes timeslot 1, on its own io_context thread.
class EchoLine {
 public:
  EchoLine() : pair_(loopback::make_pair("media", tdm::Shape::e1, tdm::Law::alaw)) {
    std::error_code error;
    auto far = pair_.b->open_bearer(kTimeslot, error);
    if (!far) throw std::system_error(error, "far bearer");
    far_.emplace(io_, std::move(far), tdm::Law::alaw);
    far_->echo();
    thread_ = std::thread([this] { io_.run(); });
  }
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

NegotiatedMedia negotiated(Codec codec, std::uint16_t remote_port, bool events = false) {
  NegotiatedMedia media;
  media.codec = codec;
  media.payload_type = static_payload_type(codec);
  if (events) media.telephone_event_payload_type = kEventPayloadType;
  media.remote_address = "127.0.0.1";
  media.remote_port = remote_port;
  return media;
}

// The audio a stream of packets carries, placed by timestamp from the first.
std::vector<std::byte> assemble(const std::vector<Packet>& packets, int payload_type) {
  std::vector<std::byte> audio;
  std::optional<std::uint32_t> base;
  for (const auto& packet : packets) {
    if (packet.header.payload_type != payload_type) continue;
    if (!base) base = packet.header.timestamp;
    const std::size_t at = packet.header.timestamp - *base;
    if (at > 1'000'000) continue;  // before the first: not expected from the engine
    if (audio.size() < at + packet.payload.size()) audio.resize(at + packet.payload.size());
    std::copy(packet.payload.begin(), packet.payload.end(),
              audio.begin() + static_cast<std::ptrdiff_t>(at));
  }
  return audio;
}

class MediaEngineTest : public testing::Test {
 protected:
  MediaConfig config() {
    MediaConfig made;
    made.port_min = range_base();
    made.port_max = static_cast<std::uint16_t>(range_base() + 15);
    return made;
  }

  // Allocates a session and starts it towards `media` on the echo line.
  SessionId start(const NegotiatedMedia& media) {
    std::error_code error;
    const auto id = engine.allocate(error);
    if (!id) throw std::system_error(error, "allocate");
    engine.start(*id, media, line.near_bearer(), tdm::Law::alaw, control.events());
    return *id;
  }
  std::uint16_t port(SessionId id) const { return engine.local_endpoint(id).port; }

  Control control;
  EchoLine line;
  MediaEngine engine{config(), control.poster()};
};

struct EchoResult {
  std::size_t compared = 0;
  std::size_t mismatches = 0;
  double delay_ms = -1;
};

// Plays one second of a pattern as 20 ms packets of `codec` and looks for it
// in what comes back, by content after the round trip through the A-law line.
EchoResult play_and_find_echo(const UdpPeer& peer, std::uint16_t to, Codec codec) {
  const pstnsim::EchoProbe probe(8000);
  const tdm::Law law = codec == Codec::pcma ? tdm::Law::alaw : tdm::Law::mulaw;
  std::vector<std::byte> expected;
  expected.reserve(probe.pattern().size());
  for (const std::byte code : probe.pattern()) {
    const std::byte on_line = dsp::transcode(law, tdm::Law::alaw, code);
    expected.push_back(dsp::transcode(tdm::Law::alaw, law, on_line));
  }
  std::vector<Packet> before;
  peer.drain(before);  // what the engine sent before the pattern does not count
  std::vector<Packet> received;
  const auto start = Clock::now();
  RtpHeader header{true, static_cast<std::uint8_t>(static_payload_type(codec)), 500, 90000, 77};
  // The pattern, then 1.5 s of silence while the echo comes back: the
  // stream goes on until the caller reads the stats, so the engine has no
  // reason to conceal anything.
  const std::vector<std::byte> silence(160, tdm::idle_code(law));
  for (std::size_t packet = 0; packet < 125; ++packet) {
    const std::size_t at = packet * 160;
    peer.collect_until(start + packet * 20ms, received);
    const bool pattern = at < probe.pattern().size();
    peer.send(to, header, pattern ? probe.pattern().subspan(at, 160) : std::span(silence));
    header.marker = false;
    ++header.sequence;
    header.timestamp += 160;
  }
  const auto audio = assemble(received, static_payload_type(codec));
  EchoResult result;
  const auto anchor = std::span(expected).first(32);
  const auto found = std::search(audio.begin(), audio.end(), anchor.begin(), anchor.end());
  if (found == audio.end()) return result;
  const auto offset = static_cast<std::size_t>(found - audio.begin());
  result.delay_ms = static_cast<double>(offset) / 8.0;
  result.compared = std::min(expected.size(), audio.size() - offset);
  for (std::size_t i = 0; i < result.compared; ++i) {
    if (audio[offset + i] != expected[i]) ++result.mismatches;
  }
  return result;
}

void check_echo(const EchoResult& echo, const char* codec, const SessionStats& stats) {
  ASSERT_GE(echo.delay_ms, 0) << codec << ": the pattern never came back";
  std::cout << codec << " round trip through the E1 echo: " << echo.delay_ms << " ms, "
            << echo.mismatches << " of " << echo.compared << " samples differ (" << stats.concealed
            << " frames concealed, " << stats.late_dropped << " late)\n";
  testing::Test::RecordProperty(std::string(codec) + "_round_trip_ms",
                                static_cast<int>(echo.delay_ms));
  EXPECT_EQ(echo.compared, 8000U) << "all of it came back";
  // Bit-exact, unless a scheduling hiccup made the engine conceal a frame (or
  // drop one as late), which it then counts.
  const auto excused = 160 * (stats.concealed + stats.late_dropped);
  EXPECT_LE(echo.mismatches, excused)
      << "concealed " << stats.concealed << ", late " << stats.late_dropped;
}

TEST_F(MediaEngineTest, PcmuAudioComesBackFromTheEchoLine) {
  UdpPeer peer;
  const auto id = start(negotiated(Codec::pcmu, peer.port()));
  ASSERT_TRUE(peer.next(2s)) << "the engine sends as the line clocks, before hearing anything";
  const auto echo = play_and_find_echo(peer, port(id), Codec::pcmu);
  const auto stats = engine.stats(id);
  ASSERT_TRUE(stats);
  check_echo(echo, "PCMU", *stats);
  EXPECT_GE(stats->rtp_received, 50U);
  EXPECT_EQ(stats->rtp_lost, 0U);
  EXPECT_GT(stats->rtp_sent, 50U);
}

TEST_F(MediaEngineTest, PcmaAudioComesBackBitExact) {
  UdpPeer peer;
  const auto id = start(negotiated(Codec::pcma, peer.port()));
  ASSERT_TRUE(peer.next(2s));
  const auto echo = play_and_find_echo(peer, port(id), Codec::pcma);
  check_echo(echo, "PCMA", engine.stats(id).value_or(SessionStats{}));
}

TEST_F(MediaEngineTest, HoldStopsOurRtpAndResumeStartsItWithTheMarker) {
  UdpPeer peer;
  auto media = negotiated(Codec::pcmu, peer.port());
  const auto id = start(media);
  ASSERT_TRUE(peer.next(2s));
  media.send = false;
  engine.update(id, media);
  ASSERT_TRUE(peer.falls_silent(500ms, 3s)) << "RTP goes on while the peer holds us";
  const auto held = engine.stats(id)->rtp_sent;
  EXPECT_FALSE(peer.next(300ms)) << "a packet during the hold";
  EXPECT_EQ(engine.stats(id)->rtp_sent, held);
  media.send = true;
  engine.update(id, media);
  const auto resumed = peer.next(2s);
  ASSERT_TRUE(resumed) << "no RTP after resuming";
  EXPECT_TRUE(resumed->header.marker) << "the first packet after a hold starts a talkspurt";
}

TEST_F(MediaEngineTest, AReInviteCanChangeTheCodec) {
  UdpPeer peer;
  auto media = negotiated(Codec::pcmu, peer.port());
  const auto id = start(media);
  const auto first = peer.next(2s);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->header.payload_type, 0);
  media.codec = Codec::pcma;
  media.payload_type = 8;
  engine.update(id, media);
  bool pcma = false;
  const auto deadline = Clock::now() + 2s;
  while (!pcma && Clock::now() < deadline) {
    const auto packet = peer.next(200ms);
    pcma = packet && packet->header.payload_type == 8;
  }
  EXPECT_TRUE(pcma) << "still PCMU after the update";
}

std::uint32_t word_at(const std::vector<std::byte>& packet, std::size_t at) {
  return (std::to_integer<std::uint32_t>(packet.at(at)) << 24U) |
         (std::to_integer<std::uint32_t>(packet.at(at + 1)) << 16U) |
         (std::to_integer<std::uint32_t>(packet.at(at + 2)) << 8U) |
         std::to_integer<std::uint32_t>(packet.at(at + 3));
}

TEST_F(MediaEngineTest, SenderReportsGoToTheOddPortWithABlockAboutThePeersStream) {
  // The peer's RTP and RTCP on an even/odd pair, as its SDP would say.
  const auto rtp_port = static_cast<std::uint16_t>(range_base() + 16);
  UdpPeer peer_rtp(rtp_port);
  UdpPeer peer_rtcp(static_cast<std::uint16_t>(rtp_port + 1));
  const auto id = start(negotiated(Codec::pcmu, rtp_port));
  const auto audio = peer_rtp.next(2s);
  ASSERT_TRUE(audio);
  // The peer sends sequence numbers 1-10 but 5 (one lost in ten), then its
  // own sender report; all before our first report, due 5 s after the start.
  const std::vector<std::byte> silence(160, std::byte{0xFF});
  for (std::uint16_t sequence = 1; sequence <= 10; ++sequence) {
    if (sequence == 5) continue;
    RtpHeader header;
    header.payload_type = 0;
    header.sequence = sequence;
    header.timestamp = sequence * 160U;
    header.ssrc = 4242;
    peer_rtp.send(port(id), header, silence);
    std::this_thread::sleep_for(20ms);
  }
  SenderInfo info;
  info.ssrc = 4242;
  info.ntp_time = (std::uint64_t{0x12345678} << 32U) | 0x9ABC0000U;
  std::array<std::byte, 128> theirs{};
  const std::size_t length = build_sender_report(info, std::nullopt, "peer", theirs);
  peer_rtcp.send_raw(static_cast<std::uint16_t>(port(id) + 1), std::span(theirs).first(length));
  const auto limit = Clock::now() + 2s;
  while (engine.stats(id)->rtcp_received == 0 && Clock::now() < limit) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(engine.stats(id)->rtcp_received, 1U);

  std::vector<std::byte> report;
  const auto deadline = Clock::now() + 7s;
  while (!looks_like_rtcp(report) && Clock::now() < deadline) report = peer_rtcp.next_raw(500ms);
  ASSERT_TRUE(looks_like_rtcp(report)) << "no sender report arrived";
  EXPECT_EQ(report.at(1), std::byte{200}) << "an SR first";
  EXPECT_EQ(word_at(report, 4), audio->header.ssrc) << "the report is about our RTP stream";
  ASSERT_EQ(report.at(0), std::byte{0x81}) << "with one report block";
  EXPECT_EQ(word_at(report, 28), 4242U) << "about the peer's stream";
  EXPECT_EQ(word_at(report, 32), (25U << 24U) | 1U) << "fraction 1/10 of 256, one lost in all";
  EXPECT_EQ(word_at(report, 36), 10U) << "highest sequence number, no cycles";
  EXPECT_LT(word_at(report, 40), 8000U) << "jitter in timestamp units";
  EXPECT_EQ(word_at(report, 44), 0x56789ABCU) << "their report's time echoed";
  const double delay = word_at(report, 48) / 65536.0;
  EXPECT_GT(delay, 0.0);
  EXPECT_LT(delay, 7.0) << "the delay since their report, in 1/65536 s";
  // The worker counts a report once send_to() has returned, which may be
  // after the datagram reached us.
  const auto counted_by = Clock::now() + 1s;
  while (engine.stats(id)->rtcp_sent == 0 && Clock::now() < counted_by) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_GE(engine.stats(id)->rtcp_sent, 1U);
}

TEST_F(MediaEngineTest, HoldByAddressZeroStopsOurRtpToo) {
  UdpPeer peer;
  auto media = negotiated(Codec::pcmu, peer.port());
  const auto id = start(media);
  ASSERT_TRUE(peer.next(2s));
  media.remote_address = "0.0.0.0";
  engine.update(id, media);
  EXPECT_TRUE(peer.falls_silent(500ms, 3s));
}

TEST_F(MediaEngineTest, SymmetricRtpLatchesToWhereThePeersPacketsComeFrom) {
  UdpPeer announced;  // the address in the peer's SDP
  UdpPeer actual;     // where its packets really come from, as behind a NAT
  const auto id = start(negotiated(Codec::pcmu, announced.port()));
  ASSERT_TRUE(announced.next(2s)) << "before the peer sends, the SDP address is all there is";
  const std::vector<std::byte> silence(160, std::byte{0xFF});
  RtpHeader header{true, 0, 1, 160, 99};
  for (int i = 0; i < 5; ++i) {
    actual.send(port(id), header, silence);
    header.marker = false;
    ++header.sequence;
    header.timestamp += 160;
  }
  EXPECT_TRUE(actual.next(2s)) << "our RTP did not follow the peer's source port";
  EXPECT_TRUE(announced.falls_silent(500ms, 3s)) << "still sending to the SDP address";
}

TEST_F(MediaEngineTest, AnRfc4733DigitIsPlayedOnTheLineAndComesBackAsEvents) {
  UdpPeer peer;
  const auto id = start(negotiated(Codec::pcmu, peer.port(), true));
  ASSERT_TRUE(peer.next(2s));
  // Digit 5 for 120 ms: a start, updates every 20 ms, three end packets.
  RtpHeader header{true, kEventPayloadType, 10, 16000, 1234};
  for (int packet = 0; packet < 9; ++packet) {
    const bool end = packet >= 6;
    const auto duration = static_cast<std::uint16_t>(end ? 960 : (packet + 1) * 160);
    std::array<std::byte, kTelephoneEventBytes> event{};
    build_telephone_event(TelephoneEvent{5, end, 10, duration}, event);
    peer.send(port(id), header, event);
    header.marker = false;
    ++header.sequence;
    std::this_thread::sleep_for(20ms);
  }
  // The far end echoes the tone; the engine detects it and sends it as events.
  std::vector<Packet> received;
  bool started = false;
  bool ended = false;
  const auto deadline = Clock::now() + 3s;
  while (!ended && Clock::now() < deadline) {
    peer.collect_until(Clock::now() + 100ms, received);
    for (const auto& packet : received) {
      if (packet.header.payload_type != kEventPayloadType) continue;
      const auto event = parse_telephone_event(packet.payload);
      ASSERT_TRUE(event);
      EXPECT_EQ(event->event, 5);
      started = started || packet.header.marker;
      ended = ended || event->end;
    }
    received.clear();
  }
  EXPECT_TRUE(started) << "no event start (marker) came back";
  EXPECT_TRUE(ended) << "no event end came back";
  const auto stats = engine.stats(id);
  EXPECT_EQ(stats->dtmf_received, 1U) << "the updates and three ends are one digit";
  EXPECT_EQ(stats->dtmf_sent, 1U);
  const auto limit = Clock::now() + 2s;
  while (control.digits().size() < 2 && Clock::now() < limit) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(control.digits(), "55") << "reported once each way, on the control thread";
}

TEST_F(MediaEngineTest, ReleaseFreesThePortsForTheNextCall) {
  std::vector<SessionId> ids;
  std::error_code error;
  for (auto id = engine.allocate(error); id; id = engine.allocate(error)) ids.push_back(*id);
  EXPECT_EQ(error, std::errc::address_in_use) << error.message();
  ASSERT_EQ(ids.size(), 8U) << "16 ports, 8 pairs (none taken by another program here)";
  EXPECT_EQ(engine.session_count(), 8U);
  for (const auto id : ids) EXPECT_EQ(port(id) % 2, 0) << "RTP on an even port";

  const std::uint16_t freed = port(ids[3]);
  engine.release(ids[3]);
  EXPECT_EQ(engine.session_count(), 7U);
  EXPECT_FALSE(engine.stats(ids[3]));
  // release() does not wait for the worker to close the ports: the pair is
  // taken again once it has (binding it fails until then).
  std::optional<SessionId> again;
  const auto limit = Clock::now() + 2s;
  while (!(again = engine.allocate(error)) && Clock::now() < limit) {
    std::this_thread::sleep_for(1ms);
  }
  ASSERT_TRUE(again) << error.message();
  EXPECT_EQ(port(*again), freed);
  EXPECT_EQ(engine.session_count(), 8U);
  EXPECT_FALSE(engine.allocate(error));
}

TEST_F(MediaEngineTest, ReleaseStopsAStartedSession) {
  UdpPeer peer;
  const auto id = start(negotiated(Codec::pcmu, peer.port()));
  ASSERT_TRUE(peer.next(2s));
  engine.release(id);
  EXPECT_TRUE(peer.falls_silent(300ms, 2s));
  EXPECT_EQ(engine.session_count(), 0U);
}

}  // namespace
}  // namespace gw::media
