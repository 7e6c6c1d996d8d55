#pragma once
// The SIP stack as call control sees it (sip::SipLegs), without Sofia-SIP:
// it keeps what call control asked for, in order, for a test to check.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "gateway/sip/sip_call.hpp"

namespace gw::fakes {

class FakeSipLegs final : public sip::SipLegs {
 public:
  void respond(sip::LegId leg, sip::Response response) override {
    responses.emplace_back(leg, std::move(response));
  }
  void bye(sip::LegId leg, const std::string& reason) override { byes.emplace_back(leg, reason); }
  sip::LegId invite(sip::OutgoingInvite invite) override {
    invites.push_back(std::move(invite));
    return next_leg++;
  }

  // The statuses `leg` was answered with, in order.
  [[nodiscard]] std::vector<int> statuses(sip::LegId leg) const {
    std::vector<int> found;
    for (const auto& [to, response] : responses) {
      if (to == leg) found.push_back(response.status);
    }
    return found;
  }
  [[nodiscard]] const sip::Response* last_response(sip::LegId leg) const {
    for (auto it = responses.rbegin(); it != responses.rend(); ++it) {
      if (it->first == leg) return &it->second;
    }
    return nullptr;
  }
  [[nodiscard]] std::optional<std::string> bye_reason(sip::LegId leg) const {
    for (const auto& [to, reason] : byes) {
      if (to == leg) return reason;
    }
    return std::nullopt;
  }

  std::vector<std::pair<sip::LegId, sip::Response>> responses;
  std::vector<std::pair<sip::LegId, std::string>> byes;  // BYE, or CANCEL before the answer
  std::vector<sip::OutgoingInvite> invites;
  sip::LegId next_leg = 1000;  // the legs our INVITEs get
};

}  // namespace gw::fakes
