// Accounts against the real sipgw daemon: a PBX on an address the plan
// does not trust (127.0.0.9) places the seed call as account pbx1. Its
// INVITE is challenged (401, SHA-256 offered before MD5, qop=auth), answered
// with the right password (either algorithm), refused with a wrong one or a
// replayed nonce-count; ten failures from one address and it gets no answer
// at all. A route may require the account: a trusted source without it
// finds no route.

#include <gtest/gtest.h>

#include <regex>
#include <sstream>
#include <string>

#include "drivers/crypto/hash.hpp"
#include "tests/system/raw_sip_client.hpp"
#include "tests/system/system_fixture.hpp"

namespace gw::test {
namespace {

constexpr const char* kPlan = R"({
  "trust": {"peers": ["127.0.0.1/32"]},
  "accounts": [{"name": "pbx1", "password": "s3cret"}],
  "trunks": [{"name": "t1", "backend": "loopback", "spans": ["span1"]}],
  "trunk_groups": [{"name": "A", "trunks": ["t1"]}],
  "routes": [{"name": "pbx1-only", "match": {"phone_context": "p1234", "account": "pbx1"},
              "trunk_groups": ["A"]}]
}
)";

constexpr const char* kSeedUri = "sip:7773660;phone-context=p1234@127.0.0.1;user=phone";
constexpr auto kWait = std::chrono::milliseconds(3000);

// One call's dialog as the raw client writes it.
struct Dialog {
  std::string call_id;
  std::string from_tag = "pbx";
  int cseq = 1;
  int branch = 0;
};

class SystemAuth : public GatewaySuite<SystemAuth> {
 public:
  static GatewaySetup setup() { return GatewaySetup{1, {}, kPlan}; }
  static constexpr auto idle_timeout = std::chrono::seconds(10);

 protected:
  static std::string request(const RawSipClient& client, Dialog& dialog, const std::string& method,
                             const std::string& to_tag = {},
                             const std::string& authorization = {}) {
    const std::string branch = "z9hG4bK-" + dialog.call_id + "-" + std::to_string(++dialog.branch);
    return request_with_branch(client, dialog, method, branch, to_tag, authorization);
  }

  static std::string request_with_branch(const RawSipClient& client, const Dialog& dialog,
                                         const std::string& method, const std::string& branch,
                                         const std::string& to_tag,
                                         const std::string& authorization) {
    std::ostringstream out;
    out << method << ' ' << kSeedUri << " SIP/2.0\r\n"
        << "Via: SIP/2.0/UDP " << client.host_port() << ";branch=" << branch << ";rport\r\n"
        << "Max-Forwards: 70\r\nFrom: <sip:pbx1@" << client.host_port()
        << ">;tag=" << dialog.from_tag << "\r\nTo: <" << kSeedUri << ">"
        << (to_tag.empty() ? "" : ";tag=" + to_tag) << "\r\nCall-ID: " << dialog.call_id
        << "\r\nCSeq: " << dialog.cseq << ' ' << (method == "ACK" ? "INVITE" : method) << "\r\n";
    if (method == "ACK")
      out.seekp(-static_cast<std::streamoff>(std::string("INVITE\r\n").size()), std::ios_base::cur),
          out << "ACK\r\n";
    out << "Contact: <sip:pbx1@" << client.host_port() << ">\r\n";
    if (!authorization.empty()) out << "Authorization: " << authorization << "\r\n";
    // An INVITE offers PCMU (to a port nobody listens on): a call without
    // an offer would be hung up by the gateway when the ACK brings no answer.
    const std::string sdp = method != "INVITE" ? std::string()
                                               : "v=0\r\no=pbx 1 1 IN IP4 127.0.0.9\r\ns=-\r\n"
                                                 "c=IN IP4 127.0.0.9\r\nt=0 0\r\n"
                                                 "m=audio 9 RTP/AVP 0\r\n";
    if (!sdp.empty()) out << "Content-Type: application/sdp\r\n";
    out << "Content-Length: " << sdp.size() << "\r\n\r\n" << sdp;
    return out.str();
  }

  // The parameter `name` of a challenge ("nonce", "algorithm"...).
  static std::string param(const std::string& challenge, const std::string& name) {
    const std::regex quoted(name + "=\"([^\"]*)\"");
    const std::regex bare(name + "=([^,\\s]*)");
    std::smatch found;
    if (std::regex_search(challenge, found, quoted)) return found[1].str();
    if (std::regex_search(challenge, found, bare)) return found[1].str();
    return {};
  }

  static std::string authorization(const std::string& algorithm, const std::string& nonce,
                                   const std::string& nc, const std::string& password,
                                   const std::string& user = "pbx1") {
    const auto hash = [&](const std::string& text) {
      return algorithm == "SHA-256" ? crypto::sha256_hex(text) : crypto::md5_hex(text);
    };
    const std::string ha1 = hash(user + ":sipgw:" + password);
    const std::string ha2 = hash(std::string("INVITE:") + kSeedUri);
    const std::string cnonce = "c0ffee" + nc;
    const std::string response = hash(ha1 + ":" + nonce + ":" + nc + ":" + cnonce + ":auth:" + ha2);
    return "Digest username=\"" + user + "\", realm=\"sipgw\", nonce=\"" + nonce + "\", uri=\"" +
           kSeedUri + "\", response=\"" + response + "\", algorithm=" + algorithm + ", cnonce=\"" +
           cnonce + "\", qop=auth, nc=" + nc;
  }

  // INVITE without credentials; the 401's challenges, the 401 ACKed.
  static std::vector<std::string> challenge(const RawSipClient& client, Dialog& dialog) {
    const std::string branch = "z9hG4bK-" + dialog.call_id + "-" + std::to_string(++dialog.branch);
    client.send(request_with_branch(client, dialog, "INVITE", branch, {}, {}));
    const std::string answer = client.final_answer(dialog.call_id, "INVITE", kWait);
    EXPECT_EQ(answer.rfind("SIP/2.0 401", 0), 0U) << answer;
    const std::string to_tag = param(RawSipClient::header(answer, "To"), "tag");
    client.send(request_with_branch(client, dialog, "ACK", branch, to_tag, {}));
    std::vector<std::string> challenges;
    const std::regex line("\r\nWWW-Authenticate: *([^\r\n]*)", std::regex::icase);
    for (auto it = std::sregex_iterator(answer.begin(), answer.end(), line);
         it != std::sregex_iterator(); ++it) {
      challenges.push_back((*it)[1].str());
    }
    ++dialog.cseq;
    return challenges;
  }

  // An INVITE with `credentials`: the final answer; a 200 is ACKed and the
  // call hung up at once.
  static std::string invite_with(const RawSipClient& client, Dialog& dialog,
                                 const std::string& credentials) {
    const std::string branch = "z9hG4bK-" + dialog.call_id + "-" + std::to_string(++dialog.branch);
    client.send(request_with_branch(client, dialog, "INVITE", branch, {}, credentials));
    std::string answer = client.final_answer(dialog.call_id, "INVITE", kWait);
    const std::string to_tag = param(RawSipClient::header(answer, "To"), "tag");
    if (answer.rfind("SIP/2.0 200", 0) == 0) {
      client.send(request(client, dialog, "ACK", to_tag));
      ++dialog.cseq;
      client.send(request(client, dialog, "BYE", to_tag));
      EXPECT_EQ(client.final_answer(dialog.call_id, "BYE", kWait).rfind("SIP/2.0 200", 0), 0U)
          << "BYE not answered";
    } else if (!answer.empty()) {
      // The ACK of a failure is in the INVITE's transaction: its branch.
      client.send(request_with_branch(client, dialog, "ACK", branch, to_tag, {}));
    }
    return answer;
  }

  static std::size_t setups() {
    std::istringstream lines(gateway_->command("pstn-setups"));
    std::size_t count = 0;
    for (std::string line; std::getline(lines, line);) count += line.rfind("setup ", 0) == 0;
    return count;
  }
};

TEST_F(SystemAuth, AnAccountIsChallengedAndAnsweredWithTheRightPasswordNotAReplayedCount) {
  const RawSipClient pbx("127.0.0.9", gateway_->sip_port());
  Dialog first{"auth-1"};
  const auto challenges = challenge(pbx, first);
  ASSERT_EQ(challenges.size(), 2U);
  EXPECT_EQ(param(challenges[0], "algorithm"), "SHA-256") << "RFC 8760: SHA-256 first";
  EXPECT_EQ(param(challenges[1], "algorithm"), "MD5");
  EXPECT_EQ(param(challenges[0], "qop"), "auth");
  EXPECT_EQ(param(challenges[0], "realm"), "sipgw");
  const std::string nonce = param(challenges[0], "nonce");
  const std::size_t before = setups();

  const std::string sha = authorization("SHA-256", nonce, "00000001", "s3cret");
  EXPECT_EQ(invite_with(pbx, first, sha).rfind("SIP/2.0 200", 0), 0U) << "the right password";
  EXPECT_EQ(setups(), before + 1);

  // The same answer again, in a new call: the nonce-count was used.
  Dialog replay{"auth-2"};
  const std::string replayed = invite_with(pbx, replay, sha);
  EXPECT_EQ(replayed.rfind("SIP/2.0 403", 0), 0U) << replayed;
  EXPECT_EQ(setups(), before + 1);

  // A higher count on the same nonce, with MD5 this time: a new call.
  Dialog md5{"auth-3"};
  const std::string answered =
      invite_with(pbx, md5, authorization("MD5", nonce, "00000002", "s3cret"));
  EXPECT_EQ(answered.rfind("SIP/2.0 200", 0), 0U) << answered;
  EXPECT_EQ(setups(), before + 2);
  const std::string status = gateway_->command("status");
  EXPECT_NE(status.find("untrusted-source 127.0.0.9"), std::string::npos) << status;
}

TEST_F(SystemAuth, TenFailuresFromAnAddressAndItGetsNoAnswerAtAll) {
  const RawSipClient guesser("127.0.0.10", gateway_->sip_port());
  Dialog dialog{"guess"};
  const auto challenges = challenge(guesser, dialog);
  ASSERT_FALSE(challenges.empty());
  const std::string nonce = param(challenges[0], "nonce");
  const std::size_t before = setups();
  for (int i = 1; i <= 10; ++i) {
    char nc[9];
    (void)std::snprintf(nc, sizeof nc, "%08x", i);
    // An unknown user gets the very answer a wrong password gets.
    const std::string user = i % 2 == 0 ? "pbx1" : "nobody";
    Dialog attempt{"guess-" + std::to_string(i)};
    const std::string answer =
        invite_with(guesser, attempt, authorization("SHA-256", nonce, nc, "wrong", user));
    EXPECT_EQ(answer.rfind("SIP/2.0 403 Forbidden\r\n", 0), 0U)
        << "attempt " << i << ": " << answer;
  }
  // Locked out: dropped in the kernel, even with the right password.
  Dialog late{"guess-late"};
  EXPECT_EQ(invite_with(guesser, late, authorization("SHA-256", nonce, "0000000b", "s3cret")), "");
  EXPECT_EQ(setups(), before);
  EXPECT_NE(gateway_->log().find("locked out for 5 minutes"), std::string::npos);
  // Another address is not punished for it.
  const RawSipClient pbx("127.0.0.11", gateway_->sip_port());
  Dialog other{"other"};
  EXPECT_EQ(challenge(pbx, other).size(), 2U);
}

TEST_F(SystemAuth, ATrustedSourceWithoutTheAccountFindsNoRouteThatRequiresIt) {
  const RawSipClient proxy("127.0.0.1", gateway_->sip_port());
  Dialog dialog{"trusted"};
  const std::string answer = invite_with(proxy, dialog, {});
  EXPECT_EQ(answer.rfind("SIP/2.0 404", 0), 0U) << answer;
}

}  // namespace
}  // namespace gw::test
