// The libsrtp2 adapter: libsrtp's own reference packets (the master key
// e1f97a0d..., SSRC 0xcafebabe, sequence 0x1234) for both suites and
// SRTCP, round trips, and what a receiver refuses: a tampered packet, a
// replayed one, the wrong key.

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "drivers/srtp/srtp_context.hpp"

namespace gw::srtp {
namespace {

using Bytes = std::vector<std::byte>;

Bytes bytes(std::initializer_list<int> values) {
  Bytes out;
  for (const int value : values) out.push_back(static_cast<std::byte>(value));
  return out;
}

const std::string kKey = [] {
  const auto key = bytes({0xe1, 0xf9, 0x7a, 0x0d, 0x3e, 0x01, 0x8b, 0xe0, 0xd6, 0x4f,
                          0xa3, 0x2c, 0x06, 0xde, 0x41, 0x39, 0x0e, 0xc6, 0x75, 0xad,
                          0x49, 0x8a, 0xfe, 0xeb, 0xb6, 0x96, 0x0b, 0x3a, 0xab, 0xe6});
  return std::string(reinterpret_cast<const char*>(key.data()), key.size());
}();

Bytes rtp_packet(std::uint16_t sequence = 0x1234) {
  Bytes packet = bytes({0x80, 0x0f, 0x12, 0x34, 0xde, 0xca, 0xfb, 0xad, 0xca, 0xfe, 0xba, 0xbe});
  packet[2] = static_cast<std::byte>(sequence >> 8U);
  packet[3] = static_cast<std::byte>(sequence & 0xffU);
  packet.resize(28, std::byte{0xab});
  return packet;
}

Bytes rtcp_packet() {
  Bytes packet = bytes({0x81, 0xc8, 0x00, 0x0b, 0xca, 0xfe, 0xba, 0xbe});
  packet.resize(24, std::byte{0xab});
  return packet;
}

const Bytes kSrtp80 =
    bytes({0x80, 0x0f, 0x12, 0x34, 0xde, 0xca, 0xfb, 0xad, 0xca, 0xfe, 0xba, 0xbe, 0x4e,
           0x55, 0xdc, 0x4c, 0xe7, 0x99, 0x78, 0xd8, 0x8c, 0xa4, 0xd2, 0x15, 0x94, 0x9d,
           0x24, 0x02, 0xb7, 0x8d, 0x6a, 0xcc, 0x99, 0xea, 0x17, 0x9b, 0x8d, 0xbb});
const Bytes kSrtcp =
    bytes({0x81, 0xc8, 0x00, 0x0b, 0xca, 0xfe, 0xba, 0xbe, 0x71, 0x28, 0x03, 0x5b, 0xe4,
           0x87, 0xb9, 0xbd, 0xbe, 0xf8, 0x90, 0x41, 0xf9, 0x77, 0xa5, 0xa8, 0x80, 0x00,
           0x00, 0x01, 0x99, 0x3e, 0x08, 0xcd, 0x54, 0xd6, 0xc1, 0x23, 0x07, 0x98});

// The packet with room for the trailer, protected; the result's size is
// the protected length.
Bytes protect(Context& sender, Bytes packet, bool rtcp = false) {
  std::size_t length = packet.size();
  packet.resize(length + kMaxTrailerBytes);
  const Status status =
      rtcp ? sender.protect_rtcp(packet, length) : sender.protect_rtp(packet, length);
  EXPECT_EQ(status, Status::ok);
  packet.resize(length);
  return packet;
}

Status unprotect(Context& receiver, Bytes& packet, bool rtcp = false) {
  std::size_t length = packet.size();
  const Status status =
      rtcp ? receiver.unprotect_rtcp(packet, length) : receiver.unprotect_rtp(packet, length);
  if (status == Status::ok) packet.resize(length);
  return status;
}

TEST(Srtp, SuitesByTheirSdesNames) {
  EXPECT_EQ(parse_suite("AES_CM_128_HMAC_SHA1_80"), Suite::aes_cm_128_hmac_sha1_80);
  EXPECT_EQ(parse_suite("AES_CM_128_HMAC_SHA1_32"), Suite::aes_cm_128_hmac_sha1_32);
  EXPECT_FALSE(parse_suite("AES_256_CM_HMAC_SHA1_80").has_value());
  EXPECT_FALSE(parse_suite("F8_128_HMAC_SHA1_80").has_value());
  EXPECT_EQ(to_string(Suite::aes_cm_128_hmac_sha1_32), "AES_CM_128_HMAC_SHA1_32");
}

TEST(Srtp, ProtectsAsLibsrtpsReferencePacket80) {
  Context sender(Suite::aes_cm_128_hmac_sha1_80, Role::sender, kKey);
  EXPECT_EQ(protect(sender, rtp_packet()), kSrtp80);
}

TEST(Srtp, ProtectsAsLibsrtpsReferencePacket32) {
  Context sender(Suite::aes_cm_128_hmac_sha1_32, Role::sender, kKey);
  // The same keystream and tag, cut to 32 bits.
  EXPECT_EQ(protect(sender, rtp_packet()), Bytes(kSrtp80.begin(), kSrtp80.begin() + 32));
}

TEST(Srtp, ProtectsRtcpAsLibsrtpsReferencePacketUnderBothSuites) {
  for (const Suite suite : {Suite::aes_cm_128_hmac_sha1_80, Suite::aes_cm_128_hmac_sha1_32}) {
    Context sender(suite, Role::sender, kKey);
    // SRTCP keeps its 80-bit tag under _32 too (RFC 4568 6.2.2).
    EXPECT_EQ(protect(sender, rtcp_packet(), true), kSrtcp) << to_string(suite);
  }
}

TEST(Srtp, RoundTripsRtpAndRtcpUnderBothSuites) {
  for (const Suite suite : {Suite::aes_cm_128_hmac_sha1_80, Suite::aes_cm_128_hmac_sha1_32}) {
    Context sender(suite, Role::sender, kKey);
    Context receiver(suite, Role::receiver, kKey);
    for (std::uint16_t sequence = 100; sequence < 110; ++sequence) {
      Bytes packet = protect(sender, rtp_packet(sequence));
      EXPECT_NE(packet, rtp_packet(sequence));
      ASSERT_EQ(unprotect(receiver, packet), Status::ok) << to_string(suite);
      EXPECT_EQ(packet, rtp_packet(sequence));
    }
    Bytes report = protect(sender, rtcp_packet(), true);
    ASSERT_EQ(unprotect(receiver, report, true), Status::ok);
    EXPECT_EQ(report, rtcp_packet());
  }
}

TEST(Srtp, TamperedPacketFailsAuthentication) {
  for (const Suite suite : {Suite::aes_cm_128_hmac_sha1_80, Suite::aes_cm_128_hmac_sha1_32}) {
    Context sender(suite, Role::sender, kKey);
    Context receiver(suite, Role::receiver, kKey);
    Bytes packet = protect(sender, rtp_packet());
    packet[20] ^= std::byte{0x01};  // one bit of the payload
    const Bytes tampered = packet;
    EXPECT_EQ(unprotect(receiver, packet), Status::auth_failed) << to_string(suite);
    EXPECT_EQ(packet, tampered);  // nothing decrypted
    Bytes report = protect(sender, rtcp_packet(), true);
    report[9] ^= std::byte{0x80};
    EXPECT_EQ(unprotect(receiver, report, true), Status::auth_failed);
  }
}

TEST(Srtp, WrongKeyFailsAuthentication) {
  std::string other = kKey;
  other[0] = static_cast<char>(other[0] ^ 1);
  Context sender(Suite::aes_cm_128_hmac_sha1_80, Role::sender, other);
  Context receiver(Suite::aes_cm_128_hmac_sha1_80, Role::receiver, kKey);
  Bytes packet = protect(sender, rtp_packet());
  EXPECT_EQ(unprotect(receiver, packet), Status::auth_failed);
}

TEST(Srtp, PlainRtpFailsAuthentication) {
  Context receiver(Suite::aes_cm_128_hmac_sha1_80, Role::receiver, kKey);
  Bytes plain = rtp_packet();
  EXPECT_EQ(unprotect(receiver, plain), Status::auth_failed);
}

TEST(Srtp, PlainRtcpFailsAuthentication) {
  Context receiver(Suite::aes_cm_128_hmac_sha1_80, Role::receiver, kKey);
  Bytes plain = rtcp_packet();
  EXPECT_EQ(unprotect(receiver, plain, true), Status::auth_failed);
}

TEST(Srtp, ReplayedPacketIsRefused) {
  Context sender(Suite::aes_cm_128_hmac_sha1_80, Role::sender, kKey);
  Context receiver(Suite::aes_cm_128_hmac_sha1_80, Role::receiver, kKey);
  const Bytes sent = protect(sender, rtp_packet(500));
  Bytes first = sent;
  ASSERT_EQ(unprotect(receiver, first), Status::ok);
  Bytes again = sent;
  EXPECT_EQ(unprotect(receiver, again), Status::replayed);
  const Bytes report = protect(sender, rtcp_packet(), true);
  Bytes report_first = report;
  ASSERT_EQ(unprotect(receiver, report_first, true), Status::ok);
  Bytes report_again = report;
  EXPECT_EQ(unprotect(receiver, report_again, true), Status::replayed);
}

TEST(Srtp, ReorderedPacketsWithinTheWindowPass) {
  Context sender(Suite::aes_cm_128_hmac_sha1_80, Role::sender, kKey);
  Context receiver(Suite::aes_cm_128_hmac_sha1_80, Role::receiver, kKey);
  std::vector<Bytes> sent;
  for (std::uint16_t sequence = 1000; sequence < 1200; ++sequence) {
    sent.push_back(protect(sender, rtp_packet(sequence)));
  }
  ASSERT_EQ(unprotect(receiver, sent[199]), Status::ok);
  EXPECT_EQ(unprotect(receiver, sent[150]), Status::ok);      // 49 behind: in the window
  EXPECT_EQ(unprotect(receiver, sent[0]), Status::replayed);  // 199 behind: too old
}

TEST(Srtp, RolesAndRoomAreChecked) {
  Context sender(Suite::aes_cm_128_hmac_sha1_80, Role::sender, kKey);
  Context receiver(Suite::aes_cm_128_hmac_sha1_80, Role::receiver, kKey);
  Bytes packet = rtp_packet();
  std::size_t length = packet.size();
  EXPECT_EQ(sender.protect_rtp(packet, length), Status::failed);  // no room for the tag
  packet.resize(length + kMaxTrailerBytes);
  EXPECT_EQ(receiver.protect_rtp(packet, length), Status::failed);
  EXPECT_EQ(sender.unprotect_rtp(packet, length), Status::failed);
  Bytes runt = bytes({0x80, 0x00});
  std::size_t runt_length = runt.size();
  EXPECT_NE(receiver.unprotect_rtp(runt, runt_length), Status::ok);
}

TEST(Srtp, KeyMustBeThirtyBytes) {
  EXPECT_THROW(Context(Suite::aes_cm_128_hmac_sha1_80, Role::sender, kKey.substr(0, 16)),
               std::invalid_argument);
}

}  // namespace
}  // namespace gw::srtp
