#include "gateway/app/demo_plan.hpp"

namespace gw::app {

dialplan::Plan demo_plan(const std::vector<std::string>& spans) {
  dialplan::Plan plan;
  dialplan::TrunkGroup first{"A", {}, isdn::Hunting::ascending, 0};
  dialplan::TrunkGroup second{"B", {}, isdn::Hunting::ascending, 0};
  for (std::size_t i = 0; i < spans.size(); ++i) {
    dialplan::Trunk trunk;
    trunk.name = "pstn-" + std::to_string(i + 1);
    trunk.backend = dialplan::Backend::loopback;
    trunk.spans = {spans[i]};
    trunk.switchtype = isdn::SwitchType::euroisdn_e1;
    trunk.side = isdn::Side::cpe;
    trunk.law = tdm::Law::alaw;
    trunk.called_ton = isdn::Ton::subscriber;
    // Private-plan numbers from the PSTN come back as numbers in p1234.
    trunk.private_context = "p1234";
    // The first half of the spans is group A, the rest group B.
    (i < (spans.size() + 1) / 2 ? first : second).trunks.push_back(trunk.name);
    plan.trunks.push_back(std::move(trunk));
  }
  std::vector<std::string> groups = {"A"};
  plan.trunk_groups.push_back(first);
  if (!second.trunks.empty()) {
    plan.trunk_groups.push_back(second);
    groups.emplace_back("B");
  }

  dialplan::Route forwarded;
  forwarded.name = "private-p1234";
  forwarded.match.phone_context = "p1234";
  forwarded.trunk_groups = groups;
  forwarded.failover_causes = {17, 34, 38, 41, 42, 44};
  plan.routes.push_back(forwarded);

  dialplan::Route global;
  global.name = "global";
  global.match.phone_context = "+";
  global.trunk_groups = groups;
  plan.routes.push_back(global);

  plan.screening.blocked_destinations = {"+1900"};
  // The demo is driven from this machine only: SIP from anywhere else is
  // dropped, as a real plan's untrusted sources are.
  plan.trust.peers = {"127.0.0.0/8"};
  return plan;
}

}  // namespace gw::app
