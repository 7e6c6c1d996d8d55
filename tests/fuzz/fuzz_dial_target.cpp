// A Request-URI as a SIP peer sends it, or as an operator types it into the
// route tester: Sofia-SIP's URL parser and our reading of its user part
// (sip::request_for_uri, the same code an INVITE's Request-URI goes
// through), the telephone number and its phone-context
// (dialplan::parse_dial_target), and the decision of the demo plan's router
// with a route that matches by regular expression and rewrites the number
// by one, as operators' plans do.
//
// Seeds: corpus/fuzz_dial_target/, Request-URIs of the README and the tests.

#include <algorithm>
#include <cctype>
#include <string>

#include "dialplan/dial_target.hpp"
#include "dialplan/router.hpp"
#include "dialplan/validate.hpp"
#include "gateway/app/demo_plan.hpp"
#include "gateway/sip/sip_call.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace {

using namespace gw;

dialplan::Plan harness_plan() {
  auto plan = app::demo_plan({"span1", "span2"});
  dialplan::Route by_regex;
  by_regex.name = "regex-p5555";
  by_regex.match.phone_context = "p5555";
  by_regex.match.number_regex = "7[0-9]*";
  by_regex.trunk_groups = {"A"};
  by_regex.called.replace = "^7([0-9]*)$";
  by_regex.called.with = "$1";
  plan.routes.push_back(by_regex);
  gw::fuzz::check(dialplan::validate(plan).empty(), "the harness plan is valid");
  return plan;
}

const dialplan::Router& router() {
  static const dialplan::Router instance(harness_plan());
  return instance;
}

// The promises parse_dial_target's header makes of a number it accepts.
void check_target(const dialplan::DialTarget& target) {
  gw::fuzz::check(!target.digits.empty(), "a dial target has digits");
  gw::fuzz::check(
      std::all_of(target.digits.begin(), target.digits.end(),
                  [](char c) { return (c >= '0' && c <= '9') || c == '*' || c == '#'; }),
      "a dial target's digits are 0-9 * #");
  gw::fuzz::check(target.global == target.phone_context.empty(),
                  "a global number has no phone-context, a local one has one");
}

void route(const dialplan::DialTarget& target, const std::string& caller) {
  dialplan::CallFacts facts;
  facts.target = target;
  facts.caller = caller;
  facts.source = "sip:127.0.0.1";
  const auto decision = router().decide(facts);
  (void)decision.describe();
  // The same digits as a SETUP from the PSTN on span1.
  isdn::PartyNumber called;
  called.digits = target.digits;
  called.ton = target.global ? isdn::Ton::international : isdn::Ton::subscriber;
  called.npi = target.global ? isdn::Npi::isdn : isdn::Npi::private_plan;
  const auto pstn = router().facts_from_pstn("span1", called, isdn::PartyNumber{});
  (void)router().decide(pstn).describe();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(gw::fuzz::text_of(data, size));

  // The input as a user part or tel: subscriber on its own.
  dialplan::ParseError error;
  if (const auto target = dialplan::parse_dial_target(text, &error)) {
    check_target(*target);
  } else {
    gw::fuzz::check(!error.reason.empty(), "a refused number has a reason");
  }

  // The input as a Request-URI.
  const auto request = sip::request_for_uri(text);
  if (!request) return 0;
  // Schemes are case-insensitive (RFC 3261 19.1.4): "SIP:" comes as it was written.
  std::string scheme = request->scheme;
  std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  gw::fuzz::check(scheme == "sip" || scheme == "sips" || scheme == "tel",
                  "request_for_uri accepts sip:, sips: and tel: only", request->scheme);
  const auto target = dialplan::parse_dial_target(request->number, &error);
  if (!target) return 0;
  check_target(*target);
  route(*target, (target->global ? "+" : "") + target->digits);
  return 0;
}
