// The scanners attackers use, from Debian's sipvicious, against the real
// sipgw daemon whose plan trusts none of their addresses (it trusts
// 127.0.0.2; they scan from 127.0.0.1): svmap finds no device, svwar no
// extension, svcrack cracks nothing. Then the same with an account in the
// plan, which lets untrusted INVITEs through the socket filter to be
// challenged: still no device, no extension, and nothing cracked (sipvicious 0.3.3 stops
// at the SHA-256 challenge offered first; the lockout after ten wrong
// answers is test_system_auth's).

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "tests/system/raw_sip_client.hpp"
#include "tests/system/system_fixture.hpp"

namespace gw::test {
namespace {

std::string plan(bool with_account) {
  return std::string(R"({
  "trust": {"peers": ["127.0.0.2/32"]},)") +
         (with_account ? R"(
  "accounts": [{"name": "7773660", "password": "s3cret-not-in-1-40"}],)"
                       : "") +
         R"(
  "trunks": [{"name": "t1", "backend": "loopback", "spans": ["span1"]}],
  "trunk_groups": [{"name": "A", "trunks": ["t1"]}],
  "routes": [{"name": "p1234", "match": {"phone_context": "p1234"}, "trunk_groups": ["A"]}]
}
)";
}

class SystemScanners : public GatewaySuite<SystemScanners> {
 public:
  static GatewaySetup setup() { return GatewaySetup{1, {}, plan(false)}; }
  static constexpr auto idle_timeout = std::chrono::seconds(10);

 protected:
  // A sipvicious tool against the gateway: what it printed.
  static std::string scan(const std::string& tool, std::vector<std::string> options) {
    std::vector<std::string> args{tool, "-p", std::to_string(gateway_->sip_port()), "-t", "0.5"};
    args.insert(args.end(), options.begin(), options.end());
    args.emplace_back("127.0.0.1");
    const std::string output = (gateway_->dir() / (tool + ".out")).string();
    const pid_t pid = spawn(args, output);
    EXPECT_EQ(wait_exit(pid, std::chrono::seconds(120)), 0) << tool << " did not finish";
    return read_text(output);
  }

  static void use_plan(bool with_account) {
    const auto file = gateway_->dir() / "plan.json";
    std::ofstream(file) << plan(with_account);
    std::string output;
    ASSERT_EQ(run_sipgw({"import", "--data-dir", gateway_->dir().string(), file.string()},
                        (gateway_->dir() / "import.out").string(), &output),
              0)
        << output;
  }
};

TEST_F(SystemScanners, SvmapSvwarAndSvcrackFindNothing) {
  use_plan(false);
  const std::string map = scan("svmap", {});
  EXPECT_NE(map.find("found nothing"), std::string::npos) << map;
  EXPECT_EQ(map.find("sipgw"), std::string::npos) << map;
  const std::string war = scan("svwar", {"-e", "7773660,100-120"});
  EXPECT_NE(war.find("found nothing"), std::string::npos) << war;
  EXPECT_EQ(war.find("7773660 |"), std::string::npos) << war;
  const std::string crack = scan("svcrack", {"-u", "7773660", "-r", "1-40"});
  EXPECT_EQ(crack.find("| 7773660"), std::string::npos) << crack;
  // Every packet was dropped below the stack, and counted.
  std::string status;
  for (int i = 0; i < 40; ++i) {
    status = gateway_->command("status");
    if (status.find(" dropped 0\n") == std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(status.find(" dropped 0\n"), std::string::npos) << status;
  EXPECT_EQ(status.find("untrusted-source"), std::string::npos) << "none reached the stack";
}

TEST_F(SystemScanners, WithAnAccountTheDeviceStaysHiddenAndNothingIsCracked) {
  use_plan(true);
  const std::string map = scan("svmap", {});
  EXPECT_NE(map.find("found nothing"), std::string::npos) << map;
  EXPECT_EQ(map.find("sipgw"), std::string::npos) << map;
  // svwar asks with REGISTER, which NUA would answer 405 itself (and svwar
  // says "found nothing" either way): the filter holds untrusted datagrams
  // to INVITE and what a call needs, so a REGISTER, an OPTIONS or a MESSAGE
  // gets no answer at all, and an INVITE its challenge.
  const std::string war = scan("svwar", {"-e", "7773660,100-120"});
  EXPECT_NE(war.find("found nothing"), std::string::npos) << war;
  const RawSipClient prober("127.0.0.1", gateway_->sip_port());
  for (const std::string method : {"REGISTER", "OPTIONS", "MESSAGE", "INVITE"}) {
    const std::string call_id = "probe-" + method;
    std::string request = method + " sip:7773660@127.0.0.1 SIP/2.0\r\n";
    request += "Via: SIP/2.0/UDP " + prober.host_port();
    request += ";branch=z9hG4bK-" + call_id;
    request += "\r\nMax-Forwards: 70\r\nFrom: <sip:probe@127.0.0.1>;tag=1\r\n";
    request += "To: <sip:7773660@127.0.0.1>\r\nCall-ID: " + call_id;
    request += "\r\nCSeq: 1 " + method;
    request += "\r\nContact: <sip:probe@" + prober.host_port();
    request += ">\r\nContent-Length: 0\r\n\r\n";
    prober.send(request);
    const std::string answer = prober.final_answer(call_id, method, std::chrono::seconds(2));
    if (method == "INVITE") {
      EXPECT_EQ(answer.rfind("SIP/2.0 401", 0), 0U) << answer;
    } else {
      EXPECT_EQ(answer, "") << method;
    }
  }
  // svcrack guesses with INVITEs, the one method untrusted sources may
  // bring through the filter while accounts exist.
  const std::string crack = scan("svcrack", {"-u", "7773660", "-r", "1-40", "-m", "INVITE"});
  EXPECT_EQ(crack.find("| 7773660"), std::string::npos) << crack;
  const std::string status = gateway_->command("status");
  EXPECT_EQ(status.find("answered"), std::string::npos) << status;
  use_plan(false);
}

}  // namespace
}  // namespace gw::test
