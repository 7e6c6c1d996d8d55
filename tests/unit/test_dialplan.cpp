// The dialplan engine: route precedence, number rewriting, TON/NPI, screening
// and the validator's messages.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dialplan/number_rule.hpp"
#include "dialplan/router.hpp"
#include "dialplan/validate.hpp"

namespace gw::dialplan {
namespace {

Trunk trunk(std::string name, std::string span) {
  Trunk t;
  t.name = std::move(name);
  t.spans = {std::move(span)};
  t.called_ton = isdn::Ton::subscriber;
  return t;
}

Route route(std::string name, std::string context, std::string prefix = {}) {
  Route r;
  r.name = std::move(name);
  r.match.phone_context = std::move(context);
  r.match.number_prefix = std::move(prefix);
  r.trunk_groups = {"A"};
  return r;
}

// Two trunks, one group each, and whatever routes the test adds.
Plan base_plan() {
  Plan plan;
  plan.trunks = {trunk("t1", "span1"), trunk("t2", "span2")};
  plan.trunk_groups = {{"A", {"t1"}, isdn::Hunting::ascending, 0},
                       {"B", {"t2"}, isdn::Hunting::descending, 10}};
  return plan;
}

CallFacts call_to(const std::string& user_part, std::string caller = "5551234") {
  CallFacts facts;
  facts.target = *parse_dial_target(user_part);
  facts.caller = std::move(caller);
  facts.source = "sip:127.0.0.1";
  return facts;
}

std::string route_for(const Plan& plan, const std::string& user_part,
                      const std::string& caller = "5551234") {
  EXPECT_TRUE(validate(plan).empty());
  const Router router(plan);
  const Decision decision = router.decide(call_to(user_part, caller));
  return decision.outcome == Decision::Outcome::routed ? decision.route : "(none)";
}

TEST(NumberRewrite, StripsThenPrependsThenReplaces) {
  EXPECT_EQ(NumberRewrite({2, "", "", ""}).apply("0612345"), "12345");
  EXPECT_EQ(NumberRewrite({0, "9", "", ""}).apply("7773660"), "97773660");
  EXPECT_EQ(NumberRewrite({1, "00", "^001", "1"}).apply("+15551234"), "15551234");
  EXPECT_EQ(NumberRewrite({0, "", "^(\\d{3})(\\d{4})$", "555$1$2"}).apply("7773660"), "5557773660");
  EXPECT_EQ(NumberRewrite({9, "", "", ""}).apply("123"), "") << "strip more than there is";
  EXPECT_TRUE(NumberRewrite({}).changes_nothing());
}

TEST(Router, TheCallsOwnContextBeatsGlobalWhichBeatsAnyContext) {
  Plan plan = base_plan();
  plan.routes = {route("any", ""), route("global", "+"), route("p1234", "p1234"),
                 route("plus1", "+1")};
  EXPECT_EQ(route_for(plan, "7773660;phone-context=p1234"), "p1234");
  EXPECT_EQ(route_for(plan, "7773660;phone-context=P1234"), "p1234") << "contexts ignore case";
  EXPECT_EQ(route_for(plan, "7773660;phone-context=p9999"), "any");
  EXPECT_EQ(route_for(plan, "+15551234567"), "global");
  EXPECT_EQ(route_for(plan, "5551234567;phone-context=+1"), "plus1");
  EXPECT_EQ(route_for(plan, "5551234567;phone-context=+44"), "global")
      << "a +CC local number without a route of its own is routed as a global number";
}

TEST(Router, AGlobalRouteSeesACcLocalNumberAsItsE164Digits) {
  Plan plan = base_plan();
  plan.routes = {route("uk", "+", "44"), route("us", "+", "1")};
  const Router router(plan);
  const auto decision = router.decide(call_to("2071234567;phone-context=+44"));
  EXPECT_EQ(decision.route, "uk");
  EXPECT_EQ(decision.number, "442071234567");
  EXPECT_EQ(decision.groups.at(0).trunks.at(0).called.ton, isdn::Ton::international);
}

TEST(Router, LongerPrefixThenLengthThenRegexThenCallerThenSourceThenPriority) {
  Plan plan = base_plan();
  plan.routes = {route("short", "p1234", "7"), route("long", "p1234", "777")};
  EXPECT_EQ(route_for(plan, "7773660;phone-context=p1234"), "long");
  EXPECT_EQ(route_for(plan, "7123;phone-context=p1234"), "short");
  EXPECT_EQ(route_for(plan, "8123;phone-context=p1234"), "(none)");

  plan.routes = {route("plain", "p1234", "777"), route("seven", "p1234", "777")};
  plan.routes[1].match.number_length = 7;
  EXPECT_EQ(route_for(plan, "7773660;phone-context=p1234"), "seven");
  EXPECT_EQ(route_for(plan, "77736601;phone-context=p1234"), "plain");

  plan.routes = {route("plain", "p1234"), route("regex", "p1234")};
  plan.routes[1].match.number_regex = "7[0-9]{6}";
  EXPECT_EQ(route_for(plan, "7773660;phone-context=p1234"), "regex");
  EXPECT_EQ(route_for(plan, "6773660;phone-context=p1234"), "plain");

  plan.routes = {route("anyone", "p1234"), route("boss", "p1234")};
  plan.routes[1].match.caller_prefix = "555";
  EXPECT_EQ(route_for(plan, "7773660;phone-context=p1234", "5551234"), "boss");
  EXPECT_EQ(route_for(plan, "7773660;phone-context=p1234", "6661234"), "anyone");

  plan.routes = {route("anywhere", "p1234"), route("proxy", "p1234")};
  plan.routes[1].match.source = "sip:127.0.0.1";
  EXPECT_EQ(route_for(plan, "7773660;phone-context=p1234"), "proxy");
  plan.routes[1].match.source = "sip:10.0.0.1";
  EXPECT_EQ(route_for(plan, "7773660;phone-context=p1234"), "anywhere");

  plan.routes = {route("low", "p1234"), route("high", "p1234")};
  plan.routes[0].match.number_regex = "7.*";
  plan.routes[1].match.number_regex = "77.*";
  plan.routes[1].match.priority = 5;
  EXPECT_EQ(route_for(plan, "7773660;phone-context=p1234"), "high");
}

// Found while fuzzing: libstdc++'s std::regex recurses for each digit, and a
// Request-URI of 50,000 digits overflowed the control thread's stack in a
// route's number_regex (a rewrite's replace the same).
TEST(Router, ANumberTooLongForRegularExpressionsMeetsNone) {
  Plan plan = base_plan();
  plan.routes = {route("plain", "p1234"), route("regex", "p1234")};
  plan.routes[0].called.replace = "^7";
  plan.routes[0].called.with = "07";
  plan.routes[1].match.number_regex = "7.*";
  const std::string longest(kMaxRegexNumber, '7');
  EXPECT_EQ(route_for(plan, longest + ";phone-context=p1234"), "regex");
  const std::string huge(100000, '7');
  EXPECT_EQ(route_for(plan, huge + ";phone-context=p1234"), "plain");
  const Router router(plan);
  const Decision decision = router.decide(call_to(huge + ";phone-context=p1234"));
  ASSERT_EQ(decision.groups.size(), 1U);
  ASSERT_EQ(decision.groups[0].trunks.size(), 1U);
  EXPECT_EQ(decision.groups[0].trunks[0].called.digits, huge) << "not rewritten";
  EXPECT_EQ(NumberRewrite({0, "", "^7", "07"}).apply(longest), "0" + longest);
}

// The octets the SETUP's Called Party Number carries for each form of number.
TEST(Router, EachFormOfNumberGoesOutWithItsTonAndNpi) {
  Plan plan = base_plan();
  plan.routes = {route("p1234", "p1234"), route("global", "+")};
  const Router router(plan);
  const auto called = [&router](const std::string& user) {
    return router.decide(call_to(user)).groups.at(0).trunks.at(0).called;
  };
  const auto p1234 = called("7773660;phone-context=p1234");
  EXPECT_EQ(p1234.npi, isdn::Npi::private_plan);
  EXPECT_EQ(p1234.ton, isdn::Ton::subscriber);
  EXPECT_EQ(p1234.plan_octet(), 0x49);
  EXPECT_EQ(called("+1-(555)-123.4567").plan_octet(), 0x11);
  const auto cc_local = called("555-1234;phone-context=+1-212");
  EXPECT_EQ(cc_local.npi, isdn::Npi::isdn);
  EXPECT_EQ(cc_local.digits, "12125551234")
      << "a +CC local number without its own route goes out as its E.164 digits";
}

TEST(Router, PrivatePlanNumbersGoOutNpiPrivateWithTheTrunksTon) {
  Plan plan = base_plan();
  plan.routes = {route("p1234", "p1234")};
  plan.routes[0].trunk_groups = {"A", "B"};
  plan.routes[0].failover_causes = {17, 34};
  const Router router(plan);
  const auto decision = router.decide(call_to("777-3660;phone-context=p1234"));
  ASSERT_EQ(decision.outcome, Decision::Outcome::routed);
  ASSERT_EQ(decision.groups.size(), 2U);
  EXPECT_EQ(decision.groups[0].name, "A");
  EXPECT_EQ(decision.groups[1].hunting, isdn::Hunting::descending);
  EXPECT_EQ(decision.groups[1].channel_limit, 10);
  const auto& called = decision.groups[0].trunks.at(0).called;
  EXPECT_EQ(called.digits, "7773660");
  EXPECT_EQ(called.ton, isdn::Ton::subscriber);
  EXPECT_EQ(called.npi, isdn::Npi::private_plan);
  EXPECT_TRUE(decision.fails_over(17));
  EXPECT_FALSE(decision.fails_over(16));
  EXPECT_NE(decision.describe().find("trunk-group: B hunting descending channel-limit 10"),
            std::string::npos)
      << decision.describe();
}

TEST(Router, TheRouteRewritesNumbersAndSetsTheirTypeAndPresentation) {
  Plan plan = base_plan();
  plan.routes = {route("us", "+", "1")};
  Route& us = plan.routes[0];
  us.called = {1, "", "", ""};
  us.called_ton = isdn::Ton::national;
  us.calling = {0, "9", "", ""};
  us.calling_npi = isdn::Npi::private_plan;
  us.presentation = PresentationRule::from_sip;
  const Router router(plan);
  auto facts = call_to("+1-555-123-4567", "+15550001111");
  facts.caller_private = true;
  facts.caller_asserted = true;
  const auto decision = router.decide(facts);
  const auto& choice = decision.groups.at(0).trunks.at(0);
  EXPECT_EQ(choice.called.digits, "5551234567");
  EXPECT_EQ(choice.called.ton, isdn::Ton::national);
  EXPECT_EQ(choice.called.npi, isdn::Npi::isdn);
  EXPECT_EQ(choice.calling.digits, "915550001111");
  EXPECT_EQ(choice.calling.ton, isdn::Ton::international);
  EXPECT_EQ(choice.calling.npi, isdn::Npi::private_plan);
  EXPECT_EQ(choice.calling.presentation, isdn::Presentation::restricted);
  EXPECT_EQ(choice.calling.screening, isdn::Screening::user_passed);

  us.presentation = PresentationRule::allowed;
  const Router allowed(plan);
  EXPECT_EQ(allowed.decide(facts).groups.at(0).trunks.at(0).calling.presentation,
            isdn::Presentation::allowed);
  facts.caller.clear();
  EXPECT_EQ(allowed.decide(facts).groups.at(0).trunks.at(0).calling.presentation,
            isdn::Presentation::unavailable);
}

TEST(Router, ScreeningRefusesBlockedCallersAndDestinationsBeforeRouting) {
  Plan plan = base_plan();
  plan.routes = {route("global", "+"), route("p1234", "p1234")};
  plan.screening.blocked_callers = {"+1900", "666"};
  plan.screening.blocked_destinations = {"+1900", "7773661"};
  const Router router(plan);
  auto decision = router.decide(call_to("+19005550100"));
  EXPECT_EQ(decision.outcome, Decision::Outcome::destination_blocked);
  EXPECT_EQ(decision.blocked_by, "+1900");
  decision = router.decide(call_to("9005550100;phone-context=+1"));
  EXPECT_EQ(decision.outcome, Decision::Outcome::destination_blocked) << "+1 900... is +1900...";
  decision = router.decide(call_to("7773661;phone-context=p1234"));
  EXPECT_EQ(decision.outcome, Decision::Outcome::destination_blocked);
  decision = router.decide(call_to("19005550100;phone-context=p1234"));
  EXPECT_EQ(decision.outcome, Decision::Outcome::routed) << "+1900 is only global numbers";
  decision = router.decide(call_to("7773660;phone-context=p1234", "6661234"));
  EXPECT_EQ(decision.outcome, Decision::Outcome::caller_blocked);
  decision = router.decide(call_to("7773660;phone-context=p1234", "+19001234"));
  EXPECT_EQ(decision.outcome, Decision::Outcome::caller_blocked);
  EXPECT_NE(decision.describe().find("403 Screening Failure (Originating)"), std::string::npos);
}

std::vector<std::string> problems(const Plan& plan) {
  std::vector<std::string> lines;
  for (const auto& problem : validate(plan)) lines.push_back(problem.to_string());
  return lines;
}

TEST(Validate, AGoodPlanHasNoProblems) {
  Plan plan = base_plan();
  plan.routes = {route("p1234", "p1234")};
  EXPECT_TRUE(problems(plan).empty());
}

TEST(Validate, DotAndDotDotAreNoNamesForAUrlCannotReachThem) {
  Plan plan = base_plan();
  plan.routes = {route("p1234", "p1234")};
  plan.trunks.push_back(trunk("..", "span3"));
  plan.trunk_groups.push_back({".", {"t1"}, isdn::Hunting::ascending, 0});
  const auto lines = problems(plan);
  EXPECT_NE(
      std::find(lines.begin(), lines.end(),
                "trunks[2].name: '..' is not a name (1-64 of A-Z a-z 0-9 - _ ., not . or ..)"),
      lines.end());
  EXPECT_NE(
      std::find(lines.begin(), lines.end(),
                "trunk_groups[2].name: '.' is not a name (1-64 of A-Z a-z 0-9 - _ ., not . or ..)"),
      lines.end());
  plan.trunks.back().name = "...";  // not a dot segment: fine
  plan.trunk_groups.back().name = ".a";
  EXPECT_TRUE(problems(plan).empty()) << problems(plan).front();
}

TEST(Validate, EachProblemNamesItsField) {
  Plan plan = base_plan();
  plan.trunks.push_back(trunk("t3", "span1"));
  plan.trunks.back().channels = "1-40";
  plan.trunks.push_back(trunk("t4", "x"));
  plan.trunks.back().backend = Backend::dahdi;
  plan.trunk_groups.push_back({"C", {"t9"}, isdn::Hunting::ascending, -1});
  Route bad = route("bad", "p 1234", "77a");
  bad.trunk_groups = {"Z"};
  bad.failover_causes = {200};
  bad.called.replace = "(";
  bad.calling.with = "1";
  bad.match.number_length = 2;
  bad.match.source = "proxy";
  plan.routes = {bad, route("", "p1234")};
  plan.screening.blocked_callers = {"abc"};
  plan.registrations = {{"up", "registrar example", "gw 1", "", "a\"b", 1}};
  const auto lines = problems(plan);
  const std::vector<std::string> expected_fields = {
      "trunks[t3].spans: span 'span1' is already in trunk t1",
      "trunks[t3].channels: '1-40' is not a channel list like 1-15,17-31",
      "trunks[t4].spans: 'x' is not a DAHDI span number",
      "trunk_groups[C].trunks: no trunk named 't9'",
      "trunk_groups[C].channel_limit: must be 0 (no limit) or more",
      "routes[bad].match.phone_context: 'p 1234' is not a phone-context",
      "routes[bad].match.number_prefix: '77a' is not digits (0-9 * #)",
      "routes[bad].match.number_length: shorter than number_prefix: the route can never match",
      "routes[bad].match.source: 'proxy' is not sip:ADDRESS or span:NAME",
      "routes[bad].trunk_groups: no trunk group named 'Z'",
      "routes[bad].failover_causes: 200 is not a Q.850 cause (1-127)",
      "routes[bad].calling.with: has nothing to replace: set replace too",
      "routes[1].name: '' is not a name (1-64 of A-Z a-z 0-9 - _ ., not . or ..)",
      "screening.blocked_callers: 'abc' is not a number like +1900 or 7773660",
      "registrations[up].registrar: 'registrar example' is not host or host:port",
      "registrations[up].user: 'gw 1' is not a SIP user name",
      "registrations[up].password: must not hold quotes or line breaks",
      "registrations[up].expires: must be 5 to 86400 seconds",
  };
  for (const auto& line : expected_fields) {
    EXPECT_NE(std::find(lines.begin(), lines.end(), line), lines.end()) << "missing: " << line;
  }
  const bool regex_reported = std::any_of(lines.begin(), lines.end(), [](const std::string& l) {
    return l.rfind("routes[bad].called.replace: not a regular expression", 0) == 0;
  });
  EXPECT_TRUE(regex_reported);
}

TEST(Validate, RoutesThatMatchTheSameCallsEquallyAreATie) {
  Plan plan = base_plan();
  plan.routes = {route("one", "p1234", "777"), route("two", "P1234", "777")};
  auto lines = problems(plan);
  ASSERT_EQ(lines.size(), 1U);
  EXPECT_EQ(lines[0],
            "routes[two].match: ties with route one: both match the same calls equally; change "
            "one or give it a priority");
  plan.routes[1].match.priority = 1;
  EXPECT_TRUE(problems(plan).empty());

  plan.routes = {route("one", "p1234"), route("two", "p1234")};
  plan.routes[0].match.number_regex = "7.*";
  plan.routes[1].match.number_regex = "77.*";
  EXPECT_EQ(problems(plan).size(), 1U) << "two expressions may overlap";
  plan.routes[1].match.caller_prefix = "5";
  EXPECT_TRUE(problems(plan).empty());
}

isdn::PartyNumber number(std::string digits, isdn::Ton ton, isdn::Npi npi) {
  isdn::PartyNumber party;
  party.digits = std::move(digits);
  party.ton = ton;
  party.npi = npi;
  return party;
}

// Trunks whose numbers mean something in SIP: t1's private plan is p1234,
// its public numbers are in +1212.
Plan inbound_plan() {
  Plan plan = base_plan();
  plan.trunks[0].private_context = "p1234";
  plan.trunks[0].public_context = "+1212";
  plan.trunks[0].sip_peers = {"pbx.example.com:5080"};
  return plan;
}

TEST(RouterFromPstn, EachTonAndNpiComesBackAsItsSipNumberForm) {
  const Router router(inbound_plan());
  const auto decide = [&](const isdn::PartyNumber& called, const isdn::PartyNumber& calling) {
    return router.decide(router.facts_from_pstn("span1", called, calling));
  };
  const auto caller = number("4930123", isdn::Ton::international, isdn::Npi::isdn);
  Decision decision =
      decide(number("7773660", isdn::Ton::subscriber, isdn::Npi::private_plan), caller);
  ASSERT_EQ(decision.outcome, Decision::Outcome::routed);
  ASSERT_TRUE(decision.sip);
  EXPECT_EQ(decision.route, "trunk:t1") << "no route: the trunk's own peers";
  EXPECT_EQ(decision.sip->peers, std::vector<std::string>{"pbx.example.com:5080"});
  EXPECT_EQ(decision.sip->request_user, "7773660;phone-context=p1234");
  EXPECT_EQ(decision.sip->caller_user, "+4930123");
  EXPECT_FALSE(decision.sip->caller_hidden);

  decision = decide(number("15551234567", isdn::Ton::international, isdn::Npi::isdn), caller);
  EXPECT_EQ(decision.sip->request_user, "+15551234567");
  decision = decide(number("5551234", isdn::Ton::subscriber, isdn::Npi::isdn),
                    number("5550000", isdn::Ton::subscriber, isdn::Npi::isdn));
  EXPECT_EQ(decision.sip->request_user, "5551234;phone-context=+1212");
  EXPECT_EQ(decision.sip->caller_user, "5550000;phone-context=+1212");

  // A span of a trunk without peers and without a route: nowhere to go.
  EXPECT_EQ(router.decide(router.facts_from_pstn("span2", number("1", {}, {}), caller)).outcome,
            Decision::Outcome::no_route);
}

TEST(RouterFromPstn, RoutesToSipTakeOnlyCallsFromSpansAndRewrite) {
  Plan plan = inbound_plan();
  plan.routes = {route("out", "p1234")};
  Route in;
  in.name = "did-300";
  in.match.source = "span:span1";
  in.match.number_prefix = "300";
  in.sip_peers = {"10.0.0.5", "10.0.0.6:5070"};
  in.called = {3, "", "", ""};  // DID 300xxxx -> extension xxxx
  in.presentation = PresentationRule::restricted;
  plan.routes.push_back(in);
  Route second_private = route("in-private", "p1234");
  second_private.trunk_groups.clear();
  second_private.sip_peers = {"10.0.0.9"};
  plan.routes.push_back(second_private);
  ASSERT_TRUE(problems(plan).empty()) << problems(plan).front();
  const Router router(plan);
  const auto caller = number("5550000", isdn::Ton::national, isdn::Npi::isdn);

  Decision decision = router.decide(router.facts_from_pstn(
      "span1", number("3004711", isdn::Ton::subscriber, isdn::Npi::isdn), caller));
  ASSERT_TRUE(decision.sip);
  EXPECT_EQ(decision.route, "did-300");
  EXPECT_EQ(decision.sip->peers, (std::vector<std::string>{"10.0.0.5", "10.0.0.6:5070"}));
  EXPECT_EQ(decision.sip->request_user, "4711;phone-context=+1212");
  EXPECT_TRUE(decision.sip->caller_hidden) << "the route restricts presentation";

  // A private-plan number from the PSTN takes the p1234 route to SIP, never
  // the one to trunk groups; a SIP call to p1234 takes only the latter.
  decision = router.decide(router.facts_from_pstn(
      "span1", number("7773660", isdn::Ton::subscriber, isdn::Npi::private_plan), caller));
  EXPECT_EQ(decision.route, "in-private");
  EXPECT_EQ(router.decide(call_to("7773660;phone-context=p1234")).route, "out");
}

// Cisco-style translation: a subscriber DID made international by
// prepending country and area code, the caller's national number likewise.
TEST(RouterFromPstn, ARouteThatSaysWhatTheRewrittenNumberIsSetsItsSipForm) {
  Plan plan = inbound_plan();
  Route in;
  in.name = "subscribers";
  in.match.source = "span:span1";
  in.sip_peers = {"10.0.0.5"};
  in.called.prepend = "1212";
  in.called_ton = isdn::Ton::international;
  in.calling.prepend = "1";
  in.calling_ton = isdn::Ton::international;
  plan.routes = {in};
  ASSERT_TRUE(problems(plan).empty()) << problems(plan).front();
  const Router router(plan);
  const Decision decision = router.decide(
      router.facts_from_pstn("span1", number("5551234", isdn::Ton::subscriber, isdn::Npi::isdn),
                             number("2125550000", isdn::Ton::national, isdn::Npi::isdn)));
  ASSERT_TRUE(decision.sip);
  EXPECT_EQ(decision.sip->request_user, "+12125551234");
  EXPECT_EQ(decision.sip->caller_user, "+12125550000");
}

TEST(RouterFromPstn, ARestrictedCallerIsHiddenAndTheDecisionSaysWhereItGoes) {
  const Router router(inbound_plan());
  auto caller = number("5550000", isdn::Ton::national, isdn::Npi::isdn);
  caller.presentation = isdn::Presentation::restricted;
  const Decision decision = router.decide(router.facts_from_pstn(
      "span1", number("7773660", isdn::Ton::unknown, isdn::Npi::private_plan), caller));
  ASSERT_TRUE(decision.sip);
  EXPECT_TRUE(decision.sip->caller_hidden);
  EXPECT_EQ(decision.describe(),
            "result: routed\nroute: trunk:t1\nnumber: 7773660\nsip-peers: pbx.example.com:5080\n"
            "request-user: 7773660;phone-context=p1234\ncaller-user: "
            "5550000;phone-context=+1212 hidden\n");
}

TEST(Validate, ARouteGoesOneWayAndContextsHaveTheirForm) {
  Plan plan = inbound_plan();
  Route both = route("both", "p1234");
  both.sip_peers = {"10.0.0.5"};
  Route neither = route("neither", "p1234", "9");
  neither.trunk_groups.clear();
  Route backwards = route("backwards", "p1234", "8");
  backwards.trunk_groups.clear();
  backwards.sip_peers = {"no such host!"};
  backwards.match.source = "sip:10.0.0.1";
  plan.routes = {both, neither, backwards};
  plan.trunks[1].private_context = "+49";
  plan.trunks[1].public_context = "p1234";
  plan.outbound_proxy = "edge proxy";
  const auto lines = problems(plan);
  for (const std::string line : {
           "routes[both].sip_peers: a route goes one way: trunk groups (SIP to PSTN) or sip_peers "
           "(PSTN to SIP), not both",
           "routes[neither].trunk_groups: a route needs trunk groups (to the PSTN) or sip_peers "
           "(to SIP)",
           "routes[backwards].match.source: a route to SIP peers takes calls from spans, not from "
           "SIP",
           "routes[backwards].sip_peers: 'no such host!' is not host, host:port or a URI like "
           "sips:pbx.example.com:5061 or sip:host;transport=tls",
           "trunks[t2].private_context: '+49' is not a private plan's name like p1234",
           "trunks[t2].public_context: 'p1234' is not a number prefix like +1",
           "outbound_proxy: 'edge proxy' is not host or host:port",
       }) {
    EXPECT_NE(std::find(lines.begin(), lines.end(), line), lines.end()) << "missing: " << line;
  }
}

// A peer reached over TLS (so that SRTP keys may travel to it) is written
// as a URI; anything a Request-URI could not carry as is is refused.
TEST(Validate, ASipPeerIsHostPortOrASipUriWithItsTransport) {
  for (const std::string peer :
       {"pbx.example.com", "10.0.0.5:5080", "[2001:db8::5]:5061", "sip:pbx.example.com",
        "sips:pbx.example.com:5061", "sip:pbx.example.com;transport=tls",
        "sip:10.0.0.5:5080;transport=tcp", "sips:localhost:5061;maddr=127.0.0.1",
        "sip:pbx.example.com;transport=tls;maddr=[2001:db8::5]"}) {
    Plan plan = inbound_plan();
    plan.trunks[0].sip_peers = {peer};
    EXPECT_TRUE(problems(plan).empty()) << peer << ": " << problems(plan).front();
  }
  for (const std::string peer :
       {"sips:pbx.example.com;transport=udp", "sip:user@pbx.example.com",
        "sip:", "sip:pbx.example.com;transport=sctp", "sip:pbx.example.com;lr",
        "sip:pbx.example.com;maddr=10.0.0.5:5060", "tel:+12125551234", "SIP/2.0 pbx",
        "sip:pbx.example.com;", "sip:pbx.example.com;transport=tls;", "sip:pbx.example.com?x=y"}) {
    Plan plan = inbound_plan();
    plan.trunks[0].sip_peers = {peer};
    const auto lines = problems(plan);
    ASSERT_EQ(lines.size(), 1U) << peer;
    EXPECT_EQ(lines.front(), "trunks[t1].sip_peers: '" + peer +
                                 "' is not host, host:port or a URI like "
                                 "sips:pbx.example.com:5061 or sip:host;transport=tls")
        << peer;
  }
}

}  // namespace
}  // namespace gw::dialplan
