#pragma once
// One span's ISDN signalling as call control sees it (isdn::SignallingSpan),
// without libpri or a line: it hands out call ids and timeslots, keeps every
// message call control asked for as a line ("SETUP 7773660 on B1",
// "ALERTING 1 inband", "DISCONNECT 1 cause 16"), and opens B-channels as
// socket pairs whose far end the test holds. What the network does comes
// from the test, through the Listener the span was given.

#include <sys/socket.h>
#include <unistd.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "drivers/common/unique_fd.hpp"
#include "drivers/isdn/signalling_span.hpp"

namespace gw::fakes {

class FakeBearer final : public tdm::Channel {
 public:
  explicit FakeBearer(UniqueFd fd) : fd_(std::move(fd)) {}
  [[nodiscard]] int fd() const noexcept override { return fd_.get(); }
  tdm::IoResult read(std::span<std::byte> buffer) override {
    return result(::read(fd_.get(), buffer.data(), buffer.size()));
  }
  tdm::IoResult write(std::span<const std::byte> data) override {
    return result(::send(fd_.get(), data.data(), data.size(), MSG_NOSIGNAL));
  }

 private:
  static tdm::IoResult result(ssize_t done) {
    if (done < 0) return {0, std::error_code(errno, std::generic_category())};
    return {static_cast<std::size_t>(done), {}};
  }
  UniqueFd fd_;
};

class FakeSignallingSpan final : public isdn::SignallingSpan {
 public:
  explicit FakeSignallingSpan(int channels = 30) : free_(channels) {}

  isdn::Placed place_call(const isdn::CallSetup& setup) override {
    if (!link_up) return {0, isdn::Cause::network_out_of_order};
    if (free_ == 0) return {0, isdn::Cause::no_circuit_available};
    const isdn::CallId id = next_call_++;
    timeslots_[id] = next_timeslot_++;
    --free_;
    setups.push_back(setup);
    sent.push_back("SETUP " + setup.called.digits + " on B" + std::to_string(timeslots_[id]));
    return {id, isdn::Cause::normal_clearing};
  }
  void proceeding(isdn::CallId call) override { note("CALL PROCEEDING", call); }
  void alerting(isdn::CallId call, bool inband) override {
    note(inband ? "ALERTING inband" : "ALERTING", call);
  }
  void progress(isdn::CallId call, bool inband) override {
    note(inband ? "PROGRESS inband" : "PROGRESS", call);
  }
  void answer(isdn::CallId call) override { note("CONNECT", call); }
  void hangup(isdn::CallId call, isdn::Cause cause) override {
    sent.push_back("DISCONNECT " + std::to_string(call) + " cause " +
                   std::to_string(isdn::to_wire(cause)));
    release(call);
  }

  [[nodiscard]] int timeslot(isdn::CallId call) const override {
    const auto found = timeslots_.find(call);
    return found == timeslots_.end() ? 0 : found->second;
  }
  [[nodiscard]] std::optional<int> call_reference(isdn::CallId call) const override {
    return static_cast<int>(call);
  }
  [[nodiscard]] bool can_take_call() const override { return link_up && free_ > 0; }
  [[nodiscard]] std::unique_ptr<tdm::Channel> open_bearer(isdn::CallId call,
                                                          std::error_code& error) override {
    int ends[2];
    if (timeslot(call) == 0) {
      error = std::make_error_code(std::errc::no_such_device);
      return nullptr;
    }
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, ends) != 0) {
      error = std::error_code(errno, std::generic_category());
      return nullptr;
    }
    far_ends[call] = UniqueFd(ends[1]);
    return std::make_unique<FakeBearer>(UniqueFd(ends[0]));
  }
  [[nodiscard]] tdm::Law law() const override { return tdm::Law::alaw; }

  // A call the network offers (a SETUP from the PSTN): its id, to give the
  // listener's on_incoming.
  isdn::CallId incoming() {
    const isdn::CallId id = next_call_++;
    timeslots_[id] = next_timeslot_++;
    --free_;
    return id;
  }
  // The far end cleared the call: its channel is free again.
  void release(isdn::CallId call) {
    if (timeslots_.erase(call) != 0) ++free_;
  }

  bool link_up = true;
  std::vector<std::string> sent;  // what call control asked the span to send, in order
  std::vector<isdn::CallSetup> setups;
  std::map<isdn::CallId, UniqueFd> far_ends;  // the network's end of each opened B-channel

 private:
  void note(const std::string& message, isdn::CallId call) {
    sent.push_back(message + " " + std::to_string(call));
  }

  int free_;
  isdn::CallId next_call_ = 1;
  int next_timeslot_ = 1;
  std::map<isdn::CallId, int> timeslots_;
};

}  // namespace gw::fakes
