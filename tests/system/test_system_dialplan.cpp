// The dialplan against the real sipgw daemon: a plan imported with `sipgw
// import`, the route tester, numbers and their TON/NPI as the simulated
// PSTN receives them, failover on busy, screening, and a reload while calls
// are up. The simulated PSTN reports busy on span1 for 4861... numbers, so a
// call there must fail over from trunk group A (span1) to B (span2).

#include <gtest/gtest.h>

#include <algorithm>
#include <regex>

#include "drivers/sqlite/sqlite_db.hpp"
#include "tests/system/system_fixture.hpp"

namespace gw::test {
namespace {

constexpr const char* kPstnRules =
    "4861 reject cause=17 span=span1\n"
    "4861 answer ring=300ms\n"
    "486  reject cause=17\n"
    "480  no-answer timeout=180s cause=19\n"
    "*    answer ring=300ms\n";

// Calls forwarded to p1234 numbers go out on trunk group A, then B on busy,
// as private-plan subscriber numbers; +1 numbers as national numbers.
std::string plan(const std::string& p1234_route_name = "forwarded-p1234") {
  return R"({
  "trust": {"peers": ["127.0.0.1"]},
  "trunks": [
    {"name": "t1", "backend": "loopback", "spans": ["span1"], "called_ton": "subscriber"},
    {"name": "t2", "backend": "loopback", "spans": ["span2"], "called_ton": "subscriber"}
  ],
  "trunk_groups": [
    {"name": "A", "trunks": ["t1"], "hunting": "ascending"},
    {"name": "B", "trunks": ["t2"], "hunting": "descending"},
    {"name": "L", "trunks": ["t1", "t2"], "hunting": "round-robin", "channel_limit": 1}
  ],
  "routes": [
    {"name": ")" +
         p1234_route_name +
         R"(", "match": {"phone_context": "p1234"},
     "trunk_groups": ["A", "B"], "failover_causes": [17, 34]},
    {"name": "us-national", "match": {"phone_context": "+", "number_prefix": "1"},
     "trunk_groups": ["A"], "called": {"strip": 1, "ton": "national"}},
    {"name": "global", "match": {"phone_context": "+"}, "trunk_groups": ["A", "B"]},
    {"name": "limited", "match": {"phone_context": "p5678"}, "trunk_groups": ["L"]}
  ],
  "screening": {"blocked_callers": ["+1666"], "blocked_destinations": ["+1900"]}
}
)";
}

std::string private_plan(const std::string& number) {
  return "sip:" + number + ";phone-context=p1234@127.0.0.1;user=phone";
}

class SystemDialplan : public GatewaySuite<SystemDialplan> {
 public:
  static GatewaySetup setup() { return GatewaySetup{2, kPstnRules, plan()}; }
  static constexpr auto idle_timeout = std::chrono::seconds(10);

 protected:
  static int call(const std::string& ruri) {
    return run_sipp(*gateway_, "call.xml", {{"ruri", ruri}, {"rtp_port", "9"}},
                    {"-m", "1", "-d", "200"});
  }

  // The simulated PSTN's SETUPs since the last look.
  static std::vector<std::string> new_setups() {
    std::istringstream lines(gateway_->command("pstn-setups"));
    std::vector<std::string> all;
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind("setup ", 0) == 0) all.push_back(line);
    }
    std::vector<std::string> fresh(
        all.begin() + static_cast<std::ptrdiff_t>(std::min(seen_setups_, all.size())), all.end());
    seen_setups_ = all.size();
    return fresh;
  }

  static int sipgw(const std::vector<std::string>& args, std::string& output) {
    return run_sipgw(args, (gateway_->dir() / "sipgw-command.out").string(), &output);
  }

  static inline std::size_t seen_setups_ = 0;
};

// Record fields: start answered end call-id from request-uri called route
// trunk-group span timeslot sip-status q850-cause ended-by.
enum Field { kRoute = 7, kTrunkGroup = 8, kSpan = 9, kSipStatus = 11 };

TEST_F(SystemDialplan, TheRouteTesterShowsTheDecisionWithoutPlacingACall) {
  const auto out = gateway_->dir() / "sipgwctl.out";
  const int status =
      wait_exit(spawn({SIPGWCTL_PATH, "--data-dir", gateway_->dir().string(), "route",
                       "sip:777-3660;phone-context=p1234@gw.example.com;user=phone"},
                      out.string()),
                10s);
  const std::string decision = read_text(out.string());
  EXPECT_EQ(status, 0) << decision;
  EXPECT_NE(decision.find("route: forwarded-p1234\n"), std::string::npos) << decision;
  EXPECT_NE(decision.find("trunk-group: A hunting ascending"), std::string::npos) << decision;
  EXPECT_NE(decision.find("trunk-group: B hunting descending"), std::string::npos) << decision;
  EXPECT_NE(decision.find("called 7773660 subscriber/private"), std::string::npos) << decision;
  EXPECT_NE(decision.find("failover-causes: 17 34"), std::string::npos) << decision;

  const std::string national = gateway_->command("route tel:+1-555-123-4567");
  EXPECT_NE(national.find("route: us-national"), std::string::npos) << national;
  EXPECT_NE(national.find("called 5551234567 national/isdn"), std::string::npos) << national;
  const std::string screened = gateway_->command("route sip:+19005550100@gw;user=phone");
  EXPECT_NE(screened.find("403 Screening Failure (Terminating)"), std::string::npos) << screened;
  const std::string nowhere = gateway_->command("route sip:123;phone-context=p9999@gw;user=phone");
  EXPECT_NE(nowhere.find("no route (404)"), std::string::npos) << nowhere;
  const std::string letters =
      gateway_->command("route sip:alice;phone-context=p1234@gw;user=phone");
  EXPECT_EQ(letters.rfind("error cannot dial 'alice;phone-context=p1234' (484)", 0), 0U) << letters;
  EXPECT_TRUE(new_setups().empty()) << "the tester placed a call";
}

TEST_F(SystemDialplan, APrivatePlanNumberReachesThePstnAsAPrivateSubscriberNumber) {
  ASSERT_EQ(call(private_plan("777-3660")), 0);
  const auto setups = new_setups();
  ASSERT_EQ(setups.size(), 1U);
  EXPECT_EQ(setups[0],
            "setup span1/b called 7773660 subscriber private calling 5551000 unknown unknown "
            "allowed");
  const auto record = gateway_->last_record();
  EXPECT_EQ(record.at(kRoute), "forwarded-p1234");
  EXPECT_EQ(record.at(kTrunkGroup), "A");
}

TEST_F(SystemDialplan, GlobalNumbersReachThePstnAsE164NumbersRewrittenByTheirRoute) {
  ASSERT_EQ(call("sip:+1-555-123-4567@127.0.0.1;user=phone"), 0);
  ASSERT_EQ(call("sip:+442071234567@127.0.0.1;user=phone"), 0);
  const auto setups = new_setups();
  ASSERT_EQ(setups.size(), 2U);
  EXPECT_NE(setups[0].find("called 5551234567 national isdn"), std::string::npos) << setups[0];
  EXPECT_NE(setups[1].find("called 442071234567 international isdn"), std::string::npos)
      << setups[1];
}

TEST_F(SystemDialplan, BusyOnTheFirstTrunkGroupFailsOverToTheSecond) {
  ASSERT_EQ(call(private_plan("4861000")), 0) << "the call should be answered through group B";
  const auto setups = new_setups();
  ASSERT_EQ(setups.size(), 2U);
  EXPECT_EQ(setups[0].rfind("setup span1/b called 4861000", 0), 0U) << setups[0];
  EXPECT_EQ(setups[1].rfind("setup span2/b called 4861000", 0), 0U) << setups[1];
  const auto record = gateway_->last_record();
  EXPECT_EQ(record.at(kTrunkGroup), "B");
  EXPECT_EQ(record.at(kSpan), "span2");
  EXPECT_EQ(record.at(kSipStatus), "200");
}

TEST_F(SystemDialplan, BusyEverywhereIs486WithTheCauseAfterTryingEveryGroup) {
  const Refusal busy{private_plan("4862000"), 486, "17"};
  EXPECT_EQ(run_sipp(*gateway_, refusal_scenario(*gateway_, busy, 1),
                     {{"ruri", busy.ruri}, {"rtp_port", "9"}}, {"-m", "1"}),
            0);
  EXPECT_EQ(new_setups().size(), 2U) << "group A, then group B";
}

TEST_F(SystemDialplan, RoundRobinTakesTheTrunksOfAGroupInTurn) {
  const std::string ruri = "sip:7773660;phone-context=p5678@127.0.0.1;user=phone";
  ASSERT_EQ(call(ruri), 0);
  ASSERT_EQ(call(ruri), 0);
  ASSERT_EQ(call(ruri), 0);
  const auto setups = new_setups();
  ASSERT_EQ(setups.size(), 3U);
  EXPECT_NE(setups[0].substr(0, 12), setups[1].substr(0, 12)) << setups[0] << "\n" << setups[1];
  EXPECT_EQ(setups[0].substr(0, 12), setups[2].substr(0, 12)) << setups[0] << "\n" << setups[2];
}

TEST_F(SystemDialplan, AGroupAtItsChannelLimitRefusesWith503AndCause34) {
  const pid_t ringing = start_sipp(
      *gateway_, "cancel.xml",
      {{"ruri", "sip:4801234;phone-context=p5678@127.0.0.1;user=phone"}, {"rtp_port", "9"}},
      {"-m", "1", "-d", "3000"});
  for (int i = 0; i < 100 && gateway_->status_sum("busy") < 1; ++i) {
    std::this_thread::sleep_for(50ms);
  }
  ASSERT_EQ(gateway_->status_sum("busy"), 1) << "the first call should be ringing";
  const Refusal full{"sip:7773660;phone-context=p5678@127.0.0.1;user=phone", 503, "34", true};
  EXPECT_EQ(run_sipp(*gateway_, refusal_scenario(*gateway_, full, 4),
                     {{"ruri", full.ruri}, {"rtp_port", "9"}},
                     {"-m", "1", "-p", std::to_string(gateway_->sip_port() + 2)}),
            0);
  EXPECT_EQ(finish_sipp(*gateway_, ringing, "cancel.xml"), 0);
  EXPECT_EQ(new_setups().size(), 1U) << "the limit was not kept";
  // Free again once the first call has gone.
  ASSERT_TRUE(gateway_->wait_idle(10s));
  ASSERT_EQ(call("sip:7773660;phone-context=p5678@127.0.0.1;user=phone"), 0);
  EXPECT_EQ(new_setups().size(), 1U);
}

// draft-sparks 2.5-2.7: a proxy forwards User B's calls to 777-3660 in p1234;
// who forwarded and why reaches the PSTN in the Redirecting Number.
TEST_F(SystemDialplan, AForwardedCallCarriesTheRedirectingNumberToThePstn) {
  const auto forwarded = [](const std::string& header) {
    return run_sipp(
        *gateway_, "forwarded.xml",
        {{"ruri", private_plan("7773660")}, {"rtp_port", "9"}, {"forwarded_by", header}},
        {"-m", "1", "-d", "200"});
  };
  ASSERT_EQ(forwarded("Diversion: <sip:+15551230000@proxy.example.com>;reason=user-busy;counter=2"),
            0);
  ASSERT_EQ(forwarded("History-Info: <sip:5551230001@proxy.example.com>;index=1, "
                      "<sip:7773660;phone-context=p1234@gw;user=phone;cause=302>;index=1.1"),
            0);
  const auto setups = new_setups();
  ASSERT_EQ(setups.size(), 2U);
  // The counter does not reach the far end: the Q.931 Redirecting Number IE
  // has none (it travels in the QSIG/ETSI diversion supplementary services,
  // which the gateway does not send yet).
  EXPECT_NE(setups[0].find(" redirecting 15551230000 international isdn busy count 1"),
            std::string::npos)
      << setups[0];
  EXPECT_NE(setups[1].find(" redirecting 5551230001 unknown unknown unconditional count 1"),
            std::string::npos)
      << setups[1];
}

TEST_F(SystemDialplan, ScreenedCallsGet403WithTheDraftsReasonPhrases) {
  Refusal destination{"sip:+19005550100@127.0.0.1;user=phone", 403};
  destination.phrase = "Screening Failure (Terminating)";
  EXPECT_EQ(run_sipp(*gateway_, refusal_scenario(*gateway_, destination, 2),
                     {{"ruri", destination.ruri}, {"rtp_port", "9"}}, {"-m", "1"}),
            0);
  Refusal caller{private_plan("7773660"), 403};
  caller.phrase = "Screening Failure (Originating)";
  caller.from = "+16665550000";
  EXPECT_EQ(run_sipp(*gateway_, refusal_scenario(*gateway_, caller, 3),
                     {{"ruri", caller.ruri}, {"rtp_port", "9"}}, {"-m", "1"}),
            0);
  EXPECT_TRUE(new_setups().empty()) << "a screened call reached the PSTN";
}

TEST_F(SystemDialplan, ABadPlanIsRefusedNamingTheFieldAndNothingChanges) {
  std::string before;
  ASSERT_EQ(sipgw({"export", "--data-dir", gateway_->dir().string()}, before), 0) << before;
  EXPECT_NE(before.find("\"phone_context\": \"p1234\""), std::string::npos) << before;

  std::string bad = plan();
  bad.replace(bad.find(R"("trunk_groups": ["A"], "called")"), 21, R"("trunk_groups": ["Z"])");
  const auto file = gateway_->dir() / "bad-plan.json";
  std::ofstream(file) << bad;
  std::string refused;
  EXPECT_EQ(sipgw({"import", "--data-dir", gateway_->dir().string(), file.string()}, refused), 1);
  EXPECT_NE(refused.find("routes[us-national].trunk_groups: no trunk group named 'Z'"),
            std::string::npos)
      << refused;

  std::ofstream(file) << "{\"routes\": [{\"name\": \"x\", \"match\": {\"prefix\": \"1\"}}]}";
  EXPECT_EQ(sipgw({"import", "--data-dir", gateway_->dir().string(), file.string()}, refused), 1);
  EXPECT_NE(refused.find("routes[0].match.prefix"), std::string::npos) << refused;

  std::string after;
  ASSERT_EQ(sipgw({"export", "--data-dir", gateway_->dir().string()}, after), 0);
  EXPECT_EQ(after, before);
  ASSERT_EQ(call(private_plan("7773660")), 0) << "the gateway still routes with the old plan";
  EXPECT_EQ(gateway_->last_record().at(kRoute), "forwarded-p1234");
  (void)new_setups();
}

TEST_F(SystemDialplan, AReloadWhileCallsAreUpDropsNoneAndNewCallsTakeTheNewPlan) {
  const pid_t load = start_sipp(*gateway_, "load.xml", {{"ruri", private_plan("7773660")}},
                                {"-m", "30", "-l", "30", "-r", "20", "-d", "3000", "-rtp_echo",
                                 "-mp", std::to_string(gateway_->sip_port() + 20)});
  for (int i = 0; i < 100 && gateway_->status_sum("calls") < 20; ++i) {
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_GE(gateway_->status_sum("calls"), 20) << "the calls should be up during the reload";
  const auto file = gateway_->dir() / "renamed-plan.json";
  std::ofstream(file) << plan("renamed-p1234");
  std::string imported;
  EXPECT_EQ(sipgw({"import", "--data-dir", gateway_->dir().string(), file.string()}, imported), 0)
      << imported;
  EXPECT_NE(imported.find("applied"), std::string::npos) << imported;
  EXPECT_EQ(finish_sipp(*gateway_, load, "load.xml"), 0) << "a call was dropped by the reload";
  ASSERT_TRUE(gateway_->wait_idle(10s));
  ASSERT_EQ(call(private_plan("7773660")), 0);
  EXPECT_EQ(gateway_->last_record().at(kRoute), "renamed-p1234");
  (void)new_setups();
}

// The operator's CLI: per-channel states, and export and import through
// sipgwctl as through sipgw.
TEST_F(SystemDialplan, SipgwctlListsChannelsAndExportsAndImportsThePlan) {
  const std::string channels = gateway_->command("channels span1");
  EXPECT_EQ(channels.rfind("span1 B1 idle\nspan1 B2 idle\n", 0), 0U) << channels;
  EXPECT_EQ(channels.find("span2"), std::string::npos) << channels;
  EXPECT_EQ(gateway_->command("channels span9"), "error no span span9\n");
  const auto file = gateway_->dir() / "exported.json";
  std::string output;
  ASSERT_EQ(run_sipgw_tool(SIPGWCTL_PATH,
                           {"--data-dir", gateway_->dir().string(), "export", file.string()},
                           (gateway_->dir() / "ctl.out").string(), &output),
            0)
      << output;
  EXPECT_NE(read_text(file.string()).find("\"phone_context\": \"p1234\""), std::string::npos);
  ASSERT_EQ(run_sipgw_tool(SIPGWCTL_PATH,
                           {"--data-dir", gateway_->dir().string(), "import", file.string()},
                           (gateway_->dir() / "ctl.out").string(), &output),
            0)
      << output;
  EXPECT_NE(output.find("stored and applied"), std::string::npos) << output;
}

// A search by number reads the whole record table. It runs beside call
// control, so a command sent after it on the same connection is answered
// first, and the search's answer still comes, whole.
TEST_F(SystemDialplan, ALongRecordSearchHoldsUpNoOtherCommand) {
  constexpr int kBulkRecords = 100000;
  const sqlite::Database records((gateway_->dir() / "calls.db").string(), 5000, "");
  const std::string bulk = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n " +
                           ("WHERE i < " + std::to_string(kBulkRecords)) + R"sql()
    INSERT INTO calls (start, end, call_id, caller, request_uri, called, route, trunk_group,
                       span, timeslot, sip_status, cause, ended_by, direction)
    SELECT '2026-01-01T00:00:00Z', '2026-01-01T00:01:00Z', 'bulk-' || i, '5550100999',
           'sip:5550100999@127.0.0.1', '5550100999', 'r', 'A', 'span1', 1, 486, 17, 'pstn',
           'sip-to-pstn' FROM n)sql";
  records.execute(bulk.c_str());
  struct Cleanup {
    const sqlite::Database& db;
    ~Cleanup() { db.execute("DELETE FROM calls WHERE call_id LIKE 'bulk-%'"); }
  } cleanup{records};

  const int fd = gateway_->connect_control();
  ASSERT_GE(fd, 0);
  const std::string requests = "calls number=5550100999 limit=100000\nstatus\n";
  ASSERT_EQ(::write(fd, requests.data(), requests.size()), static_cast<ssize_t>(requests.size()));
  std::string pending;
  const std::string first = GatewayProcess::read_reply(fd, pending);
  const std::string second = GatewayProcess::read_reply(fd, pending);
  ::close(fd);
  EXPECT_EQ(first.rfind("span span1/", 0), 0U)
      << "the status should come first: " << first.substr(0, 200);
  EXPECT_EQ(std::count(second.begin(), second.end(), '\n'), kBulkRecords + 2)
      << "a header, every record, end: " << second.substr(0, 200);
  EXPECT_EQ(second.rfind("# start\t", 0), 0U) << second.substr(0, 200);
  EXPECT_NE(second.find("\tbulk-100000\t"), std::string::npos);
}

}  // namespace
}  // namespace gw::test
