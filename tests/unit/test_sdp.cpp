// SDP offer/answer (RFC 3264) over the project's SessionDescription, and the
// SDP text both ways through Sofia-SIP's parser.

#include <gtest/gtest.h>

#include "gateway/media/sdp.hpp"
#include "gateway/sip/sdp_codec.hpp"

namespace gw {
namespace {

using media::Codec;
using media::Direction;

media::SessionDescription parse(const std::string& text) {
  std::string error;
  auto sdp = sip::parse_sdp(text, error);
  EXPECT_TRUE(sdp.has_value()) << error << "\n" << text;
  return sdp.value_or(media::SessionDescription{});
}

std::string offer_text(const std::string& formats, const std::string& extra = {},
                       const std::string& connection = "192.0.2.10") {
  return "v=0\r\no=alice 2890844526 2890844526 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 " + connection +
         "\r\nt=0 0\r\nm=audio 49170 RTP/AVP " + formats + "\r\n" + extra;
}

const media::LocalEndpoint kLocal{"127.0.0.1", 16384};

media::Answer answer(const media::SessionDescription& offer, media::Origin& origin) {
  auto result = media::answer_offer(offer, media::MediaCapabilities{}, kLocal, origin);
  EXPECT_TRUE(std::holds_alternative<media::Answer>(result))
      << std::get<media::Rejection>(result).reason;
  return std::holds_alternative<media::Answer>(result) ? std::get<media::Answer>(result)
                                                       : media::Answer{};
}

TEST(Sdp, Rfc3665OfferOfPcmuIsAnsweredPcmu) {
  media::Origin origin{42, 0};
  const auto offer = parse(offer_text("0", "a=rtpmap:0 PCMU/8000\r\n"));
  EXPECT_EQ(offer.connection_address, "192.0.2.10");
  EXPECT_EQ(offer.audio_port, 49170);
  const auto result = answer(offer, origin);
  EXPECT_EQ(result.media.codec, Codec::pcmu);
  EXPECT_EQ(result.media.payload_type, 0);
  EXPECT_EQ(result.media.remote_address, "192.0.2.10");
  EXPECT_EQ(result.media.remote_port, 49170);
  EXPECT_TRUE(result.media.send);
  EXPECT_TRUE(result.media.receive);
  EXPECT_FALSE(result.media.telephone_event_payload_type);
  ASSERT_EQ(result.sdp.formats.size(), 1U);
  EXPECT_EQ(result.sdp.audio_port, 16384);
  EXPECT_EQ(result.sdp.connection_address, "127.0.0.1");
  EXPECT_EQ(result.sdp.direction, Direction::sendrecv);
}

TEST(Sdp, TheOfferersPreferenceWins) {
  media::Origin origin{42, 0};
  const auto result = answer(parse(offer_text("8 0")), origin);
  EXPECT_EQ(result.media.codec, Codec::pcma);
  EXPECT_EQ(result.media.payload_type, 8);
}

TEST(Sdp, StaticFormatsWithoutRtpmapAreKnown) {
  media::Origin origin{42, 0};
  const auto result = answer(parse(offer_text("18 0")), origin);
  EXPECT_EQ(result.media.codec, Codec::pcmu) << "G.729 skipped, PCMU by its static number";
}

TEST(Sdp, NoCommonCodecIsARejection) {
  media::Origin origin{42, 0};
  const auto result = media::answer_offer(parse(offer_text("18", "a=rtpmap:18 G729/8000\r\n")),
                                          media::MediaCapabilities{}, kLocal, origin);
  ASSERT_TRUE(std::holds_alternative<media::Rejection>(result));
  EXPECT_NE(std::get<media::Rejection>(result).reason.find("codec"), std::string::npos);
}

TEST(Sdp, TelephoneEventIsAnsweredWithTheOfferersPayloadType) {
  media::Origin origin{42, 0};
  const auto result = answer(
      parse(offer_text("0 96", "a=rtpmap:96 telephone-event/8000\r\na=fmtp:96 0-15\r\n")), origin);
  ASSERT_TRUE(result.media.telephone_event_payload_type);
  EXPECT_EQ(*result.media.telephone_event_payload_type, 96);
  ASSERT_EQ(result.sdp.formats.size(), 2U);
  EXPECT_EQ(result.sdp.formats[1].payload_type, 96);
  EXPECT_EQ(result.sdp.formats[1].fmtp, "0-15");
}

// Found by fuzz_sdp: a peer listing payload type 0 twice, once mapped to
// telephone-event, got an answer with both PCMU and events on 0.
TEST(Sdp, AnEventNumberedLikeTheAudioIsNotAgreed) {
  media::Origin origin{42, 0};
  const auto result =
      answer(parse(offer_text("0 0", "a=rtpmap:0 telephone-event/8000\r\n")), origin);
  EXPECT_EQ(result.media.codec, Codec::pcmu);
  EXPECT_EQ(result.media.payload_type, 0);
  EXPECT_FALSE(result.media.telephone_event_payload_type);
  ASSERT_EQ(result.sdp.formats.size(), 1U);
  EXPECT_EQ(result.sdp.formats[0].encoding, "PCMU");

  const auto offer = media::make_offer(media::MediaCapabilities{}, kLocal, origin);
  const auto accepted =
      media::accept_answer(offer, parse(offer_text("8 8", "a=rtpmap:8 telephone-event/8000\r\n")));
  ASSERT_TRUE(std::holds_alternative<media::NegotiatedMedia>(accepted));
  EXPECT_EQ(std::get<media::NegotiatedMedia>(accepted).payload_type, 8);
  EXPECT_FALSE(std::get<media::NegotiatedMedia>(accepted).telephone_event_payload_type);
}

TEST(Sdp, HoldDirectionsAreAnsweredInReverse) {
  media::Origin origin{42, 0};
  auto held = answer(parse(offer_text("0", "a=sendonly\r\n")), origin);
  EXPECT_EQ(held.sdp.direction, Direction::recvonly);
  EXPECT_FALSE(held.media.send) << "no audio towards a party that holds";
  EXPECT_TRUE(held.media.receive);
  auto inactive = answer(parse(offer_text("0", "a=inactive\r\n")), origin);
  EXPECT_EQ(inactive.sdp.direction, Direction::inactive);
  EXPECT_FALSE(inactive.media.send);
  EXPECT_FALSE(inactive.media.receive);
  auto recvonly = answer(parse(offer_text("0", "a=recvonly\r\n")), origin);
  EXPECT_EQ(recvonly.sdp.direction, Direction::sendonly);
  EXPECT_TRUE(recvonly.media.send);
  EXPECT_FALSE(recvonly.media.receive);
}

TEST(Sdp, ConnectionZeroHoldAsTheServiceExamplesWriteIt) {
  media::Origin origin{42, 0};
  const auto offer = parse(offer_text("0", "", "0.0.0.0"));
  EXPECT_TRUE(offer.holds_us());
  const auto result = answer(offer, origin);
  EXPECT_FALSE(result.media.send);
  EXPECT_TRUE(result.media.receive);
  EXPECT_EQ(result.sdp.direction, Direction::recvonly);
  EXPECT_EQ(result.sdp.connection_address, "127.0.0.1") << "our own address, never 0.0.0.0";
}

TEST(Sdp, OtherStreamsAreRejectedWithPortZero) {
  media::Origin origin{42, 0};
  const auto offer =
      parse(offer_text("0", "m=video 51372 RTP/AVP 31\r\na=rtpmap:31 H261/90000\r\n"));
  ASSERT_EQ(offer.other_streams.size(), 1U);
  const auto text = sip::render_sdp(answer(offer, origin).sdp);
  EXPECT_NE(text.find("m=video 0 RTP/AVP 31\r\n"), std::string::npos) << text;
  EXPECT_EQ(parse(text).other_streams.size(), 1U);
}

TEST(Sdp, Ipv6ConnectionIsRead) {
  const auto offer = parse(
      "v=0\r\no=- 1 1 IN IP6 ::1\r\ns=-\r\nc=IN IP6 2001:db8::5\r\nt=0 0\r\nm=audio 5004 RTP/AVP "
      "0\r\n");
  EXPECT_TRUE(offer.ipv6);
  EXPECT_EQ(offer.connection_address, "2001:db8::5");
}

TEST(Sdp, TheDraftsOutOfOrderSdpIsAccepted) {
  // draft-sparks 2.5 F2 puts s= and t= after m=.
  const auto offer = parse(
      "v=0\r\no=UserA 2890844526 2890844526 IN IP4 client.here.com\r\nc=IN IP4 "
      "100.101.102.103\r\nm=audio 49170 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\ns=Session "
      "SDP\r\nt=3034423619 0\r\n");
  EXPECT_EQ(offer.audio_port, 49170);
  EXPECT_EQ(offer.connection_address, "100.101.102.103");
}

TEST(Sdp, GarbageIsRefusedWithAReason) {
  for (const std::string garbage :
       {"", "hello", "v=0\r\n", "v=0\r\no=x\r\n", "m=audio 1 RTP/AVP 0\r\n", "\x01\x02\x03",
        "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=video 5 RTP/AVP 31\r\n"}) {
    std::string error;
    EXPECT_FALSE(sip::parse_sdp(garbage, error).has_value()) << garbage;
    EXPECT_FALSE(error.empty()) << garbage;
  }
}

// Sofia 1.12.11 allocates without end on these m= lines (tests/fuzz found
// them): each is refused with a reason, quickly, and a well-formed line with
// the same fields still parses.
TEST(Sdp, AnMLineSofiaWouldLoopOnIsRefusedBeforeItSeesIt) {
  const std::string head =
      "v=0\r\no=- 1 2 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n";
  for (const std::string line :
       {"m=audio 5N IP6 2001:db8::10", "m=audio 49170 RTP/AVP 0 ", "m=audio 49170  RTP/AVP 0",
        "m=audio 49170 RTP/AVP (0", "m=audio 49170 x 2001:db8::10", "m=audio 49170/ RTP/AVP 0",
        "m=audio 49170 RTP//AVP 0", "m=audio", "m=audio 49170",
        "m=alice 53RTP/APVP::4 192.0.2io 4917\rm=audio 1 RTP/AVP 0",
        "m=audio 1 RTP/AVP 0\r\n\t m=audio 30000 RTP/AV\xff 8"}) {
    std::string error;
    EXPECT_FALSE(sip::parse_sdp(head + line + "\r\n", error).has_value()) << line;
    EXPECT_EQ(error, "a malformed m= line") << line;
  }
  for (const std::string line :
       {"m=audio 49170 RTP/AVP 0 101", "m=audio 49170/2 RTP/AVP 0", "m=audio 49170 RTP/SAVP 0",
        "m=image 0 udptl t38\r\nm=audio 49170 RTP/AVP 8"}) {
    std::string error;
    EXPECT_TRUE(sip::parse_sdp(head + line + "\r\n", error).has_value()) << line << ": " << error;
  }
}

TEST(Sdp, RenderedSdpParsesBackToTheSame) {
  media::Origin origin{7, 0};
  const auto offer = media::make_offer(media::MediaCapabilities{}, kLocal, origin);
  const auto back = parse(sip::render_sdp(offer));
  EXPECT_EQ(back.session_id, 7U);
  EXPECT_EQ(back.session_version, 1U);
  EXPECT_EQ(back.audio_port, 16384);
  ASSERT_EQ(back.formats.size(), 3U);
  EXPECT_EQ(back.formats[0].payload_type, 0);
  EXPECT_EQ(back.formats[1].payload_type, 8);
  EXPECT_EQ(back.formats[2].payload_type, 101);
  EXPECT_EQ(back.formats[2].encoding, "telephone-event");
  EXPECT_EQ(back.formats[2].fmtp, "0-16");
  EXPECT_EQ(back.ptime_ms, 20);
  EXPECT_EQ(back.direction, Direction::sendrecv);
}

TEST(Sdp, EachDescriptionWeSendBumpsTheVersion) {
  media::Origin origin{7, 0};
  const auto first = answer(parse(offer_text("0")), origin);
  const auto second = answer(parse(offer_text("0", "a=sendonly\r\n")), origin);
  EXPECT_EQ(first.sdp.session_id, second.sdp.session_id);
  EXPECT_EQ(second.sdp.session_version, first.sdp.session_version + 1);
}

TEST(Sdp, AnAnswerToOurOfferIsChecked) {
  media::Origin origin{7, 0};
  const auto offer = media::make_offer(media::MediaCapabilities{}, kLocal, origin);
  const auto accepted = media::accept_answer(
      offer, parse(offer_text("8 101", "a=rtpmap:101 telephone-event/8000\r\n")));
  ASSERT_TRUE(std::holds_alternative<media::NegotiatedMedia>(accepted));
  const auto& media = std::get<media::NegotiatedMedia>(accepted);
  EXPECT_EQ(media.codec, Codec::pcma);
  EXPECT_EQ(media.telephone_event_payload_type, 101);
  EXPECT_EQ(media.remote_port, 49170);
  EXPECT_TRUE(media.send);
  const auto foreign =
      media::accept_answer(offer, parse(offer_text("18", "a=rtpmap:18 G729/8000\r\n")));
  EXPECT_TRUE(std::holds_alternative<media::Rejection>(foreign));
  const auto held = media::accept_answer(offer, parse(offer_text("0", "a=recvonly\r\n")));
  ASSERT_TRUE(std::holds_alternative<media::NegotiatedMedia>(held));
  EXPECT_TRUE(std::get<media::NegotiatedMedia>(held).send);
  EXPECT_FALSE(std::get<media::NegotiatedMedia>(held).receive);
}

}  // namespace
}  // namespace gw
