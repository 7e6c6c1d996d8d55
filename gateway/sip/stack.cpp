#include "gateway/sip/stack.hpp"

#include <stdexcept>

#include "gateway/sip/sofia_thread.hpp"

namespace gw::sip {

Stack::Stack(StackConfig config, boost::asio::io_context& control)
    : config_(std::move(config)), control_(control) {}

Stack::~Stack() = default;

void Stack::start(CallHandler& handler) {
  if (sofia_) throw std::logic_error("sip: stack started twice");
  sofia_ = std::make_unique<SofiaThread>(config_, admission_, accepting_, control_, handler);
}

void Stack::set_admission(AdmissionPolicy policy) {
  admission_ = policy;
  if (sofia_) sofia_->set_admission(std::move(policy));
}

std::string_view to_string(RefusedRequest::Action action) noexcept {
  switch (action) {
    case RefusedRequest::Action::dropped:
      return "dropped";
    case RefusedRequest::Action::rejected:
      return "rejected";
    case RefusedRequest::Action::challenged:
      return "challenged";
    case RefusedRequest::Action::auth_failed:
      return "auth-failed";
  }
  return "unknown";
}

void Stack::stop() {
  sofia_.reset();
}

void Stack::set_registrations(std::vector<Registration> registrations) {
  config_.registrations = registrations;
  if (sofia_) sofia_->set_registrations(std::move(registrations));
}

void Stack::respond(LegId leg, Response response) {
  if (sofia_) sofia_->respond(leg, std::move(response));
}

void Stack::bye(LegId leg, const std::string& reason) {
  if (sofia_) sofia_->bye(leg, reason);
}

LegId Stack::invite(OutgoingInvite invite) {
  return sofia_ ? sofia_->invite(std::move(invite)) : 0;
}

}  // namespace gw::sip
