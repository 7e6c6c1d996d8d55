#pragma once
// The SIP stack alone for component tests: its control thread (an
// io_context on a thread of the test) and a call handler that refuses
// every INVITE with 503 and Retry-After, as the gateway does when it cannot
// take a call.

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <thread>

#include "gateway/sip/stack.hpp"

namespace gw::test {

class RefuseEveryCall final : public sip::CallHandler {
 public:
  explicit RefuseEveryCall(sip::SipLegs& legs) : legs_(legs) {}
  void on_invite(const sip::InviteRequest& request) override {
    sip::Response response;
    response.status = 503;
    response.retry_after_seconds = 30;
    legs_.respond(request.leg, std::move(response));
  }
  void on_reinvite(sip::LegId /*leg*/, const sip::Body& /*offer*/) override {}
  void on_ack(sip::LegId /*leg*/, const sip::Body& /*answer*/) override {}
  void on_cancel(sip::LegId /*leg*/) override {}
  void on_bye(sip::LegId /*leg*/, std::optional<int> /*reason*/) override {}
  void on_terminated(sip::LegId /*leg*/, int /*status*/, const std::string& /*phrase*/) override {}

 private:
  sip::SipLegs& legs_;
};

class StackHarness {
 public:
  explicit StackHarness(const sip::StackConfig& config) : stack_(config, io_), handler_(stack_) {
    // The tests' peers are on this machine: trust loopback, as the demo does.
    dialplan::Plan trusting;
    trusting.trust.peers = {"127.0.0.0/8"};
    sip::AdmissionPolicy admission;
    admission.trust = std::make_shared<const auth::TrustList>(trusting, nullptr);
    stack_.set_admission(std::move(admission));
    stack_.start(handler_);
    thread_ = std::thread([this] { io_.run(); });
  }
  StackHarness(const StackHarness&) = delete;
  StackHarness& operator=(const StackHarness&) = delete;
  ~StackHarness() {
    stack_.stop();
    work_.reset();
    io_.stop();
    thread_.join();
  }
  [[nodiscard]] sip::Stack& stack() noexcept { return stack_; }

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_ =
      boost::asio::make_work_guard(io_);
  sip::Stack stack_;
  RefuseEveryCall handler_;
  std::thread thread_;
};

}  // namespace gw::test
