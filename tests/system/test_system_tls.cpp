// SIP over TLS (RFC 3261 26) against the real sipgw daemon. Debian's SIPp
// 3.6.1 is built without TLS, so the TLS client is Debian's stunnel4 in
// client mode: SIPp speaks SIP over TCP to it, and it speaks TLS to the
// gateway's TLS port, verifying the certificate the gateway made itself on
// its first start (sip-tls/certificate.pem) for 127.0.0.1. The seed call
// is placed that way and answered; its trace holds the decrypted SIP. An
// untrusted source (127.0.0.9) cannot even open a connection to the TLS
// port when the plan says drop.

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <fstream>
#include <string>

#include "drivers/common/unique_fd.hpp"
#include "gateway/app/call_trace_store.hpp"
#include "tests/system/stunnel.hpp"
#include "tests/system/system_fixture.hpp"

namespace gw::test {
namespace {

constexpr const char* kSeedUri = "sip:7773660;phone-context=p1234@127.0.0.1;user=phone";

std::string plan() {
  return R"({
  "trust": {"peers": ["127.0.0.1/32"], "untrusted": "drop"},
  "trunks": [{"name": "t1", "backend": "loopback", "spans": ["span1"]}],
  "trunk_groups": [{"name": "A", "trunks": ["t1"]}],
  "routes": [{"name": "p1234", "match": {"phone_context": "p1234"}, "trunk_groups": ["A"]}]
}
)";
}

class SystemTls : public GatewaySuite<SystemTls> {
 public:
  static GatewaySetup setup() { return GatewaySetup{1, {}, plan()}; }
  static constexpr auto idle_timeout = std::chrono::seconds(10);

 protected:
  [[nodiscard]] static std::filesystem::path tls_dir() { return gateway_->dir() / "sip-tls"; }

  // stunnel as the TLS client of the gateway's TLS port, taking SIP over
  // TCP on `accept_port`; `ca_file`: what it verifies the gateway against;
  // `source`: the address it connects from.
  static std::unique_ptr<Stunnel> tls_client(const std::string& name, int accept_port,
                                             const std::string& ca_file,
                                             const std::string& source = "127.0.0.1") {
    StunnelService service;
    service.client = true;
    service.accept = "127.0.0.1:" + std::to_string(accept_port);
    service.connect = "127.0.0.1:" + std::to_string(gateway_->tls_port());
    service.source = source;
    service.ca_file = ca_file;
    service.check_ip = "127.0.0.1";
    return std::make_unique<Stunnel>(gateway_->dir() / name, service);
  }

  // SIPp placing the seed call over TCP to the stunnel at `port`.
  static pid_t start_sipp_over(int port, const std::string& name) {
    SippCommand sipp(std::string(SIPP_SCENARIOS) + "/call_tls.xml");
    sipp.to("127.0.0.1", port)
        .local_ip("127.0.0.1")
        .local_port(gateway_->sip_port() + 2)
        .add({"-t", "t1", "-d", "200"})
        .calls(1)
        .timeout("6s")
        .key("ruri", kSeedUri)
        .key("rtp_port", "9")
        .errors_to((gateway_->dir() / (name + ".errors")).string())
        .messages_to((gateway_->dir() / (name + ".messages")).string());
    return spawn(sipp.argv(), (gateway_->dir() / (name + ".out")).string());
  }
};

TEST_F(SystemTls, TheGatewayMakesItsOwnCertificateOnItsFirstStart) {
  struct stat agent {};
  ASSERT_EQ(::stat((tls_dir() / "agent.pem").c_str(), &agent), 0);
  EXPECT_EQ(agent.st_mode & 0777, 0600U) << "the key must be the gateway's alone";
  struct stat folder {};
  ASSERT_EQ(::stat(tls_dir().c_str(), &folder), 0);
  EXPECT_EQ(folder.st_mode & 0777, 0700U);
  const std::string agent_text = read_text((tls_dir() / "agent.pem").string());
  EXPECT_NE(agent_text.find("-----BEGIN PRIVATE KEY-----"), std::string::npos);
  EXPECT_NE(agent_text.find("-----BEGIN CERTIFICATE-----"), std::string::npos);
  const std::string certificate = read_text((tls_dir() / "certificate.pem").string());
  EXPECT_NE(certificate.find("-----BEGIN CERTIFICATE-----"), std::string::npos);
  EXPECT_EQ(certificate.find("PRIVATE KEY"), std::string::npos);
  EXPECT_EQ(std::filesystem::read_symlink(tls_dir() / "cafile.pem"),
            "/etc/ssl/certs/ca-certificates.crt");
  const std::string log = gateway_->log();
  EXPECT_NE(log.find("made now, self-signed"), std::string::npos) << log;
  EXPECT_NE(log.find(", tls " + std::to_string(gateway_->tls_port())), std::string::npos) << log;
}

TEST_F(SystemTls, ATlsClientThatVerifiesTheGatewayPlacesTheSeedCallAndItIsAnswered) {
  const int port = gateway_->sip_port() + 36;
  const auto stunnel = tls_client("stunnel-client", port, (tls_dir() / "certificate.pem").string());
  ASSERT_TRUE(stunnel->listening()) << stunnel->log();
  const pid_t sipp = start_sipp_over(port, "tls_call");
  EXPECT_EQ(finish_sipp(*gateway_, sipp, "tls_call"), 0) << stunnel->log();
  // stunnel checked the gateway's certificate chain and its IP address.
  EXPECT_NE(stunnel->log().find("Certificate accepted at depth=0"), std::string::npos)
      << stunnel->log();
  // The call's trace has the SIP as it went inside TLS.
  const std::string call_id = last_call_id(*gateway_);
  ASSERT_FALSE(call_id.empty()) << gateway_->call_records();
  const app::CallTraceStore traces((gateway_->dir() / "calls.db").string());
  const auto trace = traces.trace(call_id);
  ASSERT_TRUE(trace.has_value()) << call_id;
  std::string ladder;
  for (const auto& message : trace->messages) {
    if (!message.sip) continue;
    ladder += (message.sent ? "-> " : "<- ") + message.transport + " " + message.summary + "\n";
  }
  EXPECT_NE(ladder.find("<- tls INVITE"), std::string::npos) << ladder;
  EXPECT_NE(ladder.find("-> tls 200 OK"), std::string::npos) << ladder;
  EXPECT_NE(ladder.find("<- tls BYE"), std::string::npos) << ladder;
}

TEST_F(SystemTls, AClientThatDoesNotTrustTheCertificateGetsNoCallThrough) {
  const int port = gateway_->sip_port() + 36;
  // The system's CAs never signed the gateway's own certificate.
  const auto stunnel = tls_client("stunnel-distrust", port, "/etc/ssl/certs/ca-certificates.crt");
  ASSERT_TRUE(stunnel->listening()) << stunnel->log();
  const std::size_t records = gateway_->call_records().size();
  const pid_t sipp = start_sipp_over(port, "tls_distrust");
  EXPECT_NE(wait_exit(sipp, std::chrono::seconds(30)), 0) << "the call went through";
  EXPECT_EQ(stunnel->log().find("Certificate accepted at depth=0"), std::string::npos)
      << stunnel->log();
  EXPECT_EQ(gateway_->call_records().size(), records);
}

// A connection attempt from `source` to the TLS port: whether TCP's
// handshake completed within `wait`.
bool connects(const std::string& source, int port, std::chrono::milliseconds wait) {
  const UniqueFd tcp(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  sockaddr_in local{};
  local.sin_family = AF_INET;
  ::inet_pton(AF_INET, source.c_str(), &local.sin_addr);
  EXPECT_EQ(::bind(tcp.get(), reinterpret_cast<sockaddr*>(&local), sizeof local), 0);
  sockaddr_in gateway{};
  gateway.sin_family = AF_INET;
  gateway.sin_port = htons(static_cast<std::uint16_t>(port));
  ::inet_pton(AF_INET, "127.0.0.1", &gateway.sin_addr);
  if (::connect(tcp.get(), reinterpret_cast<sockaddr*>(&gateway), sizeof gateway) == 0) return true;
  pollfd ready{tcp.get(), POLLOUT, 0};
  if (::poll(&ready, 1, static_cast<int>(wait.count())) != 1) return false;
  int error = 0;
  socklen_t length = sizeof error;
  ::getsockopt(tcp.get(), SOL_SOCKET, SO_ERROR, &error, &length);
  return error == 0;
}

TEST_F(SystemTls, AnUntrustedSourceCannotOpenAConnectionToTheTlsPort) {
  using std::chrono::milliseconds;
  EXPECT_TRUE(connects("127.0.0.1", gateway_->tls_port(), milliseconds(1500)));
  EXPECT_FALSE(connects("127.0.0.9", gateway_->tls_port(), milliseconds(1500)))
      << "the socket filter let 127.0.0.9 in";
  // A real TLS client from there: no handshake, no call.
  const int port = gateway_->sip_port() + 37;
  const auto stunnel =
      tls_client("stunnel-untrusted", port, (tls_dir() / "certificate.pem").string(), "127.0.0.9");
  ASSERT_TRUE(stunnel->listening()) << stunnel->log();
  const pid_t sipp = start_sipp_over(port, "tls_untrusted");
  EXPECT_NE(wait_exit(sipp, std::chrono::seconds(30)), 0) << "the call went through";
  EXPECT_EQ(stunnel->log().find("Certificate accepted"), std::string::npos) << stunnel->log();
  EXPECT_EQ(gateway_->call_records().find("127.0.0.9"), std::string::npos);
  const std::string status = gateway_->command("status");
  EXPECT_NE(status.find("(3 SIP sockets"), std::string::npos)
      << "the filter is not on UDP, TCP and TLS: " << status;
}

}  // namespace
}  // namespace gw::test
