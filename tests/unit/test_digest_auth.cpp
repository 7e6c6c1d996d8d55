// Digest authentication of inbound requests (gateway/auth/digest): the RFC
// 7616 example, both algorithms, and each way an answer is refused. Expected
// responses are computed here from crypto:: hashes, not with the code tested.

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "drivers/crypto/hash.hpp"
#include "gateway/auth/digest.hpp"

namespace gw::auth {
namespace {

using namespace std::chrono_literals;
using Clock = DigestAuthenticator::Clock;

constexpr const char* kRealm = "sipgw";
const Clock::time_point kStart = Clock::time_point{} + 1000h;

std::string secret() {
  return crypto::random_bytes(32);
}

std::string nonce_of(const std::string& challenge) {
  const auto begin = challenge.find("nonce=\"") + 7;
  return challenge.substr(begin, challenge.find('"', begin) - begin);
}

// What a client answers to `nonce` with `password`, computed independently.
DigestResponse answer(const std::string& user, const std::string& password,
                      const std::string& nonce, DigestAlgorithm algorithm,
                      const std::string& method = "INVITE", const std::string& nc = "00000001") {
  const auto h = [&](const std::string& data) {
    return algorithm == DigestAlgorithm::sha256 ? crypto::sha256_hex(data) : crypto::md5_hex(data);
  };
  DigestResponse response;
  response.username = user;
  response.realm = kRealm;
  response.nonce = nonce;
  response.uri = "sip:+15551234@gw.example.net";
  response.algorithm = algorithm == DigestAlgorithm::sha256 ? "SHA-256" : "MD5";
  response.cnonce = "0a4f113b";
  response.qop = "auth";
  response.nc = nc;
  const std::string ha1 = h(user + ":" + kRealm + ":" + password);
  const std::string ha2 = h(method + ":" + response.uri);
  response.response = h(ha1 + ":" + nonce + ":" + nc + ":" + response.cnonce + ":auth:" + ha2);
  return response;
}

class DigestAuth : public ::testing::Test {
 protected:
  DigestAuthenticator authenticator{kRealm, {make_account("pbx1", kRealm, "s3cret")}, secret()};
  std::string nonce = nonce_of(authenticator.challenges(kStart).front());

  DigestCheck check(const DigestResponse& response, std::string_view method = "INVITE",
                    Clock::time_point now = kStart + 1s) {
    return authenticator.verify(response, method, now);
  }
};

TEST(DigestExample, Rfc7616Section391ResponsesForMufasa) {
  const DigestAccount account = make_account("Mufasa", "http-auth@example.org", "Circle of Life");
  DigestResponse response;
  response.username = "Mufasa";
  response.realm = "http-auth@example.org";
  response.nonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
  response.uri = "/dir/index.html";
  response.cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
  response.qop = "auth";
  response.nc = "00000001";
  EXPECT_EQ(expected_response(DigestAlgorithm::md5, account.ha1_md5, response, "GET"),
            "8ca523f5e9506fed4657c9700eebdbec");
  EXPECT_EQ(expected_response(DigestAlgorithm::sha256, account.ha1_sha256, response, "GET"),
            "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
}

TEST(DigestExample, AccountKeepsOnlyDigests) {
  const DigestAccount account = make_account("pbx1", kRealm, "s3cret");
  EXPECT_EQ(account.ha1_md5, crypto::md5_hex("pbx1:sipgw:s3cret"));
  EXPECT_EQ(account.ha1_sha256, crypto::sha256_hex("pbx1:sipgw:s3cret"));
}

TEST(DigestExample, AlgorithmNames) {
  EXPECT_EQ(algorithm_named(""), DigestAlgorithm::md5);
  EXPECT_EQ(algorithm_named("md5"), DigestAlgorithm::md5);
  EXPECT_EQ(algorithm_named("SHA-256"), DigestAlgorithm::sha256);
  EXPECT_EQ(algorithm_named("MD5-sess"), std::nullopt);
  EXPECT_EQ(algorithm_named("SHA-512-256"), std::nullopt);
}

TEST_F(DigestAuth, ChallengesOfferSha256ThenMd5WithQopAuth) {
  const auto challenges = authenticator.challenges(kStart);
  ASSERT_EQ(challenges.size(), 2U);
  EXPECT_EQ(challenges[0], "Digest realm=\"sipgw\", nonce=\"" + nonce_of(challenges[0]) +
                               "\", algorithm=SHA-256, qop=\"auth\"");
  EXPECT_EQ(challenges[1], "Digest realm=\"sipgw\", nonce=\"" + nonce_of(challenges[0]) +
                               "\", algorithm=MD5, qop=\"auth\"");
  EXPECT_NE(nonce_of(challenges[0]), nonce);  // fresh each time
  const auto stale = authenticator.challenges(kStart, true);
  EXPECT_NE(stale[0].find(", stale=true"), std::string::npos);
  EXPECT_NE(stale[1].find(", stale=true"), std::string::npos);
}

TEST_F(DigestAuth, Sha256AndMd5AreBothAccepted) {
  const auto sha = check(answer("pbx1", "s3cret", nonce, DigestAlgorithm::sha256));
  EXPECT_EQ(sha.verdict, DigestVerdict::accepted) << sha.why;
  EXPECT_EQ(sha.user, "pbx1");
  const std::string other = nonce_of(authenticator.challenges(kStart).back());
  const auto md5 = check(answer("pbx1", "s3cret", other, DigestAlgorithm::md5));
  EXPECT_EQ(md5.verdict, DigestVerdict::accepted) << md5.why;
}

TEST_F(DigestAuth, NoAlgorithmMeansMd5AndUppercaseHexIsAccepted) {
  auto response = answer("pbx1", "s3cret", nonce, DigestAlgorithm::md5);
  response.algorithm.clear();
  for (char& c : response.response) c = static_cast<char>(std::toupper(c));
  EXPECT_EQ(check(response).verdict, DigestVerdict::accepted);
}

TEST_F(DigestAuth, WrongPasswordIsRefused) {
  const auto result = check(answer("pbx1", "guess", nonce, DigestAlgorithm::sha256));
  EXPECT_EQ(result.verdict, DigestVerdict::refused);
  EXPECT_EQ(result.why, "wrong response");
}

TEST_F(DigestAuth, UnknownUserGetsTheVerdictOfAWrongPassword) {
  const auto unknown = check(answer("mallory", "s3cret", nonce, DigestAlgorithm::sha256));
  const auto wrong = check(answer("pbx1", "guess", nonce, DigestAlgorithm::sha256));
  EXPECT_EQ(unknown.verdict, wrong.verdict);
  EXPECT_EQ(unknown.verdict, DigestVerdict::refused);
  EXPECT_EQ(unknown.user, "mallory");
  EXPECT_EQ(unknown.why, "unknown user");
}

TEST_F(DigestAuth, ForgedNoncesAreRefused) {
  std::string flipped = nonce;
  flipped[3] = flipped[3] == '0' ? '1' : '0';  // the expiry, moved
  const DigestAuthenticator other(kRealm, {}, secret());
  const std::string foreign = nonce_of(other.challenges(kStart).front());
  std::string upper = nonce;
  for (char& c : upper) c = static_cast<char>(std::toupper(c));
  for (const std::string& forged :
       {flipped, foreign, upper, std::string("7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v"),
        std::string()}) {
    const auto result = check(answer("pbx1", "s3cret", forged, DigestAlgorithm::sha256));
    EXPECT_EQ(result.verdict, DigestVerdict::refused) << forged;
    EXPECT_EQ(result.why, "forged nonce") << forged;
  }
}

TEST_F(DigestAuth, ExpiredNonceIsStaleForARightAnswerOnly) {
  const auto late = kStart + 300s;
  const auto right =
      check(answer("pbx1", "s3cret", nonce, DigestAlgorithm::sha256), "INVITE", late);
  EXPECT_EQ(right.verdict, DigestVerdict::stale);
  EXPECT_EQ(right.why, "nonce expired");
  const auto wrong = check(answer("pbx1", "guess", nonce, DigestAlgorithm::sha256), "INVITE", late);
  EXPECT_EQ(wrong.verdict, DigestVerdict::refused);
  const auto in_time =
      check(answer("pbx1", "s3cret", nonce, DigestAlgorithm::sha256), "INVITE", late - 1s);
  EXPECT_EQ(in_time.verdict, DigestVerdict::accepted);
}

TEST_F(DigestAuth, ReplayedNonceCountIsRefusedAHigherOneAccepted) {
  EXPECT_EQ(check(answer("pbx1", "s3cret", nonce, DigestAlgorithm::sha256)).verdict,
            DigestVerdict::accepted);
  const auto replay = check(answer("pbx1", "s3cret", nonce, DigestAlgorithm::sha256));
  EXPECT_EQ(replay.verdict, DigestVerdict::refused);
  EXPECT_EQ(replay.why, "replayed nc 00000001");
  const auto next =
      check(answer("pbx1", "s3cret", nonce, DigestAlgorithm::sha256, "INVITE", "00000002"));
  EXPECT_EQ(next.verdict, DigestVerdict::accepted);
  const auto skip =
      check(answer("pbx1", "s3cret", nonce, DigestAlgorithm::md5, "INVITE", "0000000a"));
  EXPECT_EQ(skip.verdict, DigestVerdict::accepted);
  EXPECT_EQ(
      check(answer("pbx1", "s3cret", nonce, DigestAlgorithm::sha256, "INVITE", "00000009")).verdict,
      DigestVerdict::refused);
}

TEST_F(DigestAuth, MissingOrOtherQopIsRefused) {
  auto without = answer("pbx1", "s3cret", nonce, DigestAlgorithm::md5);
  without.qop.clear();
  without.cnonce.clear();
  without.nc.clear();
  // RFC 2069's form: H(HA1:nonce:H(A2)), right but refused.
  without.response = crypto::md5_hex(crypto::md5_hex("pbx1:sipgw:s3cret") + ":" + nonce + ":" +
                                     crypto::md5_hex("INVITE:" + without.uri));
  const auto result = check(without);
  EXPECT_EQ(result.verdict, DigestVerdict::refused);
  EXPECT_EQ(result.why, "no qop (RFC 2069 form refused)");
  auto integrity = answer("pbx1", "s3cret", nonce, DigestAlgorithm::md5);
  integrity.qop = "auth-int";
  EXPECT_EQ(check(integrity).verdict, DigestVerdict::refused);
}

TEST_F(DigestAuth, MalformedCountsAreRefused) {
  for (const std::string nc : {"1", "00000000", "0000000g", "000000001"}) {
    auto response = answer("pbx1", "s3cret", nonce, DigestAlgorithm::sha256, "INVITE", nc);
    EXPECT_EQ(check(response).verdict, DigestVerdict::refused) << nc;
  }
}

TEST_F(DigestAuth, RealmMismatchIsRefused) {
  auto response = answer("pbx1", "s3cret", nonce, DigestAlgorithm::sha256);
  response.realm = "elsewhere";
  const auto result = check(response);
  EXPECT_EQ(result.verdict, DigestVerdict::refused);
  EXPECT_EQ(result.why, "realm mismatch (\"elsewhere\")");
}

TEST_F(DigestAuth, TamperedUriOrMethodIsRefused) {
  auto response = answer("pbx1", "s3cret", nonce, DigestAlgorithm::sha256);
  response.uri = "sip:+19005551234@gw.example.net";
  EXPECT_EQ(check(response).verdict, DigestVerdict::refused);
  const auto as_bye = check(answer("pbx1", "s3cret", nonce, DigestAlgorithm::sha256), "BYE");
  EXPECT_EQ(as_bye.verdict, DigestVerdict::refused);
  EXPECT_EQ(as_bye.why, "wrong response");
}

TEST_F(DigestAuth, AlgorithmNotOfferedIsRefused) {
  auto response = answer("pbx1", "s3cret", nonce, DigestAlgorithm::md5);
  response.algorithm = "MD5-sess";
  EXPECT_EQ(check(response).verdict, DigestVerdict::refused);
}

TEST(DigestAccounts, AMissingDigestIsNeverHashedAsEmpty) {
  DigestAccount account = make_account("pbx1", kRealm, "s3cret");
  account.ha1_sha256.clear();
  DigestAuthenticator authenticator(kRealm, {account}, secret());
  const std::string nonce = nonce_of(authenticator.challenges(kStart).front());
  // What an attacker computes for an empty HA1.
  DigestResponse response = answer("pbx1", "", nonce, DigestAlgorithm::sha256);
  response.response = crypto::sha256_hex(
      ":" + nonce + ":00000001:0a4f113b:auth:" + crypto::sha256_hex("INVITE:" + response.uri));
  const auto result = authenticator.verify(response, "INVITE", kStart);
  EXPECT_EQ(result.verdict, DigestVerdict::refused);
  EXPECT_EQ(result.why, "no SHA-256 digest stored");
  EXPECT_EQ(
      authenticator.verify(answer("pbx1", "s3cret", nonce, DigestAlgorithm::md5), "INVITE", kStart)
          .verdict,
      DigestVerdict::accepted);
}

TEST(DigestAccounts, ReloadKeepsNoncesAndDropsRemovedUsers) {
  DigestAuthenticator authenticator(kRealm, {make_account("pbx1", kRealm, "s3cret")}, secret());
  EXPECT_FALSE(authenticator.empty());
  const std::string nonce = nonce_of(authenticator.challenges(kStart).front());
  authenticator.set_accounts(
      {make_account("pbx2", kRealm, "other"), make_account("pbx3", "elsewhere", "x")});
  EXPECT_EQ(authenticator
                .verify(answer("pbx2", "other", nonce, DigestAlgorithm::sha256), "INVITE", kStart)
                .verdict,
            DigestVerdict::accepted);
  EXPECT_EQ(authenticator
                .verify(answer("pbx1", "s3cret", nonce, DigestAlgorithm::sha256), "INVITE", kStart)
                .why,
            "unknown user");
  authenticator.set_accounts({});
  EXPECT_TRUE(authenticator.empty());
}

TEST(DigestAccounts, AShortSecretIsRefused) {
  EXPECT_THROW(DigestAuthenticator(kRealm, {}, "short"), std::invalid_argument);
}

TEST(DigestNonceTable, AnEvictedNonceIsStaleNeverAcceptedAgain) {
  DigestAuthenticator authenticator(kRealm, {make_account("pbx1", kRealm, "s3cret")}, secret(),
                                    300s, 2);
  const std::string first = nonce_of(authenticator.challenges(kStart).front());
  const std::string second = nonce_of(authenticator.challenges(kStart + 10s).front());
  const std::string third = nonce_of(authenticator.challenges(kStart + 20s).front());
  const auto verify = [&](const std::string& nonce, const char* nc) {
    return authenticator.verify(
        answer("pbx1", "s3cret", nonce, DigestAlgorithm::sha256, "INVITE", nc), "INVITE",
        kStart + 30s);
  };
  EXPECT_EQ(verify(first, "00000001").verdict, DigestVerdict::accepted);
  EXPECT_EQ(verify(second, "00000001").verdict, DigestVerdict::accepted);
  EXPECT_EQ(verify(third, "00000001").verdict, DigestVerdict::accepted);  // evicts `first`
  const auto replay = verify(first, "00000001");
  EXPECT_EQ(replay.verdict, DigestVerdict::stale);
  EXPECT_EQ(verify(second, "00000001").verdict, DigestVerdict::refused);
  EXPECT_EQ(verify(second, "00000002").verdict, DigestVerdict::accepted);
}

}  // namespace
}  // namespace gw::auth
