// Trusted peers against the real sipgw daemon: a plan that trusts
// 127.0.0.1 only. SIP from 127.0.0.9 (SIPp, and single requests from a
// socket of the test's) gets nothing at all when the plan says drop, and
// "403 Forbidden" with Reason cause 21 when it says reject; either way no
// SETUP reaches the simulated PSTN and no call record is written. The
// trusted source's calls and OPTIONS are answered as before.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <fstream>
#include <string>

#include "drivers/common/unique_fd.hpp"
#include "tests/system/system_fixture.hpp"

namespace gw::test {
namespace {

std::string plan(const std::string& untrusted) {
  return R"({
  "trust": {"peers": ["127.0.0.1/32"], "untrusted": ")" +
         untrusted + R"("},
  "trunks": [{"name": "t1", "backend": "loopback", "spans": ["span1"]}],
  "trunk_groups": [{"name": "A", "trunks": ["t1"]}],
  "routes": [{"name": "p1234", "match": {"phone_context": "p1234"}, "trunk_groups": ["A"]}]
}
)";
}

constexpr const char* kSeedUri = "sip:7773660;phone-context=p1234@127.0.0.1;user=phone";

class SystemTrust : public GatewaySuite<SystemTrust> {
 public:
  static GatewaySetup setup() { return GatewaySetup{1, {}, plan("drop")}; }
  static constexpr auto idle_timeout = std::chrono::seconds(10);

 protected:
  static void use_plan(const std::string& untrusted) {
    const auto file = gateway_->dir() / ("plan-" + untrusted + ".json");
    std::ofstream(file) << plan(untrusted);
    std::string output;
    ASSERT_EQ(run_sipgw({"import", "--data-dir", gateway_->dir().string(), file.string()},
                        (gateway_->dir() / "import.out").string(), &output),
              0)
        << output;
  }

  // One request from `source`, as a scanner sends it; what came back within
  // `wait` (empty: nothing).
  static std::string probe(const std::string& source, const std::string& method) {
    const UniqueFd udp(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    sockaddr_in local{};
    local.sin_family = AF_INET;
    ::inet_pton(AF_INET, source.c_str(), &local.sin_addr);
    EXPECT_EQ(::bind(udp.get(), reinterpret_cast<sockaddr*>(&local), sizeof local), 0);
    socklen_t length = sizeof local;
    ::getsockname(udp.get(), reinterpret_cast<sockaddr*>(&local), &length);
    const std::string via = source + ":" + std::to_string(ntohs(local.sin_port));
    const std::string n = std::to_string(++probes_);
    const std::string request =
        method + " " + kSeedUri + " SIP/2.0\r\n" + "Via: SIP/2.0/UDP " + via +
        ";branch=z9hG4bK-probe" + n + ";rport\r\n" + "Max-Forwards: 70\r\nFrom: <sip:scanner@" +
        source + ">;tag=probe\r\nTo: <" + kSeedUri + ">\r\nCall-ID: probe-" +
        std::to_string(probes_) + "@" + source + "\r\nCSeq: 1 " + method +
        "\r\nContact: <sip:scanner@" + via + ">\r\n" + "Content-Length: 0\r\n\r\n";
    sockaddr_in gateway{};
    gateway.sin_family = AF_INET;
    gateway.sin_port = htons(static_cast<std::uint16_t>(gateway_->sip_port()));
    ::inet_pton(AF_INET, "127.0.0.1", &gateway.sin_addr);
    ::sendto(udp.get(), request.data(), request.size(), 0, reinterpret_cast<sockaddr*>(&gateway),
             sizeof gateway);
    std::string answers;
    pollfd ready{udp.get(), POLLIN, 0};
    // Long enough for a 100 Trying and a final answer; retransmissions of
    // a final answer would come after 500 ms.
    while (::poll(&ready, 1, 1500) == 1) {
      char buffer[4096];
      const auto got = ::recv(udp.get(), buffer, sizeof buffer, 0);
      if (got <= 0) break;
      answers.append(buffer, static_cast<std::size_t>(got)).append("\n----\n");
      if (answers.find("SIP/2.0 403") != std::string::npos) break;
    }
    return answers;
  }

  static std::size_t setups() {
    std::istringstream lines(gateway_->command("pstn-setups"));
    std::size_t count = 0;
    for (std::string line; std::getline(lines, line);) count += line.rfind("setup ", 0) == 0;
    return count;
  }

  static inline int probes_ = 0;
};

TEST_F(SystemTrust, AnUntrustedSourceGetsNothingAtAllWhenThePlanSaysDrop) {
  use_plan("drop");
  const std::size_t before = setups();
  EXPECT_EQ(probe("127.0.0.9", "INVITE"), "");
  EXPECT_EQ(probe("127.0.0.9", "OPTIONS"), "");
  // SIPp placing the seed call from there: no answer, so it times out.
  SippCommand sipp(std::string(SIPP_SCENARIOS) + "/call.xml");
  sipp.to("127.0.0.1", gateway_->sip_port())
      .local_ip("127.0.0.9")
      .local_port(gateway_->sip_port() + 2)
      .calls(1)
      .timeout("4s")
      .key("ruri", kSeedUri)
      .key("rtp_port", "9")
      .messages_to((gateway_->dir() / "untrusted.messages").string());
  const pid_t pid = spawn(sipp.argv(), (gateway_->dir() / "untrusted.out").string());
  EXPECT_NE(wait_exit(pid, std::chrono::seconds(30)), 0) << "SIPp from 127.0.0.9 got an answer";
  const std::string seen = read_text((gateway_->dir() / "untrusted.messages").string());
  EXPECT_EQ(seen.find("received"), std::string::npos) << seen;
  EXPECT_EQ(setups(), before) << "a SETUP reached the PSTN";
  EXPECT_EQ(gateway_->call_records().find("127.0.0.9"), std::string::npos);
  // The kernel's count of what it dropped shows in the status (read every 2 s).
  std::string status;
  for (int i = 0; i < 40; ++i) {
    status = gateway_->command("status");
    if (status.find(" dropped 0\n") == std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_NE(status.find("filter dropping untrusted sources in the kernel"), std::string::npos)
      << status;
  EXPECT_EQ(status.find(" dropped 0\n"), std::string::npos) << status;
  EXPECT_NE(status.find("trust 127.0.0.1/32 (trust.peers)"), std::string::npos) << status;
}

TEST_F(SystemTrust, ATrustedSourceIsAnsweredAsBefore) {
  use_plan("drop");
  const std::size_t before = setups();
  EXPECT_NE(probe("127.0.0.1", "OPTIONS").find("SIP/2.0 200"), std::string::npos);
  EXPECT_EQ(run_sipp(*gateway_, "call.xml", {{"ruri", kSeedUri}, {"rtp_port", "9"}},
                     {"-m", "1", "-d", "200"}),
            0);
  EXPECT_EQ(setups(), before + 1);
}

TEST_F(SystemTrust, AnUntrustedSourceGets403WithCause21WhenThePlanSaysReject) {
  use_plan("reject");
  const std::size_t before = setups();
  const std::string invite = probe("127.0.0.9", "INVITE");
  EXPECT_NE(invite.find("SIP/2.0 403 Forbidden"), std::string::npos) << invite;
  EXPECT_NE(invite.find("Reason: Q.850;cause=21"), std::string::npos) << invite;
  const std::string options = probe("127.0.0.9", "OPTIONS");
  EXPECT_NE(options.find("SIP/2.0 403"), std::string::npos) << options;
  EXPECT_EQ(setups(), before);
  EXPECT_EQ(gateway_->call_records().find("127.0.0.9"), std::string::npos);
  // The operator sees who was refused and what it asked for.
  const std::string status = gateway_->command("status");
  EXPECT_NE(status.find("untrusted-source 127.0.0.9 count 2 last rejected"), std::string::npos)
      << status;
  EXPECT_NE(status.find("OPTIONS " + std::string(kSeedUri)), std::string::npos) << status;
  const std::string log = gateway_->log();
  EXPECT_NE(log.find("trust: rejected INVITE " + std::string(kSeedUri) + " from 127.0.0.9"),
            std::string::npos);
  // Once a minute per source at most: the second request logged no line.
  EXPECT_EQ(log.find("trust: rejected OPTIONS"), std::string::npos);
  use_plan("drop");
}

}  // namespace
}  // namespace gw::test
