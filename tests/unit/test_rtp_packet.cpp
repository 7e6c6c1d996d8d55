// RTP and RTCP on the wire, RFC 4733 event decisions and port pairs.

#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "gateway/media/rtp_packet.hpp"
#include "gateway/media/telephone_events.hpp"

namespace gw::media {
namespace {

std::vector<std::byte> bytes(std::initializer_list<int> values) {
  std::vector<std::byte> out;
  out.reserve(values.size());
  for (const int value : values) out.push_back(static_cast<std::byte>(value));
  return out;
}

TEST(RtpPacket, BuildThenParseGivesTheSameHeaderAndPayload) {
  RtpHeader header{true, 8, 0xFFFE, 0xDEADBEEF, 0x01020304};
  const auto payload = bytes({1, 2, 3, 4, 5});
  std::array<std::byte, 64> out{};
  const std::size_t length = build_rtp(header, payload, out);
  ASSERT_EQ(length, kRtpHeaderBytes + payload.size());
  EXPECT_EQ(out[0], std::byte{0x80});
  EXPECT_EQ(out[1], std::byte{0x88}) << "marker and PT 8";
  const auto parsed = parse_rtp(std::span(out).first(length));
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(parsed->header.marker);
  EXPECT_EQ(parsed->header.payload_type, 8);
  EXPECT_EQ(parsed->header.sequence, 0xFFFE);
  EXPECT_EQ(parsed->header.timestamp, 0xDEADBEEFU);
  EXPECT_EQ(parsed->header.ssrc, 0x01020304U);
  EXPECT_TRUE(
      std::equal(payload.begin(), payload.end(), parsed->payload.begin(), parsed->payload.end()));
  EXPECT_EQ(build_rtp(header, payload, std::span(out).first(10)), 0U) << "too small";
}

TEST(RtpPacket, CsrcsExtensionAndPaddingAreSkipped) {
  // V=2 P=1 X=1 CC=1, PT 0; one CSRC; a one-word extension; payload AA BB;
  // two octets of padding.
  const auto datagram = bytes({0xB1, 0x00, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3,  // header
                               9,    9,    9, 9,                          // CSRC
                               0xBE, 0xDE, 0, 1, 7, 7, 7, 7,              // extension
                               0xAA, 0xBB, 0, 2});                        // payload, padding
  const auto parsed = parse_rtp(datagram);
  ASSERT_TRUE(parsed);
  ASSERT_EQ(parsed->payload.size(), 2U);
  EXPECT_EQ(parsed->payload[0], std::byte{0xAA});
  EXPECT_EQ(parsed->payload[1], std::byte{0xBB});
}

TEST(RtpPacket, MalformedDatagramsAreRefused) {
  EXPECT_FALSE(parse_rtp(bytes({0x80, 0, 0, 1})));                             // too short
  EXPECT_FALSE(parse_rtp(bytes({0x40, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3})));     // version 1
  EXPECT_FALSE(parse_rtp(bytes({0x82, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3})));     // CSRCs missing
  EXPECT_FALSE(parse_rtp(bytes({0xA0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 9})));  // padding 9
  EXPECT_FALSE(parse_rtp(bytes({0x80, 0xC8, 0, 6, 0, 0, 0, 2, 0, 0, 0, 3})));  // an RTCP SR
  EXPECT_TRUE(parse_rtp(bytes({0x80, 0x00, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3})));
}

TEST(RtpPacket, TelephoneEventsRoundTrip) {
  const TelephoneEvent event{11, true, 10, 800};
  std::array<std::byte, kTelephoneEventBytes> out{};
  build_telephone_event(event, out);
  EXPECT_EQ(out[1], std::byte{0x8A}) << "E bit and volume 10";
  const auto parsed = parse_telephone_event(out);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->event, 11);
  EXPECT_TRUE(parsed->end);
  EXPECT_EQ(parsed->volume, 10);
  EXPECT_EQ(parsed->duration, 800);
  EXPECT_FALSE(parse_telephone_event(bytes({1, 2, 3})));
  EXPECT_EQ(event_digit(11), '#');
  EXPECT_EQ(event_digit(0), '0');
  EXPECT_EQ(event_digit(15), 'D');
  EXPECT_FALSE(event_digit(16)) << "flash is no digit";
  EXPECT_EQ(digit_event('*'), 10);
  EXPECT_FALSE(digit_event('x'));
}

TEST(RtpPacket, ASenderReportCarriesABlockAboutThePeersStream) {
  SenderInfo info{0xCAFEBABE, (std::uint64_t{3'900'000'000} << 32U) | 0x80000000U, 160, 50, 8000};
  ReportBlock block{0x01020304, 25, -3, 0x0001FFFF, 80, 0xAABBCCDD, 0x00018000};
  std::array<std::byte, 128> out{};
  const std::size_t length = build_sender_report(info, block, "abc@sipgw", out);
  const auto packet = std::span(out).first(length);
  ASSERT_TRUE(looks_like_rtcp(packet));
  EXPECT_EQ(out[0], std::byte{0x81}) << "one report block";
  EXPECT_EQ(out[3], std::byte{12}) << "SR length: 13 words less one";
  EXPECT_EQ(length, 52U + 8U + 12U) << "SR with its block, then SDES of a 9-octet CNAME";
  const std::vector<std::byte> expected = bytes({0x01, 0x02, 0x03, 0x04,    // SSRC
                                                 25,   0xFF, 0xFF, 0xFD,    // fraction, -3
                                                 0x00, 0x01, 0xFF, 0xFF,    // extended highest
                                                 0,    0,    0,    80,      // jitter
                                                 0xAA, 0xBB, 0xCC, 0xDD,    // LSR
                                                 0x00, 0x01, 0x80, 0x00});  // DLSR: 1.5 s
  EXPECT_TRUE(std::equal(expected.begin(), expected.end(), packet.begin() + 28));
  EXPECT_EQ(out[52 + 1], std::byte{202}) << "SDES after the block";
  block.cumulative_lost = 50'000'000;  // more than 24 bits hold
  (void)build_sender_report(info, block, "abc@sipgw", out);
  EXPECT_EQ(out[33], std::byte{0x7F}) << "clamped to the largest 24-bit count";
  // Their report's time, as our LSR echoes it: NTP seconds' low half, fraction's high half.
  EXPECT_EQ(sender_report_time(packet), std::optional<std::uint32_t>(0x4700'8000U));
  EXPECT_FALSE(sender_report_time(bytes({0x80, 201, 0, 1, 0, 0, 0, 2})));
}

TEST(RtpPacket, FractionLostIsOf256AndZeroWhenDuplicatesOutnumberTheLost) {
  EXPECT_EQ(fraction_lost(10, 9), 25);
  EXPECT_EQ(fraction_lost(10, 10), 0);
  EXPECT_EQ(fraction_lost(10, 12), 0);
  EXPECT_EQ(fraction_lost(0, 0), 0);
  EXPECT_EQ(fraction_lost(1, 0), 255);
}

TEST(RtpPacket, SenderReportIsACompoundPacketWithACname) {
  SenderInfo info{0xCAFEBABE, (std::uint64_t{3'900'000'000} << 32U) | 0x80000000U, 160, 50, 8000};
  std::array<std::byte, 128> out{};
  const std::size_t length = build_sender_report(info, std::nullopt, "abc@sipgw", out);
  ASSERT_GT(length, 28U);
  EXPECT_EQ(length % 4, 0U);
  const auto packet = std::span(out).first(length);
  EXPECT_TRUE(looks_like_rtcp(packet));
  EXPECT_EQ(out[1], std::byte{200});
  EXPECT_EQ(out[28 + 1], std::byte{202}) << "SDES follows the SR";
  EXPECT_EQ(out[28 + 8], std::byte{1}) << "CNAME item";
  EXPECT_EQ(out[28 + 9], std::byte{9});
  EXPECT_EQ(out[28 + 10], std::byte{'a'});
  EXPECT_EQ(out[23], std::byte{50}) << "packet count";
  EXPECT_FALSE(looks_like_rtcp(bytes({0x80, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3})));
  EXPECT_EQ(build_sender_report(info, std::nullopt, "abc", std::span(out).first(20)), 0U);
}

TEST(TelephoneEvents, AReceivedEventStartsOnceAndEndsOnce) {
  EventReceiver receiver;
  const auto start = receiver.on_packet(1000, TelephoneEvent{5, false, 10, 160});
  EXPECT_EQ(start.start, '5');
  EXPECT_FALSE(start.stop_after);
  const auto update = receiver.on_packet(1000, TelephoneEvent{5, false, 10, 320});
  EXPECT_FALSE(update.start);
  EXPECT_FALSE(update.stop_after);
  const auto end = receiver.on_packet(1000, TelephoneEvent{5, true, 10, 800});
  EXPECT_EQ(end.stop_after, 800U);
  for (int repeat = 0; repeat < 2; ++repeat) {
    const auto again = receiver.on_packet(1000, TelephoneEvent{5, true, 10, 800});
    EXPECT_FALSE(again.start);
    EXPECT_FALSE(again.stop_after);
  }
  EXPECT_EQ(receiver.on_packet(5000, TelephoneEvent{9, false, 10, 160}).start, '9');
  EXPECT_FALSE(receiver.on_packet(9000, TelephoneEvent{16, false, 10, 160}).start) << "flash";
}

TEST(TelephoneEvents, ADetectedDigitIsSentAsStartUpdatesAndThreeEnds) {
  EventSender sender;
  EventSender::Packets packets{};
  std::vector<EventSender::Packet> sent;
  const std::array<std::string_view, 10> changes{
      std::string_view("7", 1), "", "", "", std::string_view("\0", 1), "", "", "", "", ""};
  std::uint32_t timestamp = 4000;
  for (const auto change : changes) {
    const std::size_t count = sender.on_block(timestamp, change, packets);
    sent.insert(sent.end(), packets.begin(), packets.begin() + static_cast<std::ptrdiff_t>(count));
    timestamp += 160;
  }
  ASSERT_EQ(sent.size(), 4U + 3U);
  EXPECT_TRUE(sent[0].marker);
  for (std::size_t i = 0; i < sent.size(); ++i) {
    EXPECT_EQ(sent[i].timestamp, 4000U) << "every packet carries the event's start";
    EXPECT_EQ(sent[i].event.event, 7);
    if (i > 0) {
      EXPECT_FALSE(sent[i].marker);
    }
  }
  EXPECT_EQ(sent[3].event.duration, 640);
  EXPECT_FALSE(sent[3].event.end);
  for (std::size_t i = 4; i < 7; ++i) {
    EXPECT_TRUE(sent[i].event.end);
    EXPECT_EQ(sent[i].event.duration, 640);
  }
}

}  // namespace
}  // namespace gw::media
