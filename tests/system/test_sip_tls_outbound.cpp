// Calls the gateway places over TLS: the SIP stack as sipgw configures it
// ("ours", its identity made by web::ensure_sip_tls_folder) sends INVITEs
// to a second stack on loopback ("theirs", with an identity of its own).
// A peer written `;transport=tls` or `sips:` is reached over TLS, and its
// certificate must be signed by a CA of our cafile.pem and name the host
// of the Request-URI in a DNS subjectAltName; else no call goes out.
// Sofia's resolver asks DNS only (not /etc/hosts), and the tests have no
// DNS: the peer is "localhost" with maddr=127.0.0.1, so the name checked
// is "localhost" and the address connected to 127.0.0.1.

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "gateway/sip/stack.hpp"
#include "tests/support/sipp.hpp"
#include "tests/system/stunnel.hpp"
#include "tests/system/system_fixture.hpp"
#include "web/tls_identity.hpp"

namespace gw::test {
namespace {

using namespace std::chrono_literals;

// What a stack's calls did, on its control thread; the test waits on it.
class CallLog final : public sip::CallHandler {
 public:
  explicit CallLog(sip::SipLegs& legs) : legs_(legs) {}
  // The far end: answers every INVITE with its own offer back.
  void on_invite(const sip::InviteRequest& request) override {
    note("invite " + request.source);
    sip::Response response;
    response.sdp = request.offer.sdp;
    legs_.respond(request.leg, std::move(response));
  }
  void on_reinvite(sip::LegId /*leg*/, const sip::Body& /*offer*/) override {}
  void on_ack(sip::LegId /*leg*/, const sip::Body& /*answer*/) override { note("ack"); }
  void on_cancel(sip::LegId /*leg*/) override {}
  void on_bye(sip::LegId /*leg*/, std::optional<int> /*reason*/) override { note("bye"); }
  void on_terminated(sip::LegId /*leg*/, int status, const std::string& /*phrase*/) override {
    note("terminated " + std::to_string(status));
  }
  void on_answered(sip::LegId /*leg*/, const sip::Body& /*answer*/) override { note("answered"); }
  void on_refused(sip::LegId /*leg*/, int status, std::optional<int> /*reason*/) override {
    note("refused " + std::to_string(status));
  }
  void traced(const sip::WireMessage& message) {
    note(std::string(message.sent ? "sent " : "received ") + message.transport + " " +
         message.summary);
  }

  // Waits until a line starting with `prefix` was noted; the lines so far.
  std::string wait_for(const std::string& prefix, std::chrono::seconds timeout) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, timeout, [&] {
      return lines_.rfind(prefix, 0) == 0 || lines_.find("\n" + prefix) != std::string::npos;
    });
    return lines_;
  }

 private:
  void note(const std::string& line) {
    const std::lock_guard lock(mutex_);
    lines_ += line + "\n";
    changed_.notify_all();
  }
  sip::SipLegs& legs_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::string lines_;
};

// A Stack with TLS, its control thread and its CallLog; trusts loopback.
class TlsStack {
 public:
  // `traced`: its messages in its CallLog. Only one stack of a process may
  // be: tport's log is process-wide (su_log's default log).
  TlsStack(int port, const std::filesystem::path& tls_dir, bool traced) {
    web::ensure_sip_tls_folder(tls_dir.string(), "127.0.0.1");
    sip::StackConfig config;
    config.port = port;
    config.tls_port = port + 1;
    config.tls_directory = tls_dir.string();
    if (traced) {
      config.message_traced = [this](const sip::WireMessage& message) { log_->traced(message); };
    }
    stack_ = std::make_unique<sip::Stack>(config, io_);
    log_ = std::make_unique<CallLog>(*stack_);
    dialplan::Plan trusting;
    trusting.trust.peers = {"127.0.0.0/8"};
    sip::AdmissionPolicy admission;
    admission.trust = std::make_shared<const auth::TrustList>(trusting, nullptr);
    stack_->set_admission(std::move(admission));
    stack_->start(*log_);
    thread_ = std::thread([this] { io_.run(); });
  }
  TlsStack(const TlsStack&) = delete;
  TlsStack& operator=(const TlsStack&) = delete;
  ~TlsStack() {
    stack_->stop();
    work_.reset();
    io_.stop();
    thread_.join();
  }
  sip::Stack& stack() { return *stack_; }
  CallLog& log() { return *log_; }

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_ =
      boost::asio::make_work_guard(io_);
  std::unique_ptr<sip::Stack> stack_;
  std::unique_ptr<CallLog> log_;
  std::thread thread_;
};

sip::OutgoingInvite invite_to(const std::string& uri) {
  sip::OutgoingInvite invite;
  invite.request_uri = uri;
  invite.caller_user = "5551000";
  invite.offer.origin_address = "127.0.0.1";
  invite.offer.connection_address = "127.0.0.1";
  invite.offer.audio_port = 9;
  invite.offer.formats = {{0, "PCMU", 8000, {}}};
  return invite;
}

class SipTlsOutbound : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("sipgw-tls-out-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    theirs_ = std::make_unique<TlsStack>(base_ + 7, dir_ / "theirs", false);
  }
  void TearDown() override {
    ours_.reset();
    theirs_.reset();
    if (!HasFailure()) std::filesystem::remove_all(dir_);
  }
  // Our stack; its cafile.pem is their certificate when `trusting`, else
  // the system's CAs (which never signed it).
  void start_ours(bool trusting) {
    const auto tls = dir_ / "ours";
    web::ensure_sip_tls_folder(tls.string(), "127.0.0.1");
    if (trusting) {
      std::filesystem::remove(tls / "cafile.pem");
      std::filesystem::copy_file(dir_ / "theirs" / "certificate.pem", tls / "cafile.pem");
    }
    ours_ = std::make_unique<TlsStack>(base_ + 5, tls, true);
  }
  // Their TLS address: "localhost:PORT" reached at 127.0.0.1.
  [[nodiscard]] std::string their_tls() const {
    return "localhost:" + std::to_string(base_ + 8) + ";maddr=127.0.0.1";
  }

  const int base_ = GatewayProcess::sip_port_of_this_process();
  std::filesystem::path dir_;
  std::unique_ptr<TlsStack> theirs_;
  std::unique_ptr<TlsStack> ours_;
};

TEST_F(SipTlsOutbound, APeerWrittenWithTransportTlsIsCalledOverTlsAndItsCertificateVerified) {
  start_ours(true);
  const auto leg =
      ours_->stack().invite(invite_to("sip:7773660@" + their_tls() + ";transport=tls;user=phone"));
  ASSERT_NE(leg, 0U);
  const std::string seen = ours_->log().wait_for("answered", 20s);
  EXPECT_NE(seen.find("answered"), std::string::npos) << seen;
  EXPECT_NE(seen.find("sent tls INVITE"), std::string::npos) << seen;
  EXPECT_NE(seen.find("received tls 200 OK"), std::string::npos) << seen;
  EXPECT_NE(theirs_->log().wait_for("invite", 1s).find("invite TLS:"), std::string::npos)
      << theirs_->log().wait_for("invite", 0s);
  ours_->stack().bye(leg, {});
  EXPECT_NE(theirs_->log().wait_for("bye", 10s).find("bye"), std::string::npos);
}

TEST_F(SipTlsOutbound, ASipsPeerIsCalledOverTls) {
  start_ours(true);
  const auto leg = ours_->stack().invite(invite_to("sips:7773660@" + their_tls()));
  const std::string seen = ours_->log().wait_for("answered", 20s);
  EXPECT_NE(seen.find("answered"), std::string::npos) << seen;
  EXPECT_NE(seen.find("sent tls INVITE"), std::string::npos) << seen;
  ours_->stack().bye(leg, {});
  EXPECT_NE(theirs_->log().wait_for("bye", 10s).find("bye"), std::string::npos);
}

TEST_F(SipTlsOutbound, APeerWhoseCertificateNoTrustedCaSignedGetsNoCall) {
  start_ours(false);
  const auto leg =
      ours_->stack().invite(invite_to("sip:7773660@" + their_tls() + ";transport=tls"));
  ASSERT_NE(leg, 0U);
  // tport closes the connection after the handshake and leaves the INVITE
  // queued: the transaction times out (408 after 32 s, timer B).
  const std::string seen = ours_->log().wait_for("refused", 40s);
  EXPECT_NE(seen.find("refused 408"), std::string::npos) << seen;
  EXPECT_EQ(seen.find("answered"), std::string::npos) << seen;
  EXPECT_EQ(theirs_->log().wait_for("invite", 0s).find("invite"), std::string::npos)
      << "the INVITE reached a peer that was not verified";
}

// Mutual TLS towards a peer that asks for our certificate: stunnel in
// server mode with their identity, requiring a client certificate our
// certificate.pem verifies, in front of a SIPp UAS over TCP. The whole
// call (INVITE, ACK, BYE) goes through it.
TEST_F(SipTlsOutbound, APeerThatAsksForOurCertificateGetsIt) {
  start_ours(true);
  const int relay = base_ + 9;
  const int phone = base_ + 10;
  StunnelService service;
  service.client = false;
  service.accept = "127.0.0.1:" + std::to_string(relay);
  service.connect = "127.0.0.1:" + std::to_string(phone);
  service.certificate = (dir_ / "theirs" / "agent.pem").string();
  service.ca_file = (dir_ / "ours" / "certificate.pem").string();
  const Stunnel stunnel(dir_ / "stunnel-server", service);
  ASSERT_TRUE(stunnel.listening()) << stunnel.log();
  const std::string peer = "localhost:" + std::to_string(relay) + ";transport=tls;maddr=127.0.0.1";
  const auto sipp_args = SippCommand(std::string(SIPP_SCENARIOS) + "/uas_answer_tls.xml")
                             .local_ip("127.0.0.1")
                             .local_port(phone)
                             .add({"-t", "t1"})
                             .calls(1)
                             .timeout("20s")
                             .key("rtp_port", "9")
                             .key("contact", "sip:bob@" + peer)
                             .errors_to((dir_ / "uas.errors").string())
                             .argv();
  const pid_t sipp = spawn(sipp_args, (dir_ / "uas.out").string());
  ASSERT_TRUE(wait_for_tcp_listen(phone));
  const auto leg = ours_->stack().invite(invite_to("sip:7773660@" + peer));
  const std::string seen = ours_->log().wait_for("answered", 20s);
  EXPECT_NE(seen.find("answered"), std::string::npos) << seen << stunnel.log();
  ours_->stack().bye(leg, "Q.850;cause=16");
  EXPECT_EQ(wait_exit(sipp, 30s), 0) << read_text((dir_ / "uas.errors").string());
  // stunnel verified the client certificate we showed.
  EXPECT_NE(stunnel.log().find("Certificate accepted at depth=0"), std::string::npos)
      << stunnel.log();
}

// Measured, Sofia-SIP 1.12.11: the names it checks are a certificate's DNS
// subjectAltNames only (OpenSSL calls an IP one "IP Address", Sofia looks
// for "IP"), so a peer written by its address is refused although its
// certificate names that address. No INVITE goes out; the call fails when
// the transaction times out (408 after 32 s).
TEST_F(SipTlsOutbound, APeerWrittenByItsAddressIsNotCalledForSofiaChecksDnsNamesOnly) {
  start_ours(true);
  const auto leg = ours_->stack().invite(
      invite_to("sip:7773660@127.0.0.1:" + std::to_string(base_ + 8) + ";transport=tls"));
  ASSERT_NE(leg, 0U);
  const std::string seen = ours_->log().wait_for("refused", 40s);
  EXPECT_NE(seen.find("refused 408"), std::string::npos) << seen;
  EXPECT_EQ(theirs_->log().wait_for("invite", 0s).find("invite"), std::string::npos);
}

}  // namespace
}  // namespace gw::test
