#pragma once
// The plan's registrations with upstream registrars as the operator sees
// them: "pending", "registered", "failed 403 Forbidden", "removing", by
// name, kept from the SIP stack's answers. Control thread only.

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "dialplan/plan.hpp"
#include "gateway/sip/stack.hpp"

namespace gw::app {

class RegistrationStatus {
 public:
  explicit RegistrationStatus(std::function<void(std::string_view)> log) : log_(std::move(log)) {}

  // What the SIP stack must register for `plan`.
  [[nodiscard]] static std::vector<sip::Registration> wanted_by(const dialplan::Plan& plan);

  // The stack is about to register `wanted` instead of `running`: new ones
  // are pending, those left out are being removed.
  void expect(const std::vector<sip::Registration>& running,
              const std::vector<sip::Registration>& wanted);
  // A registrar's final answer (`removed`: to the REGISTER taking the binding away).
  void on_answer(const std::string& name, int status, const std::string& phrase, bool removed);

  [[nodiscard]] const std::map<std::string, std::string>& states() const noexcept {
    return states_;
  }

 private:
  std::function<void(std::string_view)> log_;
  std::map<std::string, std::string> states_;
};

}  // namespace gw::app
