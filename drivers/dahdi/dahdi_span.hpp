#pragma once
// A span on a real DAHDI driver (a telephony card, or dahdi_dynamic): the
// D-channel and B-channels through /dev/dahdi/channel, alarms from
// DAHDI_SPANSTAT, line events from DAHDI_GETEVENT. This directory is the only
// one that includes <dahdi/user.h>.

#include <string>

#include "drivers/dahdi/system_conf.hpp"
#include "drivers/tdm/registry.hpp"
#include "drivers/tdm/unique_fd.hpp"

namespace gw::dahdi {

class DahdiSpan final : public tdm::Span {
 public:
  // Opens and checks the D-channel. Throws std::system_error naming the device
  // and channel when DAHDI refuses, std::invalid_argument when the span's
  // channels do not fit the configured shape.
  DahdiSpan(const tdm::SpanSpec& spec, SpanLocation location, std::string device);

  [[nodiscard]] std::string_view name() const noexcept override { return name_; }
  [[nodiscard]] const tdm::Layout& layout() const noexcept override { return layout_; }
  [[nodiscard]] tdm::Law law() const noexcept override { return law_; }
  tdm::Channel& d_channel() override { return *d_channel_; }
  std::unique_ptr<tdm::Channel> open_bearer(int timeslot, std::error_code& error) override;
  [[nodiscard]] tdm::AlarmSet alarms() const override;
  [[nodiscard]] tdm::EventWait event_wait() const noexcept override;
  std::vector<tdm::SpanEvent> take_events() override;

  [[nodiscard]] const SpanLocation& location() const noexcept { return location_; }

 private:
  std::string name_;
  SpanLocation location_;
  tdm::Layout layout_;
  tdm::Law law_;
  std::string device_;
  std::string echo_canceller_;
  int echo_taps_;
  std::unique_ptr<tdm::Channel> d_channel_;
  bool echo_warned_ = false;
  std::vector<tdm::SpanEvent> pending_;
};

// Finds where span `span` lives: the kernel's sysfs first, `system_conf` next.
// Throws std::system_error when neither knows the span.
[[nodiscard]] SpanLocation locate_span(int span, const std::string& sysfs_root,
                                       const std::string& system_conf);

}  // namespace gw::dahdi
