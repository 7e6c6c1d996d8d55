// The SIP stack on its own thread, driven by SIPp over loopback: OPTIONS as a
// load balancer's probe, answered 200 or 503 with Retry-After.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "gateway/sip/stack.hpp"
#include "tests/support/spawn.hpp"
#include "tests/support/stack_harness.hpp"

namespace gw::sip {
namespace {

int test_port() {
  return 20000 + static_cast<int>(::getpid() % 20000);
}

// Runs SIPp once against 127.0.0.1:port with `scenario`; returns its exit status
// (0: every message as the scenario expects).
int run_sipp(const std::string& scenario, int port) {
  std::vector<std::string> args{"sipp",
                                "127.0.0.1:" + std::to_string(port),
                                "-sf",
                                std::string(SIPP_SCENARIOS) + "/" + scenario,
                                "-m",
                                "1",
                                "-i",
                                "127.0.0.1",
                                "-p",
                                std::to_string(port + 1),
                                "-nostdin",
                                "-timeout",
                                "10s",
                                "-timeout_error",
                                "-trace_err",
                                "-error_file",
                                "/tmp/sipgw-sipp-" + std::to_string(::getpid()) + ".log"};
  const pid_t pid = test::spawn(args, "/dev/null");  // details go to the error file
  if (pid == 0) return -1;
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

class SipStackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config.port = test_port();
    harness = std::make_unique<test::StackHarness>(config);
  }
  void TearDown() override {
    ::unlink(("/tmp/sipgw-sipp-" + std::to_string(::getpid()) + ".log").c_str());
  }
  StackConfig config;
  std::unique_ptr<test::StackHarness> harness;
};

TEST_F(SipStackTest, OptionsIsAnswered200WithAllowAcceptAndSupported) {
  EXPECT_EQ(run_sipp("options_200.xml", config.port), 0);
}

TEST_F(SipStackTest, OptionsIsAnswered503WithRetryAfterWhenNoCallCanBeTaken) {
  harness->stack().set_accepting_calls(false);
  EXPECT_EQ(run_sipp("options_503.xml", config.port), 0);
  EXPECT_NE(run_sipp("options_200.xml", config.port), 0) << "a 200 while taking no calls";
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
