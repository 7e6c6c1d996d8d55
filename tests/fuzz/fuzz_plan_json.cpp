// The dialplan file (`sipgw import FILE`, PUT /api/plan, and every plan
// edit of the web page, which is checked as a whole file): reading it
// (dialplan::plan_from_json), checking it (validate), and for a plan with
// no problem, writing it out again, which must read back as the same plan,
// and building its Router and routing a few calls with it, as a reload does.
//
// Seeds: corpus/fuzz_plan_json/, the demo plan as `sipgw export` writes it
// and plans of the tests.

#include <string>
#include <variant>

#include "dialplan/plan_json.hpp"
#include "dialplan/router.hpp"
#include "dialplan/validate.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace {

using namespace gw;

void route_a_few_calls(const dialplan::Router& router, const dialplan::Plan& plan) {
  for (const auto& route : plan.routes) {
    dialplan::CallFacts facts;
    facts.target.digits = route.match.number_prefix + "7773660";
    facts.target.global = route.match.phone_context == "+";
    facts.target.phone_context = facts.target.global ? "" : route.match.phone_context;
    facts.caller = route.match.caller_prefix + "5551000";
    facts.source = route.match.source.empty() ? "sip:127.0.0.1" : route.match.source;
    facts.account = route.match.account;
    (void)router.decide(facts).describe();
  }
  for (const auto& trunk : plan.trunks) {
    for (const auto& span : trunk.spans) {
      isdn::PartyNumber called;
      called.digits = "7773660";
      (void)router.decide(router.facts_from_pstn(span, called, isdn::PartyNumber{})).describe();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto read = dialplan::plan_from_json(gw::fuzz::text_of(data, size));
  if (const auto* error = std::get_if<dialplan::JsonError>(&read)) {
    gw::fuzz::check(!error->reason.empty(), "a refused plan file says why");
    return 0;
  }
  auto plan = std::get<dialplan::Plan>(std::move(read));
  if (!dialplan::validate(plan).empty()) return 0;

  const std::string written = dialplan::plan_to_json(plan);
  const auto again = dialplan::plan_from_json(written);
  gw::fuzz::check(std::holds_alternative<dialplan::Plan>(again),
                  "a valid plan written out reads back");
  gw::fuzz::check(std::get<dialplan::Plan>(again) == plan,
                  "a valid plan written out reads back as the same plan");

  const dialplan::Router router(plan);
  route_a_few_calls(router, plan);
  return 0;
}
