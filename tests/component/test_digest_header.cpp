// sip/digest_header on requests built by Sofia's own parser from text: the
// credentials' fields come out unquoted, from the right header, and a
// challenge of gateway/auth answered over the wire text verifies.

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "drivers/crypto/hash.hpp"
#include "gateway/auth/digest.hpp"
#include "gateway/sip/digest_header.hpp"

namespace gw::sip {
namespace {

using Message = std::unique_ptr<msg_t, decltype(&msg_destroy)>;

// An INVITE with `headers` (each ending in CRLF) parsed by Sofia.
Message parse_invite(const std::string& headers) {
  const std::string text =
      "INVITE sip:+15551234@gw.example.net SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 192.0.2.7:5060;branch=z9hG4bK-digest-1\r\n"
      "From: <sip:pbx1@192.0.2.7>;tag=a1\r\n"
      "To: <sip:+15551234@gw.example.net>\r\n"
      "Call-ID: digest-1@192.0.2.7\r\n"
      "CSeq: 2 INVITE\r\n" +
      headers + "Content-Length: 0\r\n\r\n";
  return {msg_make(sip_default_mclass(), 0, text.data(), static_cast<ssize_t>(text.size())),
          &msg_destroy};
}

std::optional<auth::DigestResponse> read(const std::string& headers, std::string_view realm = {}) {
  const Message message = parse_invite(headers);
  const sip_t* sip = message ? sip_object(message.get()) : nullptr;
  EXPECT_NE(sip, nullptr);
  return read_digest_response(sip, realm);
}

const std::string kFull =
    "Authorization: Digest username=\"pbx1\", realm=\"sipgw\", nonce=\"0a1b2c\", "
    "uri=\"sip:+15551234@gw.example.net\", response=\"6629fae49393a05397450978507c4ef1\", "
    "algorithm=SHA-256, cnonce=\"0a4f113b\", qop=auth, nc=00000001, opaque=\"5ccc\"\r\n";

TEST(DigestHeader, ReadsEveryFieldUnquoted) {
  const auto response = read(kFull);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->username, "pbx1");
  EXPECT_EQ(response->realm, "sipgw");
  EXPECT_EQ(response->nonce, "0a1b2c");
  EXPECT_EQ(response->uri, "sip:+15551234@gw.example.net");
  EXPECT_EQ(response->response, "6629fae49393a05397450978507c4ef1");
  EXPECT_EQ(response->algorithm, "SHA-256");
  EXPECT_EQ(response->cnonce, "0a4f113b");
  EXPECT_EQ(response->qop, "auth");
  EXPECT_EQ(response->nc, "00000001");
  EXPECT_EQ(response->opaque, "5ccc");
}

TEST(DigestHeader, QuotedQopAndEscapesAreUnquoted) {
  const auto response = read(
      "Authorization: Digest username=\"p\\\"bx\", realm=\"sipgw\", nonce=\"n\", uri=\"sip:x\", "
      "response=\"r\", qop=\"auth\", nc=00000002, cnonce=\"c\"\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->username, "p\"bx");
  EXPECT_EQ(response->qop, "auth");
  EXPECT_TRUE(response->algorithm.empty());
  EXPECT_TRUE(response->opaque.empty());
}

TEST(DigestHeader, ProxyAuthorizationWhenThereIsNoAuthorization) {
  const auto response = read(
      "Proxy-Authorization: Digest username=\"pbx2\", realm=\"sipgw\", nonce=\"n\", "
      "uri=\"sip:x\", response=\"r\"\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->username, "pbx2");
  const auto both = read(kFull +
                         "Proxy-Authorization: Digest username=\"pbx2\", realm=\"sipgw\", "
                         "nonce=\"n\", uri=\"sip:x\", response=\"r\"\r\n");
  ASSERT_TRUE(both);
  EXPECT_EQ(both->username, "pbx1");
}

TEST(DigestHeader, PrefersTheCredentialsOfOurRealm) {
  const std::string headers =
      "Authorization: Digest username=\"far\", realm=\"upstream\", nonce=\"n\", uri=\"sip:x\", "
      "response=\"r\"\r\n" +
      kFull;
  EXPECT_EQ(read(headers, "sipgw")->username, "pbx1");
  EXPECT_EQ(read(headers)->username, "far");
  EXPECT_EQ(read(headers, "nobody")->username, "far");
}

TEST(DigestHeader, NoneWithoutDigestCredentials) {
  EXPECT_FALSE(read(""));
  EXPECT_FALSE(read("Authorization: Basic cGJ4MTpzM2NyZXQ=\r\n"));
  EXPECT_FALSE(read_digest_response(nullptr));
}

TEST(DigestHeader, AnAnswerToOurChallengeVerifies) {
  const auto now = std::chrono::steady_clock::now();
  auth::DigestAuthenticator authenticator("sipgw", {auth::make_account("pbx1", "sipgw", "s3cret")},
                                          crypto::random_bytes(32));
  const std::string challenge = authenticator.challenges(now).front();
  const auto begin = challenge.find("nonce=\"") + 7;
  const std::string nonce = challenge.substr(begin, challenge.find('"', begin) - begin);
  const std::string uri = "sip:+15551234@gw.example.net";
  const std::string ha1 = crypto::sha256_hex("pbx1:sipgw:s3cret");
  const std::string response = crypto::sha256_hex(
      ha1 + ":" + nonce + ":00000001:c0ffee:auth:" + crypto::sha256_hex("INVITE:" + uri));
  const auto parsed = read("Authorization: Digest username=\"pbx1\", realm=\"sipgw\", nonce=\"" +
                           nonce + "\", uri=\"" + uri + "\", response=\"" + response +
                           "\", algorithm=SHA-256, cnonce=\"c0ffee\", qop=auth, nc=00000001\r\n");
  ASSERT_TRUE(parsed);
  const auto check = authenticator.verify(*parsed, "INVITE", now);
  EXPECT_EQ(check.verdict, auth::DigestVerdict::accepted) << check.why;
}

}  // namespace
}  // namespace gw::sip
