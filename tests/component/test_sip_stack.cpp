// The SIP stack on its own thread, driven by SIPp over loopback: OPTIONS as a
// load balancer's probe, answered 200 or 503 with Retry-After.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "gateway/sip/stack.hpp"
#include "tests/support/sipp.hpp"
#include "tests/support/spawn.hpp"
#include "tests/support/stack_harness.hpp"

namespace gw::sip {
namespace {

// Two ports of this test process's own (the stack's, then SIPp's) in
// 10000-11999, which no other test and no ephemeral port uses: the system
// tests' gateways take 21000 up, the media engine test 12000-15999.
int test_port() {
  return 10000 + static_cast<int>(::getpid() % 1000) * 2;
}

std::string sipp_error_file() {
  return "/tmp/sipgw-sipp-" + std::to_string(::getpid()) + ".log";
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Runs SIPp once against 127.0.0.1:port with `scenario`; returns its exit status
// (0: every message as the scenario expects) and, unless a failure is what
// the test wants, reports SIPp's errors when it is not 0.
int run_sipp(const std::string& scenario, int port, bool failure_expected = false) {
  const auto args = test::SippCommand(std::string(SIPP_SCENARIOS) + "/" + scenario)
                        .to("127.0.0.1", port)
                        .calls(1)
                        .local_ip("127.0.0.1")
                        .local_port(port + 1)
                        .timeout("10s")
                        .errors_to(sipp_error_file())
                        .argv();
  const std::string output = sipp_error_file() + ".out";
  const pid_t pid = test::spawn(args, output);
  if (pid == 0) return -1;
  int status = 0;
  ::waitpid(pid, &status, 0);
  const int exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (exit_status != 0 && !failure_expected) {
    ADD_FAILURE() << scenario << ": SIPp exit " << exit_status << "\n--- SIPp errors:\n"
                  << read_text(sipp_error_file()) << "\n--- SIPp output (end):\n"
                  << [&] {
                       const auto text = read_text(output);
                       return text.size() > 3000 ? text.substr(text.size() - 3000) : text;
                     }();
  }
  return exit_status;
}

class SipStackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config.port = test_port();
    harness = std::make_unique<test::StackHarness>(config);
  }
  void TearDown() override {
    ::unlink(sipp_error_file().c_str());
    ::unlink((sipp_error_file() + ".out").c_str());
  }
  StackConfig config;
  std::unique_ptr<test::StackHarness> harness;
};

TEST_F(SipStackTest, OptionsIsAnswered200WithAllowAcceptAndSupported) {
  EXPECT_EQ(run_sipp("options_200.xml", config.port), 0);
}

TEST_F(SipStackTest, AMethodTheGatewayDoesNotTakeGets405WithItsAllow) {
  EXPECT_EQ(run_sipp("message_405.xml", config.port), 0);
}

TEST_F(SipStackTest, OptionsIsAnswered503WithRetryAfterWhenNoCallCanBeTaken) {
  harness->stack().set_accepting_calls(false);
  EXPECT_EQ(run_sipp("options_503.xml", config.port), 0);
  EXPECT_NE(run_sipp("options_200.xml", config.port, true), 0) << "a 200 while taking no calls";
  harness->stack().set_accepting_calls(true);
  EXPECT_EQ(run_sipp("options_200.xml", config.port), 0);
}

TEST_F(SipStackTest, AnInviteTheHandlerRefusesGets503WithRetryAfter) {
  EXPECT_EQ(run_sipp("invite_503.xml", config.port), 0);
  EXPECT_EQ(run_sipp("options_200.xml", config.port), 0) << "the stack is still answering";
}

TEST_F(SipStackTest, AnAddressInUseIsRefusedNamingIt) {
  try {
    test::StackHarness second(config);
    FAIL() << "two stacks bound the same port";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("127.0.0.1:" + std::to_string(config.port)),
              std::string::npos)
        << error.what();
  }
}

}  // namespace
}  // namespace gw::sip
