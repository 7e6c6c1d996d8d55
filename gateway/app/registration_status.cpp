#include "gateway/app/registration_status.hpp"

#include <algorithm>

namespace gw::app {

std::vector<sip::Registration> RegistrationStatus::wanted_by(const dialplan::Plan& plan) {
  std::vector<sip::Registration> registrations;
  registrations.reserve(plan.registrations.size());
  for (const auto& r : plan.registrations) {
    registrations.push_back(
        {r.name, r.registrar, r.user, r.auth_user, r.password, r.expires, plan.outbound_proxy});
  }
  return registrations;
}

void RegistrationStatus::expect(const std::vector<sip::Registration>& running,
                                const std::vector<sip::Registration>& wanted) {
  for (auto& [name, state] : states_) {
    const bool kept = std::any_of(wanted.begin(), wanted.end(),
                                  [&name = name](const auto& r) { return r.name == name; });
    if (!kept) state = "removing";
  }
  for (const auto& r : wanted) {
    if (std::find(running.begin(), running.end(), r) == running.end()) {
      states_[r.name] = "pending";
    }
  }
}

void RegistrationStatus::on_answer(const std::string& name, int status, const std::string& phrase,
                                   bool removed) {
  if (removed) {
    if (log_) {
      log_("sipgw: registration " + name + ": " +
           (status < 300 ? std::string("removed")
                         : "removal failed " + std::to_string(status) + " " + phrase));
    }
    // A dropped registration leaves the status however its removal went;
    // a replacement under the same name keeps its own line.
    const auto found = states_.find(name);
    if (found != states_.end() && found->second == "removing") states_.erase(found);
    return;
  }
  std::string state =
      status < 300 ? "registered" : "failed " + std::to_string(status) + " " + phrase;
  if (log_) log_("sipgw: registration " + name + ": " + state);
  states_[name] = std::move(state);
}

}  // namespace gw::app
