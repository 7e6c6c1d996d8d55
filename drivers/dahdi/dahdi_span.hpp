#pragma once
// A span on a real DAHDI driver (a telephony card, or dahdi_dynamic): the
// D-channel and B-channels through /dev/dahdi/channel, alarms from
// DAHDI_SPANSTAT, line events from DAHDI_GETEVENT, echo cancellers through
// DAHDI_ATTACH_ECHOCAN and DAHDI_ECHOCANCEL_PARAMS. This directory is the only
// one that includes <dahdi/user.h>.

#include <string>
#include <vector>

#include "drivers/common/unique_fd.hpp"
#include "drivers/dahdi/locate.hpp"
#include "drivers/tdm/registry.hpp"

namespace gw::dahdi {

class DahdiSpan final : public tdm::Span {
 public:
  // Opens and checks the D-channel. Throws std::system_error naming the device
  // and channel when DAHDI refuses, std::invalid_argument when the span does
  // not fit the configured shape or its D-channel is not an HDLC channel.
  DahdiSpan(const tdm::SpanSpec& spec, SpanLocation location, const BackendPaths& paths);

  [[nodiscard]] std::string_view name() const noexcept override { return name_; }
  [[nodiscard]] const tdm::Layout& layout() const noexcept override { return layout_; }
  [[nodiscard]] tdm::Law law() const noexcept override { return law_; }
  tdm::Channel& d_channel() override { return *d_channel_; }
  std::unique_ptr<tdm::Channel> open_bearer(int timeslot, std::error_code& error) override;
  [[nodiscard]] tdm::AlarmSet alarms() const override;
  [[nodiscard]] tdm::EventWait event_wait() const noexcept override;
  std::vector<tdm::SpanEvent> take_events() override;

  [[nodiscard]] const SpanLocation& location() const noexcept { return location_; }
  // DAHDI's channel number for a timeslot of this span.
  [[nodiscard]] int channel_number(int timeslot) const noexcept {
    return location_.basechan + timeslot - 1;
  }

 private:
  void check_location(const tdm::SpanSpec& spec);
  bool enable_echo_canceller(int fd, int channo) const;

  std::string name_;
  SpanLocation location_;
  tdm::Layout layout_;
  tdm::Law law_;
  std::string device_;
  std::string echo_canceller_;
  int echo_taps_;
  UniqueFd control_;  // for DAHDI_ATTACH_ECHOCAN; only with an echo canceller
  std::unique_ptr<tdm::Channel> d_channel_;
  bool echo_warned_ = false;
  std::vector<tdm::SpanEvent> pending_;
};

}  // namespace gw::dahdi
