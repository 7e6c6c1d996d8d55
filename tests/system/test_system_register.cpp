// Registration with an upstream registrar (RFC 3665 section 2) against the
// real sipgw daemon: a SIPp registrar challenges with 401, checks the digest
// credentials, grants a short expiry, sees the refresh before it runs out,
// and the binding removed when the gateway stops (or when a new plan no
// longer has the registration).

#include <gtest/gtest.h>

#include "tests/system/system_fixture.hpp"

namespace gw::test {
namespace {

enum class Way : std::uint8_t {
  at_start,       // in the plan when the gateway starts, removed when it stops
  through_proxy,  // the same, with a registrar nobody listens on behind the
                  // outbound proxy (the SIPp registrar), which must get every REGISTER
  by_reload,      // added by an import while the gateway runs, removed by another
};

void register_with_digest(Way way) {
  const bool through_proxy = way == Way::through_proxy;
  const int registrar_port = GatewayProcess::sip_port_of_this_process() + 7;
  const int nobody_port = GatewayProcess::sip_port_of_this_process() + 9;
  const std::string registrar_address =
      "127.0.0.1:" + std::to_string(through_proxy ? nobody_port : registrar_port);
  const std::string proxy = through_proxy ? "127.0.0.1:" + std::to_string(registrar_port) : "";
  const std::string without = R"({
  "trust": {"peers": ["127.0.0.1"]},
  "trunks": [{"name": "t1", "spans": ["span1"]}],
  "trunk_groups": [{"name": "A", "trunks": ["t1"]}],
  "routes": [{"name": "p1234", "match": {"phone_context": "p1234"}, "trunk_groups": ["A"]}]
})";
  const std::string plan = R"({
  "trust": {"peers": ["127.0.0.1"]},
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
  const pid_t registrar = spawn(SippCommand(std::string(SIPP_SCENARIOS) + "/registrar.xml")
                                    .local_ip("127.0.0.1")
                                    .local_port(registrar_port)
                                    .calls(1)
                                    .timeout("40s")
                                    .errors_to((traces / "errors").string())
                                    .messages_to((traces / "messages").string())
                                    .argv(),
                                (traces / "out").string());
  ASSERT_TRUE(wait_for_udp_port(registrar_port, 10s)) << "SIPp did not bind its port";
  GatewayProcess gateway(GatewaySetup{1, {}, way == Way::by_reload ? without : plan});
  ASSERT_TRUE(gateway.ready()) << gateway.log();
  const auto import_plan = [&gateway](const std::string& text) {
    std::ofstream(gateway.dir() / "new-plan.json") << text;
    std::string output;
    EXPECT_EQ(run_sipgw({"import", "--data-dir", gateway.dir().string(),
                         (gateway.dir() / "new-plan.json").string()},
                        (gateway.dir() / "import.out").string(), &output),
              0)
        << output;
  };
  if (way == Way::by_reload) import_plan(plan);
  bool registered = false;
  for (int i = 0; i < 200 && !registered; ++i) {
    registered =
        gateway.command("status").find("registration upstream registered") != std::string::npos;
    if (!registered) std::this_thread::sleep_for(50ms);
  }
  EXPECT_TRUE(registered) << gateway.command("status") << gateway.log();
  // Until the refresh of the 6 s binding, which the registrar checks, is
  // answered: the gateway logs each registration that succeeds.
  const auto successes = [&gateway] {
    const std::string log = gateway.log();
    const std::string line = "registration upstream: registered";
    std::size_t count = 0;
    for (auto at = log.find(line); at != std::string::npos; at = log.find(line, at + 1)) ++count;
    return count;
  };
  for (int i = 0; i < 200 && successes() < 2; ++i) std::this_thread::sleep_for(50ms);
  EXPECT_GE(successes(), 2U) << "no refresh was answered\n" << gateway.log();
  if (way == Way::by_reload) import_plan(without);
  if (way != Way::by_reload) {
    EXPECT_EQ(gateway.stop(), 0) << "sipgw did not stop cleanly on SIGTERM";
  }
  const int status = wait_exit(registrar, 20s);
  EXPECT_EQ(status, 0) << "the registrar did not see challenge, refresh and removal:\n"
                       << read_text((traces / "errors").string())
                       << read_text((traces / "messages").string()) << gateway.log();
  if (way == Way::by_reload) {
    std::string left = gateway.command("status");
    for (int i = 0; i < 100 && left.find("registration upstream") != std::string::npos; ++i) {
      std::this_thread::sleep_for(50ms);
      left = gateway.command("status");
    }
    EXPECT_EQ(left.find("registration upstream"), std::string::npos) << left;
    EXPECT_EQ(gateway.stop(), 0) << "sipgw did not stop cleanly on SIGTERM";
  }
  if (!::testing::Test::HasFailure()) std::filesystem::remove_all(traces);
}

TEST(SystemRegistration, RegistersWithDigestRefreshesAndRemovesTheBindingAtShutdown) {
  register_with_digest(Way::at_start);
}

TEST(SystemRegistration, RegistersThroughTheOutboundProxy) {
  register_with_digest(Way::through_proxy);
}

TEST(SystemRegistration, ARegistrationAddedByAReloadRegistersAndOneDroppedIsRemoved) {
  register_with_digest(Way::by_reload);
}

}  // namespace
}  // namespace gw::test
