// Registration with an upstream registrar (RFC 3665 section 2) against the
// real sipgw daemon: a SIPp registrar challenges with 401, checks the digest
// credentials, grants a short expiry, sees the refresh before it runs out,
// and the binding removed when the gateway stops.

#include <gtest/gtest.h>

#include "tests/system/system_fixture.hpp"

namespace gw::test {
namespace {

// `through_proxy`: the plan names a registrar nobody listens on and the
// SIPp registrar as its outbound proxy, which must get every REGISTER.
void register_with_digest(bool through_proxy) {
  const int registrar_port = GatewayProcess::sip_port_of_this_process() + 7;
  const int nobody_port = GatewayProcess::sip_port_of_this_process() + 9;
  const std::string registrar_address =
      "127.0.0.1:" + std::to_string(through_proxy ? nobody_port : registrar_port);
  const std::string proxy = through_proxy ? "127.0.0.1:" + std::to_string(registrar_port) : "";
  const std::string plan = R"({
  "trunks": [{"name": "t1", "spans": ["span1"]}],
  "trunk_groups": [{"name": "A", "trunks": ["t1"]}],
  "routes": [{"name": "p1234", "match": {"phone_context": "p1234"}, "trunk_groups": ["A"]}],
  "outbound_proxy": ")" + proxy +
                           R"(",
  "registrations": [{"name": "upstream", "registrar": ")" +
                           registrar_address + R"(", "user": "gw1",
                     "password": "s3cret", "expires": 6}]
}
)";
  // The registrar first, as it would be: the gateway registers at start.
  const auto traces =
      std::filesystem::temp_directory_path() / ("sipgw-registrar-" + std::to_string(::getpid()));
  std::filesystem::create_directories(traces);
  const pid_t registrar =
      spawn({"sipp", "-sf", std::string(SIPP_SCENARIOS) + "/registrar.xml", "-i", "127.0.0.1", "-p",
             std::to_string(registrar_port), "-m", "1", "-nostdin", "-timeout", "40s",
             "-timeout_error", "-trace_err", "-error_file", (traces / "errors").string(),
             "-trace_msg", "-message_file", (traces / "messages").string()},
            (traces / "out").string());
  std::this_thread::sleep_for(300ms);  // SIPp binds its port
  GatewayProcess gateway(GatewaySetup{1, {}, plan});
  ASSERT_TRUE(gateway.ready()) << gateway.log();
  bool registered = false;
  for (int i = 0; i < 200 && !registered; ++i) {
    registered =
        gateway.command("status").find("registration upstream registered") != std::string::npos;
    if (!registered) std::this_thread::sleep_for(50ms);
  }
  EXPECT_TRUE(registered) << gateway.command("status") << gateway.log();
  // Long enough for a refresh of the 6 s binding, which the registrar checks.
  std::this_thread::sleep_for(6s);
  EXPECT_EQ(gateway.stop(), 0) << "sipgw did not stop cleanly on SIGTERM";
  const int status = wait_exit(registrar, 20s);
  EXPECT_EQ(status, 0) << "the registrar did not see challenge, refresh and removal:\n"
                       << read_text((traces / "errors").string())
                       << read_text((traces / "messages").string()) << gateway.log();
  if (!::testing::Test::HasFailure()) std::filesystem::remove_all(traces);
}

TEST(SystemRegistration, RegistersWithDigestRefreshesAndRemovesTheBindingAtShutdown) {
  register_with_digest(false);
}

TEST(SystemRegistration, RegistersThroughTheOutboundProxy) {
  register_with_digest(true);
}

}  // namespace
}  // namespace gw::test
