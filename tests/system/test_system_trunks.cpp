// The gateway runs the spans its dialplan's trunks name, as the trunks say:
// a T1 trunk with a few channels in service comes up with just those; a
// DAHDI trunk on a machine without the card stops the start with a line
// naming the field.

#include <gtest/gtest.h>

#include "tests/system/system_fixture.hpp"

namespace gw::test {
namespace {

TEST(SystemTrunks, ALoopbackT1TrunkRunsWithItsSwitchTypeLawAndChannels) {
  const std::string plan = R"({
  "trust": {"peers": ["127.0.0.1"]},
  "trunks": [{"name": "t1", "spans": ["t1a"], "switchtype": "national", "law": "mulaw",
              "channels": "1-4", "called_ton": "subscriber"}],
  "trunk_groups": [{"name": "A", "trunks": ["t1"]}],
  "routes": [{"name": "p1234", "match": {"phone_context": "p1234"}, "trunk_groups": ["A"]}]
})";
  GatewayProcess gateway(GatewaySetup{1, {}, plan, 4});
  ASSERT_TRUE(gateway.ready()) << gateway.command("status") << gateway.log();
  std::string status;
  for (int i = 0; i < 200; ++i) {
    status = gateway.command("status");
    if (status.find("span t1a/a link up") != std::string::npos &&
        status.find("idle 4 ") != std::string::npos) {
      break;
    }
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_NE(status.find("span t1a/a link up"), std::string::npos) << status << gateway.log();
  EXPECT_NE(status.find("idle 4 "), std::string::npos) << "only channels 1-4 are in service:\n"
                                                       << status;
  // Calls go out on those channels, with the trunk's law on the line.
  const int sipp = run_sipp(
      gateway, "call.xml",
      {{"ruri", "sip:7773660;phone-context=p1234@127.0.0.1;user=phone"}, {"rtp_port", "9"}},
      {"-m", "1", "-d", "200"});
  EXPECT_EQ(sipp, 0);
  EXPECT_NE(gateway.command("pstn-setups").find("setup t1a/b called 7773660"), std::string::npos);
  EXPECT_NE(gateway.log().find("B1"), std::string::npos) << "the CPE hunts from channel 1";
}

TEST(SystemTrunks, ADahdiTrunkWithoutTheCardIsRefusedNamingTheField) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("sipgw-trunks-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "plan.json") << R"({
  "trust": {"peers": ["127.0.0.1"]},
  "trunks": [{"name": "card", "backend": "dahdi", "spans": ["1"]}],
  "trunk_groups": [{"name": "A", "trunks": ["card"]}],
  "routes": [{"name": "all", "trunk_groups": ["A"]}]
})";
  std::string output;
  ASSERT_EQ(run_sipgw({"import", "--data-dir", dir.string(), (dir / "plan.json").string()},
                      (dir / "import.out").string(), &output),
            0)
      << output;
  const int port = GatewayProcess::sip_port_of_this_process() + 20;
  const int status =
      run_sipgw({"--bind", "127.0.0.1", "--sip-port", std::to_string(port), "--data-dir",
                 dir.string(), "--http-port", "0", "--sip-tls-port", "0"},
                (dir / "run.out").string(), &output);
  EXPECT_EQ(status, 1) << output;
  EXPECT_NE(output.find("trunks[card].spans: DAHDI span 1: "), std::string::npos) << output;
  std::filesystem::remove_all(dir);
}

// An appliance's first start: no plan yet. The gateway runs and says what
// to do; a plan imported while it runs starts its trunks' spans at once,
// and is there again at the next start.
TEST(SystemTrunks, AFirstStartWithoutAPlanRunsSaysWhatToDoAndStartsTheTrunksOfAnImportedPlan) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("sipgw-noplan-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const int port = GatewayProcess::sip_port_of_this_process() + 21;
  const std::vector<std::string> start{
      SIPGW_PATH,
      "--bind",
      "127.0.0.1",
      "--sip-port",
      std::to_string(port),
      "--data-dir",
      dir.string(),
      "--rtp-ports",
      std::to_string(port + 200) + "-" + std::to_string(port + 239),
      "--http-port",
      "0",
      "--sip-tls-port",
      "0"};
  pid_t sipgw = spawn(start, (dir / "first.log").string());
  std::string log;
  for (int i = 0; i < 100 && log.find("SIP calls are answered 503") == std::string::npos; ++i) {
    std::this_thread::sleep_for(50ms);
    log = read_text((dir / "first.log").string());
  }
  EXPECT_NE(log.find("no dialplan yet in " + dir.string() + "/sipgw.db"), std::string::npos) << log;
  std::ofstream(dir / "plan.json") << R"({
  "trust": {"peers": ["127.0.0.1"]},
  "trunks": [{"name": "t1", "spans": ["span1"]}],
  "trunk_groups": [{"name": "A", "trunks": ["t1"]}],
  "routes": [{"name": "p1234", "match": {"phone_context": "p1234"}, "trunk_groups": ["A"]}]
})";
  std::string output;
  EXPECT_EQ(run_sipgw({"import", "--data-dir", dir.string(), (dir / "plan.json").string()},
                      (dir / "import.out").string(), &output),
            0)
      << output;
  EXPECT_NE(output.find("stored and applied (ok reloaded 1 routes; started trunks t1)"),
            std::string::npos)
      << output;
  std::string status;
  for (int i = 0; i < 100 && status.find("span span1/a link up") == std::string::npos; ++i) {
    std::this_thread::sleep_for(50ms);
    run_sipgw_tool(SIPGWCTL_PATH, {"--data-dir", dir.string(), "status"},
                   (dir / "status.out").string(), &status);
  }
  EXPECT_NE(status.find("span span1/a link up"), std::string::npos) << status;
  ::kill(sipgw, SIGTERM);
  EXPECT_EQ(wait_exit(sipgw, 15s), 0) << read_text((dir / "first.log").string());

  sipgw = spawn(start, (dir / "second.log").string());
  log.clear();
  for (int i = 0; i < 200 && log.find("spans up, taking calls") == std::string::npos; ++i) {
    std::this_thread::sleep_for(50ms);
    log = read_text((dir / "second.log").string());
  }
  EXPECT_NE(log.find("spans up, taking calls"), std::string::npos) << log;
  ::kill(sipgw, SIGTERM);
  EXPECT_EQ(wait_exit(sipgw, 15s), 0) << log;
  if (!::testing::Test::HasFailure()) std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace gw::test
