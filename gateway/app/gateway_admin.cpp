// The gateway as the web page sees and changes it: a view of spans,
// channels and calls, and plan changes applied as they are stored.
// Control thread only, like the rest of Gateway.

#include <algorithm>

#include "gateway/app/gateway.hpp"

namespace gw::app {
namespace {

// The gateway's end of a loopback span is "NAME/a"; trunks name "NAME".
std::string trunk_span_name(std::string_view span) {
  const auto slash = span.rfind("/a");
  return std::string(
      slash != std::string_view::npos && slash + 2 == span.size() ? span.substr(0, slash) : span);
}

std::string joined(const std::vector<std::string>& items) {
  std::string text;
  for (const auto& item : items) text += (text.empty() ? "" : ", ") + item;
  return text;
}

}  // namespace

GatewayView Gateway::view() const {
  GatewayView view;
  const auto& plan = bridge_->router().plan();
  for (const auto& span : spans_->spans()) {
    SpanView& shown = view.spans.emplace_back();
    shown.name = trunk_span_name(span->span().name());
    const auto* trunk = plan.trunk_of_span(shown.name);
    shown.trunk = trunk != nullptr ? trunk->name : "";
    shown.link_up = span->link_up();
    shown.restarting = span->restarting();
    shown.alarms = span->alarms().to_string();
    const auto& table = span->channels();
    for (const int timeslot : table.layout().bearers()) {
      shown.channels.emplace_back(timeslot, std::string(isdn::to_string(table.state(timeslot))));
    }
  }
  view.calls = bridge_->calls();
  view.registrations = registrations_.states();
  view.restart_needed = restart_needed_;
  view.trust = admission_->trust().describe();
  view.untrusted_action = std::string(dialplan::to_string(admission_->untrusted()));
  view.filter = admission_->filter_state();
  view.trust_migrated = admission_->migrated();
  view.untrusted_sources = admission_->sources();
  return view;
}

std::variant<std::vector<dialplan::PlanError>, std::string> Gateway::change_plan(
    const dialplan::Plan& plan) {
  auto problems = dialplan::validate(plan);
  if (!problems.empty()) return problems;
  store_->save(plan);
  return reload();
}

std::string Gateway::apply(const std::shared_ptr<const dialplan::Router>& router) {
  const auto& plan = router->plan();
  const auto span_running = [this](const std::string& name) {
    return spans_->find(name) != nullptr;
  };
  std::vector<dialplan::Trunk> added;
  std::vector<std::string> waiting;  // changed or removed: their spans run as they were
  for (const auto& trunk : plan.trunks) {
    const auto running = std::find_if(running_trunks_.begin(), running_trunks_.end(),
                                      [&](const auto& t) { return t.name == trunk.name; });
    if (running != running_trunks_.end()) {
      if (*running != trunk) waiting.push_back(trunk.name + " (changed)");
    } else if (std::any_of(trunk.spans.begin(), trunk.spans.end(), span_running)) {
      // Its span still runs for the trunk that had it before.
      waiting.push_back(trunk.name + " (new, its span is in use)");
    } else {
      added.push_back(trunk);
    }
  }
  for (const auto& trunk : running_trunks_) {
    if (plan.find_trunk(trunk.name) == nullptr) waiting.push_back(trunk.name + " (removed)");
  }
  bridge_->set_router(router);
  std::vector<std::string> started;
  for (const auto& trunk : added) {
    try {
      add_trunks({trunk});
      running_trunks_.push_back(trunk);
      started.push_back(trunk.name);
    } catch (const std::exception& error) {
      waiting.push_back(trunk.name + " (" + error.what() + ")");
    }
  }
  apply_registrations(plan);
  admission_->plan_changed(plan, store_->trust_migrated());
  restart_needed_ = joined(waiting);
  std::string answer = "ok reloaded " + std::to_string(plan.routes.size()) + " routes";
  if (!started.empty()) answer += "; started trunks " + joined(started);
  if (!waiting.empty()) answer += "; restart needed for trunks " + restart_needed_;
  log_("sipgw: dialplan " + answer.substr(3));
  return answer;
}

CaptureEnds Gateway::capture_ends(const std::string& span) const {
  CaptureEnds ends;
  ends.sip_address = options_.bind;
  ends.sip_port = options_.sip_port;
  ends.rtp_address = options_.rtp_bind;
  const auto* trunk = bridge_->router().plan().trunk_of_span(span);
  ends.network_side = trunk != nullptr && trunk->side == isdn::Side::net;
  return ends;
}

}  // namespace gw::app
