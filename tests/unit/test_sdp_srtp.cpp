// SDES (RFC 4568) in SDP offer/answer: a=crypto read with Sofia-SIP's
// parser and written back, the line an answer takes, RTP/SAVP, and the
// peer's media_encryption with and without TLS under the SDP.

#include <gtest/gtest.h>

#include "drivers/crypto/base64.hpp"
#include "gateway/media/sdp.hpp"
#include "gateway/sip/sdp_codec.hpp"

namespace gw {
namespace {

using media::Encryption;
using media::MediaSecurity;

const media::LocalEndpoint kLocal{"127.0.0.1", 16384};
const std::string kOurKey(30, '\x5a');
const std::string kTheirKey = "0123456789abcdefghijklmnopqrst";
const std::string kTheirKeyText = crypto::base64_encode(kTheirKey);

media::SessionDescription parse(const std::string& text) {
  std::string error;
  auto sdp = sip::parse_sdp(text, error);
  EXPECT_TRUE(sdp.has_value()) << error << "\n" << text;
  return sdp.value_or(media::SessionDescription{});
}

std::string offer_text(const std::string& protocol, const std::string& crypto) {
  return "v=0\r\no=alice 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\n"
         "m=audio 49170 " +
         protocol + " 0\r\na=rtpmap:0 PCMU/8000\r\n" + crypto;
}

std::string line(int tag, const std::string& suite, const std::string& params) {
  return "a=crypto:" + std::to_string(tag) + " " + suite + " " + params + "\r\n";
}

MediaSecurity security(Encryption encryption, bool secure) {
  return {encryption, secure, kOurKey};
}

std::variant<media::Answer, media::Rejection> answer(const std::string& text,
                                                     const MediaSecurity& with) {
  media::Origin origin{7, 0};
  return media::answer_offer(parse(text), media::MediaCapabilities{}, kLocal, origin,
                             media::Direction::sendrecv, with);
}

std::string refusal(const std::variant<media::Answer, media::Rejection>& result) {
  const auto* rejected = std::get_if<media::Rejection>(&result);
  return rejected != nullptr ? rejected->reason : "(answered)";
}

TEST(SdpSrtp, CryptoLinesAreReadAsWrittenInOrder) {
  const auto sdp = parse(offer_text(
      "RTP/SAVP", line(1, "AES_CM_128_HMAC_SHA1_80", "inline:" + kTheirKeyText + "|2^20|1:4") +
                      "a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:" + kTheirKeyText +
                      "  UNENCRYPTED_SRTP KDR=1\r\n" + "a=crypto:x bad\r\n"));
  EXPECT_EQ(sdp.audio_protocol, "RTP/SAVP");
  ASSERT_EQ(sdp.crypto.size(), 2U);
  EXPECT_EQ(sdp.crypto[0].tag, 1);
  EXPECT_EQ(sdp.crypto[0].suite, "AES_CM_128_HMAC_SHA1_80");
  EXPECT_EQ(sdp.crypto[0].key_params, "inline:" + kTheirKeyText + "|2^20|1:4");
  EXPECT_EQ(sdp.crypto[0].session_params, "");
  EXPECT_EQ(sdp.crypto[1].session_params, "UNENCRYPTED_SRTP KDR=1");
}

TEST(SdpSrtp, RequiredOverTlsTakesTheFirstUsableLineAndAnswersWithOurKey) {
  const std::string offer = offer_text(
      "RTP/SAVP", line(1, "AES_256_CM_HMAC_SHA1_80", "inline:" + kTheirKeyText) +
                      line(2, "AES_CM_128_HMAC_SHA1_80", "inline:" + kTheirKeyText + "|1:4") +
                      line(3, "AES_CM_128_HMAC_SHA1_32", "inline:" + kTheirKeyText + "|2^31") +
                      line(4, "AES_CM_128_HMAC_SHA1_80", "inline:" + kTheirKeyText));
  const auto result = answer(offer, security(Encryption::required, true));
  ASSERT_TRUE(std::holds_alternative<media::Answer>(result)) << refusal(result);
  const auto& answered = std::get<media::Answer>(result);
  EXPECT_EQ(answered.sdp.audio_protocol, "RTP/SAVP");
  ASSERT_EQ(answered.sdp.crypto.size(), 1U);
  EXPECT_EQ(answered.sdp.crypto[0].tag, 3);  // the AES-256 line and the MKI line passed over
  EXPECT_EQ(answered.sdp.crypto[0].suite, "AES_CM_128_HMAC_SHA1_32");
  EXPECT_EQ(answered.sdp.crypto[0].key_params, "inline:" + crypto::base64_encode(kOurKey));
  ASSERT_TRUE(answered.media.srtp.has_value());
  EXPECT_EQ(answered.media.srtp->suite, srtp::Suite::aes_cm_128_hmac_sha1_32);
  EXPECT_EQ(answered.media.srtp->send_key, kOurKey);
  EXPECT_EQ(answered.media.srtp->receive_key, kTheirKey);
  // Our answer as text reads back with the same line.
  const auto back = parse(sip::render_sdp(answered.sdp));
  EXPECT_EQ(back.crypto, answered.sdp.crypto);
  EXPECT_EQ(back.audio_protocol, "RTP/SAVP");
}

TEST(SdpSrtp, RequiredRefusesWithoutTlsOrWithoutCrypto) {
  const std::string savp =
      offer_text("RTP/SAVP", line(1, "AES_CM_128_HMAC_SHA1_80", "inline:" + kTheirKeyText));
  EXPECT_EQ(refusal(answer(savp, security(Encryption::required, false))),
            "SRTP keys are taken only in SDP over TLS (sips: or transport=tls)");
  EXPECT_EQ(refusal(answer(offer_text("RTP/AVP", ""), security(Encryption::required, true))),
            "SRTP is required: the offer has no a=crypto");
  // A key of the wrong length, session parameters, two keys: nothing usable.
  const std::string unusable = offer_text(
      "RTP/SAVP", line(1, "AES_CM_128_HMAC_SHA1_80", "inline:" + kTheirKeyText.substr(0, 20)) +
                      "a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:" + kTheirKeyText + " KDR=0\r\n" +
                      line(3, "AES_CM_128_HMAC_SHA1_80",
                           "inline:" + kTheirKeyText + ";inline:" + kTheirKeyText));
  EXPECT_EQ(refusal(answer(unusable, security(Encryption::required, true))),
            "no a=crypto with AES_CM_128_HMAC_SHA1_80 or _32 and one inline key");
}

TEST(SdpSrtp, OffWhenThePeerIsSetToNone) {
  const std::string crypto = line(1, "AES_CM_128_HMAC_SHA1_80", "inline:" + kTheirKeyText);
  EXPECT_EQ(refusal(answer(offer_text("RTP/SAVP", crypto), security(Encryption::none, true))),
            "RTP/SAVP offered, and SRTP is off for this peer");
  const auto plain = answer(offer_text("RTP/AVP", crypto), security(Encryption::none, true));
  ASSERT_TRUE(std::holds_alternative<media::Answer>(plain));
  EXPECT_TRUE(std::get<media::Answer>(plain).sdp.crypto.empty());
  EXPECT_FALSE(std::get<media::Answer>(plain).media.srtp.has_value());
  // The default security is none: callers that know nothing of SRTP.
  media::Origin origin{7, 0};
  const auto defaulted = media::answer_offer(parse(offer_text("RTP/SAVP", crypto)),
                                             media::MediaCapabilities{}, kLocal, origin);
  EXPECT_TRUE(std::holds_alternative<media::Rejection>(defaulted));
}

TEST(SdpSrtp, OptionalIsSrtpOnlyWhereTlsCarriesTheKeys) {
  const std::string crypto = line(5, "AES_CM_128_HMAC_SHA1_80", "inline:" + kTheirKeyText);
  const auto best_effort =
      answer(offer_text("RTP/AVP", crypto), security(Encryption::optional, true));
  ASSERT_TRUE(std::holds_alternative<media::Answer>(best_effort)) << refusal(best_effort);
  const auto& srtp = std::get<media::Answer>(best_effort);
  EXPECT_EQ(srtp.sdp.audio_protocol, "RTP/AVP");
  ASSERT_EQ(srtp.sdp.crypto.size(), 1U);
  EXPECT_EQ(srtp.sdp.crypto[0].tag, 5);
  EXPECT_TRUE(srtp.media.srtp.has_value());
  // Over UDP the offer's key counts as not sent: plain RTP, and no key of ours goes out.
  const auto over_udp =
      answer(offer_text("RTP/AVP", crypto), security(Encryption::optional, false));
  ASSERT_TRUE(std::holds_alternative<media::Answer>(over_udp));
  EXPECT_TRUE(std::get<media::Answer>(over_udp).sdp.crypto.empty());
  EXPECT_FALSE(std::get<media::Answer>(over_udp).media.srtp.has_value());
  EXPECT_EQ(refusal(answer(offer_text("RTP/SAVP", crypto), security(Encryption::optional, false))),
            "SRTP keys are taken only in SDP over TLS (sips: or transport=tls)");
  const auto plain = answer(offer_text("RTP/AVP", ""), security(Encryption::optional, true));
  ASSERT_TRUE(std::holds_alternative<media::Answer>(plain));
  EXPECT_FALSE(std::get<media::Answer>(plain).media.srtp.has_value());
}

TEST(SdpSrtp, OurOffersCarryAKeyOnlyOverTls) {
  media::Origin origin{9, 0};
  const media::MediaCapabilities caps;
  const auto required =
      media::make_offer(caps, kLocal, origin, security(Encryption::required, true));
  EXPECT_EQ(required.audio_protocol, "RTP/SAVP");
  ASSERT_EQ(required.crypto.size(), 1U);
  EXPECT_EQ(required.crypto[0].tag, 1);
  EXPECT_EQ(required.crypto[0].suite, "AES_CM_128_HMAC_SHA1_80");
  EXPECT_EQ(required.crypto[0].key_params, "inline:" + crypto::base64_encode(kOurKey));
  const auto optional =
      media::make_offer(caps, kLocal, origin, security(Encryption::optional, true));
  EXPECT_EQ(optional.audio_protocol, "RTP/AVP");
  EXPECT_EQ(optional.crypto.size(), 1U);
  for (const auto& insecure :
       {security(Encryption::optional, false), security(Encryption::none, true)}) {
    const auto plain = media::make_offer(caps, kLocal, origin, insecure);
    EXPECT_EQ(plain.audio_protocol, "RTP/AVP");
    EXPECT_TRUE(plain.crypto.empty());
  }
  EXPECT_FALSE(media::can_offer(security(Encryption::required, false)));
  EXPECT_TRUE(media::can_offer(security(Encryption::required, true)));
  EXPECT_TRUE(media::can_offer(security(Encryption::optional, false)));
}

TEST(SdpSrtp, TheAnswerToOurOfferMustUseOurTag) {
  media::Origin origin{9, 0};
  const media::MediaCapabilities caps;
  const auto savp = media::make_offer(caps, kLocal, origin, security(Encryption::required, true));
  const auto avp = media::make_offer(caps, kLocal, origin, security(Encryption::optional, true));
  const std::string ours = line(1, "AES_CM_128_HMAC_SHA1_80", "inline:" + kTheirKeyText);
  const auto accepted = media::accept_answer(savp, parse(offer_text("RTP/SAVP", ours)));
  ASSERT_TRUE(std::holds_alternative<media::NegotiatedMedia>(accepted));
  const auto& keys = std::get<media::NegotiatedMedia>(accepted).srtp;
  ASSERT_TRUE(keys.has_value());
  EXPECT_EQ(keys->suite, srtp::Suite::aes_cm_128_hmac_sha1_80);
  EXPECT_EQ(keys->send_key, kOurKey);
  EXPECT_EQ(keys->receive_key, kTheirKey);
  const std::string other_tag = line(2, "AES_CM_128_HMAC_SHA1_80", "inline:" + kTheirKeyText);
  const std::string other_suite = line(1, "AES_CM_128_HMAC_SHA1_32", "inline:" + kTheirKeyText);
  for (const auto& wrong : {other_tag, other_suite, std::string()}) {
    const auto refused = media::accept_answer(savp, parse(offer_text("RTP/SAVP", wrong)));
    ASSERT_TRUE(std::holds_alternative<media::Rejection>(refused)) << wrong;
    EXPECT_EQ(std::get<media::Rejection>(refused).reason,
              "the answer has no a=crypto for our RTP/SAVP offer");
    // "Best effort": a plain answer to our RTP/AVP offer is plain RTP.
    const auto plain = media::accept_answer(avp, parse(offer_text("RTP/AVP", wrong)));
    ASSERT_TRUE(std::holds_alternative<media::NegotiatedMedia>(plain));
    EXPECT_FALSE(std::get<media::NegotiatedMedia>(plain).srtp.has_value());
  }
}

}  // namespace
}  // namespace gw
